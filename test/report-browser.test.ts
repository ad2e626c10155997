/**
 * Reports opened in a real browser (Chromium through playwright-core), as a reader opens
 * them: from disk, offline. A dataset's report, a preview of every bundled scenario, and
 * the --png image.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { entityScenario } from '../src/fleet/entity.js';
import { loadScenario, withOverrides } from '../src/reader/load.js';
import { eventsStartingIn } from '../src/anomaly/events.js';
import { hits, outagesOverlapping } from '../src/fleet/outages.js';
import { seedKey } from '../src/random/counter.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { checkReportPage, ensureChromium, launch } from './browser.js';
import { KINDS_SCENARIO } from './report-scenario.js';

const CLI = 'dist/src/cli/main.js';
const OUT = 'test-output/report';
const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const chromium = ensureChromium();
if ('skip' in chromium) console.warn(`report browser tests skipped: ${chromium.skip}`);

describe.skipIf('skip' in chromium)('reports in Chromium', () => {
  const chrome = 'path' in chromium ? chromium.path : '';
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch(chrome);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const paranom = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, PARANOM_CHROMIUM: chrome } });

  it('a dataset report: drawn, offline, one shaded region per segment-table event, and a clicked event zooms to exact rows', async () => {
    const dir = join(tempDir(), 'ds');
    const s = scenarioFrom(KINDS_SCENARIO);
    await generate({ ...s, anomalies: { ...s.anomalies, cleanTwin: true } }, { out: dir, workers: 2, shardRows: 131_072 });
    const html = join(tempDir(), 'report.html');
    const r = paranom('report', dir, '--out', html);
    expect(r.status, r.stderr).toBe(0);
    const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'anomalies.parquet'))).intoIPCStream());
    expect(seg.numRows).toBeGreaterThan(5);
    const { picked, view } = await checkReportPage(browser, html, { events: seg.numRows, screenshot: join(OUT, 'dataset.png') });
    // The clicked row is an event of the segment table, shown from exact rows.
    const starts = [...seg.getChild('start_row')!].map(Number);
    expect(starts).toContain(picked!.start);
    expect(view!.resolution).toBe('exact');
  });

  // Datasets of unusual shapes, each reported by the command line and opened as a reader would.
  const LONG = 'sensor_' + 'x'.repeat(200);
  const shapes: Array<[string, object, string[], (seg: Table) => number]> = [
    [
      'every dtype, a 207-character name, awkward categories, CSV shards',
      {
        name: 'ünïcødé <script>alert(1)</script>',
        seed: 9,
        timeline: { rows: 30_000 },
        anomalies: { frequency: 0.02, duration: [10, 60], kinds: [{ kind: 'spike', magnitude: [4, 8] }, { kind: 'level_shift', shift: [2, 4] }, { kind: 'dropout', rate: 1 }] },
        variables: {
          [LONG]: { normal: { dist: 'normal', mean: 0, sd: 1 } },
          f32: { dtype: 'float32', normal: { dist: 'uniform', min: 0, max: 1 } },
          i32: { dtype: 'int32', normal: { dist: 'integer', min: -5, max: 5 } },
          count: { normal: { dist: 'poisson', lambda: 3 } },
          flag: { normal: { dist: 'bernoulli', p: 0.1 }, anomalous: { dist: 'bernoulli', p: 0.9 } },
          state: { normal: { dist: 'categorical', values: ['run', '', 'naïve "q"', '</script><script>alert(1)</script>', 'line\nbreak', 'a_very_long_category_name_indeed'] }, anomalous: { dist: 'categorical', values: ['fault'] } },
        },
      },
      ['--format', 'csv', '--with-clean'],
      (seg) => seg.numRows,
    ],
    [
      'a fleet with outages: the first entity with the outages that hit it',
      {
        name: 'fleet',
        seed: 7,
        timeline: { start: '2024-03-04T00:00:00Z', step: '1m', rows: 4000 },
        entities: { count: 8, key: 'machine', order: 'time_entity' },
        anomalies: { frequency: 0.01, duration: [10, 30], kinds: [{ kind: 'spike', magnitude: [20, 40], variables: ['cpu'] }], outages: { frequency: 0.05, duration: [40, 80], share: 0.6, kind: 'flat_line', variables: ['cpu'] } },
        variables: { cpu: { type: 'process', components: [{ type: 'constant', value: 40 }, { type: 'sine', period: '1d', amplitude: 10 }, { type: 'ar', coefficients: [0.8], sd: 2 }] } },
      },
      ['--with-clean'],
      (seg) => {
        let n = 0;
        for (let i = 0; i < seg.numRows; i++) {
          const own = seg.getChild('machine')!.get(i);
          n += own === 0 || (own === null && String(seg.getChild('entities')!.get(i)).split(',').includes('0')) ? 1 : 0;
        }
        return n;
      },
    ],
    [
      'values from 1e-300 to 1e300 and in the millions',
      {
        seed: 5,
        timeline: { rows: 5000 },
        anomalies: { frequency: 0.02, duration: [20, 50], kinds: [{ kind: 'amplitude', factor: [3, 5] }] },
        variables: {
          tiny: { type: 'process', components: [{ type: 'noise', sd: 1e-300 }] },
          big: { type: 'process', components: [{ type: 'noise', sd: 1e300 }] },
          money: { type: 'process', components: [{ type: 'constant', value: 12345678.9 }, { type: 'noise', sd: 0.01 }] },
          offset: { type: 'process', components: [{ type: 'constant', value: 1e15 }, { type: 'sine', period: 500, amplitude: 1e5 }] },
        },
      },
      [],
      (seg) => seg.numRows,
    ],
    [
      // allow_non_finite: infinities among values up to 1.8e308 (before: a blank chart without y labels, the one infinity stretching the axis past every value).
      'infinities and values near the largest double',
      {
        seed: 5,
        allow_non_finite: true,
        timeline: { rows: 5000 },
        anomalies: { frequency: 0.02, duration: [20, 50] },
        variables: { huge: { normal: { dist: 'lognormal', mu: 705, sigma: 3 }, anomalous: { dist: 'uniform', min: -1e308, max: 1e308 } } },
      },
      [],
      (seg) => seg.numRows,
    ],
    ['no anomalies', { seed: 3, timeline: { rows: 5000 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }, [], () => 0],
    ['every row anomalous', { seed: 3, timeline: { rows: 500 }, anomalies: { count: 1, duration: [500, 500] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 5, sd: 1 } } } }, [], () => 1],
  ];
  it.each(shapes)('a dataset with %s passes the same checks', async (_what, doc, args, expected) => {
    const dir = tempDir();
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify(doc));
    const g = paranom('generate', file, '--out', join(dir, 'ds'), '--workers', '1', ...args);
    expect(g.status, g.stderr).toBe(0);
    const html = join(dir, 'r.html');
    const r = paranom('report', join(dir, 'ds'), '--out', html);
    expect(r.status, r.stderr).toBe(0);
    const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'ds', 'anomalies.parquet'))).intoIPCStream());
    const events = expected(seg);
    await checkReportPage(browser, html, { events, screenshot: join(OUT, `shape-${shapes.findIndex((x) => x[0] === _what)}.png`) });
  });

  const scenarios = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
  it.each(scenarios)('preview of %s passes the same checks', async (file) => {
    const html = join(tempDir(), file.replace('.yaml', '.html'));
    const r = paranom('preview', join('scenarios', file), '--out', html);
    expect(r.status, r.stderr).toBe(0);
    // The events of those rows, derived here from the scenario, not from the report.
    // A fleet's preview shows its first entity: that entity's scenario alone.
    const file0 = loadScenario(join('scenarios', file));
    const loaded = file0.entities ? entityScenario(file0, 0) : file0;
    const rows = Math.min(100_000, loaded.timeline.rows);
    const s = withOverrides(loaded, { rows });
    const events = eventsStartingIn(s.anomalies, seedKey(s.seed), rows, 0, rows);
    // A fleet's outages that hit that entity are its events too.
    const outages = file0.entities?.outages ? outagesOverlapping(withOverrides(file0, { rows }), 0, rows).filter((o) => hits(file0, o, 0)) : [];
    await checkReportPage(browser, html, { events: events.length + outages.length, screenshot: join(OUT, file.replace('.yaml', '.png')) });
  });

  it('a histogram caption counts infinities apart from the values, and says so (before: they were called missing)', async () => {
    const dir = tempDir();
    const file = join(dir, 'inf.json');
    writeFileSync(file, JSON.stringify({ seed: 5, allow_non_finite: true, timeline: { rows: 5000 }, variables: { huge: { normal: { dist: 'lognormal', mu: 705, sigma: 3 } } } }));
    expect(paranom('generate', file, '--out', join(dir, 'ds'), '--workers', '1').status).toBe(0);
    const data = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'ds', 'data', 'part-00000.parquet'))).intoIPCStream());
    const values = Array.from(data.getChild('huge')!.toArray() as Float64Array);
    const infinite = values.filter((x) => !Number.isFinite(x)).length;
    expect(infinite).toBeGreaterThan(0);
    expect(infinite).toBeLessThan(values.length);
    const html = join(dir, 'inf.html');
    expect(paranom('report', join(dir, 'ds'), '--out', html).status).toBe(0);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    const caption = await page.locator('figure.dist[data-variable="huge"] figcaption').textContent();
    await page.close();
    expect(caption).toBe(`huge: ${(values.length - infinite).toLocaleString('en-US')} normal, 0 anomalous values, ${infinite.toLocaleString('en-US')} missing or not finite (null, NaN, ±Infinity)`);
  });

  it('time-axis labels write four-digit years (before: 1/1/25 on a timeline of 1925)', async () => {
    const dir = tempDir();
    const file = join(dir, 'old.json');
    // Three days of hourly rows: hour ticks, whose day labels carry the year.
    writeFileSync(file, JSON.stringify({ seed: 1, timeline: { start: '1925-03-01T00:00:00Z', step: '1h', rows: 72 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }));
    const html = join(dir, 'old.html');
    expect(paranom('preview', file, '--out', html).status).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Every text drawn on a canvas, as uPlot draws its axis labels there.
    await page.addInitScript(() => {
      const texts: string[] = [];
      (window as unknown as { drawnTexts: string[] }).drawnTexts = texts;
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
        texts.push(String(text));
        return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
      };
    });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('.chart canvas');
    const texts = await page.evaluate(() => (window as unknown as { drawnTexts: string[] }).drawnTexts);
    await page.close();
    const dates = texts.filter((t) => /^\d{1,2}\/\d{1,2}\/\d+/.test(t));
    expect(dates.length).toBeGreaterThan(0);
    for (const t of dates) expect(t).toMatch(/^\d{1,2}\/\d{1,2}\/1925\b/);
  });

  it('draws a lone row: a one-row dataset shows its value as a point (before: an empty chart)', async () => {
    const dir = tempDir();
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify({ seed: 1, timeline: { rows: 1 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }));
    const html = join(dir, 'one.html');
    const r = paranom('preview', file, '--out', html);
    expect(r.status, r.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('.chart canvas');
    // Blue pixels (the series is #1f4e9c, anti-aliased) in the chart; grid and axes are grey.
    const drawn = await page.evaluate(() => {
      const c = document.querySelector('.chart canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i + 2]! > d[i]! + 40 && d[i + 2]! > d[i + 1]! + 20) n++;
      return n;
    });
    await page.close();
    expect(drawn).toBeGreaterThan(4);
  });

  it('says there is no series to draw when every variable is categorical or bool (before: an empty section under zoom buttons)', async () => {
    const dir = tempDir();
    const file = join(dir, 'cat.json');
    const state = { normal: { dist: 'categorical', values: ['idle', 'run'] }, anomalous: { dist: 'categorical', values: ['fault'] } };
    const door = { normal: { dist: 'bernoulli', p: 0.05 }, anomalous: { dist: 'bernoulli', p: 0.6 } };
    writeFileSync(file, JSON.stringify({ seed: 1, timeline: { rows: 20000 }, anomalies: { frequency: 0.01, duration: [20, 200] }, variables: { state, door } }));
    const html = join(dir, 'cat.html');
    const r = paranom('preview', file, '--out', html);
    expect(r.status, r.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('body[data-ready="true"]');
    const seen = await page.evaluate(() => ({
      charts: document.querySelectorAll('.chart').length,
      message: document.getElementById('no-series')?.textContent ?? null,
      toolbar: (document.querySelector('#series .toolbar') as HTMLElement).offsetParent !== null,
      distributions: document.querySelectorAll('#distributions canvas').length,
    }));
    await page.close();
    expect(errors).toEqual([]);
    expect(seen.charts).toBe(0);
    expect(seen.message).toMatch(/^No numeric variable to draw over time/);
    expect(seen.toolbar).toBe(false);
    expect(seen.distributions).toBe(2);
  });

  it('labels the time axis of a timeline spanning thousands of years (before: no tick step fitted, no labels)', async () => {
    const dir = tempDir();
    const file = join(dir, 'ages.json');
    // 300 rows ten years apart, as long as a million daily rows: 1000 to 3990.
    writeFileSync(file, JSON.stringify({ seed: 1, timeline: { start: '1000-01-01T00:00:00Z', step: '3650d', rows: 300 }, anomalies: { count: 2, duration: [3, 5] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 6, sd: 1 } } } }));
    const html = join(dir, 'ages.html');
    const r = paranom('preview', file, '--out', html);
    expect(r.status, r.stderr).toBe(0);
    await checkReportPage(browser, html, { events: 2, screenshot: join(OUT, 'ages.png') });
  });

  it('--png writes an image of the overview, and may replace its own image', () => {
    const png = join(tempDir(), 'overview.png');
    for (let i = 0; i < 2; i++) {
      const r = paranom('preview', 'scenarios/anomaly-kinds.yaml', '--rows', '20000', '--png', png);
      expect(r.status, r.stderr).toBe(0);
    }
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(30_000); // a drawn page, not a blank one (a few kB)
  });
});
