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
import { tableFromIPC } from 'apache-arrow';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { entityScenario } from '../src/fleet/entity.js';
import { loadScenario, withOverrides } from '../src/reader/load.js';
import { eventsStartingIn } from '../src/anomaly/events.js';
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
    await checkReportPage(browser, html, { events: events.length, screenshot: join(OUT, file.replace('.yaml', '.png')) });
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
