/**
 * Reports of wide datasets: page size, the report command's time and peak memory, and how
 * soon the page is usable in the browser the report tests use (Chromium through
 * playwright-core).
 *
 *   node dist/bench/report-wide.js [--variables 50,150,400] [--rows 100000] [--reps 3]
 *
 * For each variable count, generates `bench/wide-scenario.ts`'s dataset (Parquet, as by
 * default), runs `paranom report` on it, then opens the page R times in fresh tabs at
 * 1400 × 1000 and measures, inside the page, the time from navigation to the first chart's
 * canvas and to the page's ready mark (every control wired), and a click on "+" until the
 * range line says the view halved and two frames are painted. Medians of R pages.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChild } from './end-to-end.js';
import { median } from './stats.js';
import { wideScenario } from './wide-scenario.js';

const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

/** Page code (this file is compiled without the DOM's types): marks when the first chart canvas appears and when the page is ready. */
const MARKS = `
  const t = (window.loadMarks = {});
  new MutationObserver(() => {
    if (t.chart === undefined && document.querySelector('.chart canvas')) t.chart = performance.now();
    if (t.ready === undefined && document.body && document.body.dataset.ready === 'true') t.ready = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });`;

/** Page code: clicks "+", checks that the range line says the view halved, and resolves two frames later with the milliseconds taken. */
const ZOOM = `new Promise((done, fail) => {
  const range = document.getElementById('range');
  const span = () => Number(range.dataset.to) - Number(range.dataset.from);
  const before = span();
  const t0 = performance.now();
  document.getElementById('zoom-in').click();
  if (span() !== before / 2) fail(new Error('the view did not halve: ' + before + ' → ' + span() + ' rows'));
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
})`;

async function main(): Promise<void> {
  const counts = arg('variables', '50,150,400').split(',').map(Number);
  const rows = Number(arg('rows', '100000'));
  const reps = Number(arg('reps', '3'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env['PARANOM_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const dir = mkdtempSync(join(tmpdir(), 'paranom-wide-bench-'));
  const table: string[][] = [];
  try {
    for (const n of counts) {
      const scenario = join(dir, `wide-${n}.json`);
      writeFileSync(scenario, JSON.stringify(wideScenario(n, rows)));
      const ds = join(dir, `ds-${n}`);
      const g = await runChild(process.execPath, [CLI, 'generate', scenario, '--out', ds, '--workers', '2']);
      if (g.status !== 0) throw new Error(`generate ${n}: ${g.stderr}`);
      const html = join(dir, `wide-${n}.html`);
      const r = await runChild(process.execPath, [CLI, 'report', ds, '--out', html]);
      if (r.status !== 0) throw new Error(`report ${n}: ${r.stderr}`);
      const seen: Array<{ chart: number; ready: number; zoom: number }> = [];
      for (let k = 0; k < reps; k++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        await page.addInitScript({ content: MARKS });
        await page.goto(pathToFileURL(html).href, { timeout: 120_000 });
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        const zoom = (await page.evaluate(ZOOM)) as number;
        const marks = (await page.evaluate('window.loadMarks')) as { chart: number; ready: number };
        seen.push({ chart: marks.chart, ready: marks.ready, zoom });
        await page.close();
      }
      table.push([
        n.toLocaleString('en-US'),
        `${(statSync(html).size / 1e6).toFixed(2)} MB`,
        `${r.seconds.toFixed(2)} s`,
        `${r.peakRssMb.toFixed(0)} MB`,
        median(seen.map((s) => s.chart)).toFixed(0),
        median(seen.map((s) => s.ready)).toFixed(0),
        median(seen.map((s) => s.zoom)).toFixed(0),
      ]);
      rmSync(ds, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['variables', 'page', 'report', 'peak RSS', 'first chart ms', 'ready ms', 'zoom ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write([line(head), ...table.map(line)].join('\n') + `\n${rows.toLocaleString('en-US')} rows; browser times are medians of ${reps} pages; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

await main();
