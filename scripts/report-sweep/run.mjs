/**
 * The report sweep: `node scripts/report-sweep/run.mjs [OUT_DIR] [case-prefix …]` (after
 * `npm run build`, from the repository root; Chromium at $PARANOM_CHROMIUM or
 * /usr/bin/chromium). Generates every dataset of cases.mjs, reports each with
 * `paranom report`, opens the page from file:// in headless Chromium and checks what a
 * reader sees: no console error or page error, no network request, every chart drawn
 * (series pixels present), each chart titled with its variable, every event of the segment
 * table listed (up to the page's cap) and shaded on every chart with its strip at its
 * columns, no strip where no event is, every kind in the legend, a click on an event
 * zooming every chart onto it, and the page's size. Prints one JSON line per report, then
 * every problem. test/report-browser.test.ts runs a compact version of these checks in CI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { chromium } from 'playwright-core';
import { cases } from './cases.mjs';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm');
const [root = 'test-output/report-sweep', ...only] = process.argv.slice(2);
const CAP = 20_000; // events a page holds (src/report/build.ts)

/** The events a report of `dir` must show: the segment table's (a fleet: its first entity's and the outages hitting it). */
function segmentEvents(dir) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'anomalies.parquet'))).intoIPCStream());
  const rowBase = m.scenario?.timeline?.offset ?? 0;
  const key = m.entities?.key;
  const first = m.entities?.names ? m.entities.names[0] : 0;
  const rows = [];
  for (let i = 0; i < seg.numRows; i++) {
    const r = seg.get(i).toJSON();
    if (key) {
      const own = r[key];
      if (own !== null && own !== undefined && String(own) !== String(first)) continue;
      if ((own === null || own === undefined) && !String(r.entities ?? '').split(',').includes(String(first))) continue;
    }
    rows.push({ start: Math.max(0, Number(r.start_row) - rowBase), end: Number(r.end_row) + 1 - rowBase, kind: r.kind });
  }
  return { rows, manifest: m };
}

/** What the page shows, measured in the browser at the whole-timeline view. */
function measure() {
  const rep = window.paranomReport;
  const out = { ready: !!rep, charts: [], legend: [], tableRows: [], events: 0, shaded: [] };
  if (!rep) return out;
  const v = rep.view();
  out.shaded = rep.shaded();
  out.events = rep.events;
  out.legend = [...document.querySelectorAll('#kinds .kind')].map((k) => k.textContent);
  out.tableRows = [...document.querySelectorAll('#events tbody tr')].map((tr) => [Number(tr.dataset.start), Number(tr.dataset.end)]);
  const colours = [...document.querySelectorAll('#kinds .swatch')].map((s) => getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number));
  for (const box of document.querySelectorAll('.chart')) {
    const c = box.querySelector('canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const cr = c.getBoundingClientRect();
    const or = box.querySelector('.u-over').getBoundingClientRect();
    const k = c.width / cr.width;
    const left = (or.left - cr.left) * k;
    const width = or.width * k;
    const stripY = Math.round((or.top - cr.top) * k) + 2;
    const strip = (x) => {
      const i = 4 * (stripY * c.width + Math.round(x));
      return d[i + 3] === 255 && colours.some(([r, g, b]) => Math.abs(d[i] - r) <= 2 && Math.abs(d[i + 1] - g) <= 2 && Math.abs(d[i + 2] - b) <= 2);
    };
    let blue = 0; // the series' own colour (#1f4e9c), anti-aliased
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i + 2] > d[i] + 40 && d[i + 2] > d[i + 1] + 20) blue++;
    const px = (row) => left + ((row - v.from) / (v.to - v.from)) * width;
    let missing = 0;
    const covered = new Uint8Array(c.width + 4);
    for (const [s, e] of out.tableRows) {
      const x0 = Math.floor(px(s));
      const x1 = Math.max(x0 + 1, Math.ceil(px(e)));
      let seen = false;
      for (let x = x0; x < x1; x++) seen ||= strip(x);
      if (!seen) missing++;
      for (let x = Math.max(0, x0 - 2); x < Math.min(c.width, x1 + 2); x++) covered[x] = 1;
    }
    let stray = 0;
    if (out.tableRows.length === rep.events) for (let x = Math.ceil(left); x < left + width; x++) if (!covered[x] && strip(x)) stray++;
    out.charts.push({ series: box.dataset.series, title: box.querySelector('.u-title')?.textContent ?? '', blue, missing, stray });
  }
  return out;
}

async function checkPage(browser, html) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  const requests = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
  const t0 = Date.now();
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch(() => problems.push('the page never got ready'));
  const loadMs = Date.now() - t0;
  await page.screenshot({ path: html.replace(/\.html$/, '.png') });
  const info = await page.evaluate(measure);
  const rows = info.tableRows.length;
  if (rows > 0) {
    const row = page.locator('#events tbody tr').nth(Math.floor(rows / 2));
    const [s, e] = info.tableRows[Math.floor(rows / 2)];
    await row.click();
    const v = await page.evaluate(() => window.paranomReport.view());
    if (!(v.from <= s && v.to >= e)) problems.push(`a click on event ${s}–${e} showed rows ${v.from}–${v.to}`);
    const sh = await page.evaluate(() => window.paranomReport.shaded());
    if (sh.some((n) => n < 1)) problems.push(`zoomed onto event ${s}–${e}, charts shade ${sh}`);
  }
  await page.close();
  if (requests.length) problems.push(`network requests: ${requests.slice(0, 3).join(', ')}`);
  for (const c of info.charts) {
    if (c.blue < 3) problems.push(`chart ${c.series}: no series drawn`);
    if (!c.title.startsWith(c.series)) problems.push(`chart ${c.series}: title '${c.title}'`);
    if (c.missing) problems.push(`chart ${c.series}: ${c.missing} of ${rows} events without their strip`);
    if (c.stray) problems.push(`chart ${c.series}: ${c.stray} strip columns where no event is`);
  }
  return { info, problems, loadMs };
}

const browser = await chromium.launch({ executablePath: process.env.PARANOM_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const summary = [];
for (const [name, make] of cases(root)) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  if (existsSync(join(root, name))) rmSync(join(root, name), { recursive: true });
  let sets;
  try {
    sets = make();
  } catch (e) {
    summary.push({ name, problems: [`generating: ${String(e.message).slice(0, 600)}`] });
    continue;
  }
  for (const { name: n, dir } of sets) {
    const html = join(root, n.replace(/\//g, '_') + '.html');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'report', dir, '--out', html], { encoding: 'utf8' });
    const reportMs = Date.now() - t0;
    if (r.status !== 0) {
      summary.push({ name: n, problems: [`report exit ${r.status}: ${r.stderr.slice(0, 600)}`] });
      continue;
    }
    const bytes = statSync(html).size;
    const { rows: seg, manifest } = segmentEvents(dir);
    const { info, problems, loadMs } = await checkPage(browser, html);
    if (info.events !== Math.min(seg.length, CAP)) problems.push(`the page holds ${info.events} events, the segment table ${seg.length}`);
    const listed = new Set(info.tableRows.map(([s, e]) => `${s}-${e}`));
    if (seg.length <= 2000) {
      const absent = seg.filter((s) => !listed.has(`${s.start}-${s.end}`));
      if (absent.length) problems.push(`segment-table events not in the page's table: ${absent.slice(0, 5).map((s) => `${s.start}-${s.end}`)}`);
    }
    for (const k of info.shaded) if (k !== info.events) problems.push(`the whole view shades ${k} events of ${info.events}`);
    for (const kind of new Set(seg.map((s) => s.kind))) if (!info.legend.includes(kind)) problems.push(`the legend lacks kind ${kind}`);
    const line = { name: n, rows: manifest.rows, columns: manifest.columns.length, events: seg.length, charts: info.charts.length, bytes, reportMs, loadMs, problems };
    summary.push(line);
    console.log(JSON.stringify(line));
  }
}
await browser.close();
const bad = summary.filter((s) => s.problems.length);
console.log(`\n${summary.length} reports, ${bad.length} with problems`);
for (const s of bad) console.log(`${s.name}\n  ${s.problems.join('\n  ')}`);
process.exitCode = bad.length ? 1 : 0;
