/**
 * The report of a wide dataset (400 numeric variables × 100,000 rows, as sensor fleets
 * have): a page within its byte budget, whose charts are drawn as they come into view, and
 * whose charts far down the page still draw the dataset's values — the overview within
 * float32's resolution of each column's range, exact rows exactly.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generate } from '../src/run/generate.js';
import { datasetReport } from '../src/report/dataset.js';
import { parquetWasm } from '../src/formats/parquet-wasm.js';
import { f32Relative, rowDeltas } from '../src/report/encode.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { wideScenario } from '../bench/wide-scenario.js';
import { browserForSuite, ensureChromium } from './browser.js';

const CLI = 'dist/src/cli/main.js';

const VARIABLES = 400;
const ROWS = 100_000;
const START_MS = Date.parse('2024-01-01T00:00:00Z');

/** Columns' values in row order (null: missing), from every shard (Arrow IPC files: a Parquet decoder takes seconds over 400 columns). */
function columns(ds: string, names: string[]): Map<string, Array<number | null>> {
  const out = new Map(names.map((n) => [n, [] as Array<number | null>]));
  for (const f of readdirSync(join(ds, 'data')).sort()) {
    const t = tableFromIPC(readFileSync(join(ds, 'data', f)));
    for (const n of names) {
      const c = t.getChild(n)!;
      for (let i = 0; i < t.numRows; i++) {
        const v = c.get(i) as number | bigint | null;
        out.get(n)!.push(v === null ? null : Number(v));
      }
    }
  }
  return out;
}

const chromium = ensureChromium();
if ('skip' in chromium) console.warn(`wide report browser test skipped: ${chromium.skip}`);

describe('the report of a 400-variable dataset', () => {
  let ds = '';
  let html = '';
  beforeAll(async () => {
    ds = join(tempDir(), 'ds');
    await generate(scenarioFrom(wideScenario(VARIABLES, ROWS)), { out: ds, workers: 2, format: 'arrow' });
    html = join(tempDir(), 'wide.html');
    const r = spawnSync(process.execPath, [CLI, 'report', ds, '--out', html], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('stays within 10 MB (before: 70 MB, each column 2,000 buckets of float64 row numbers and values)', () => {
    expect(statSync(html).size).toBeLessThan(10e6);
  });

  describe.skipIf('skip' in chromium)('in Chromium', () => {
    const browser = browserForSuite(chromium);

    it('reads back a packed overview as written: rows past 2^32 exactly, values within 1/16,000,000 of their range, float32 values, NaN and ±Infinity as they are', async () => {
      const rows = Float64Array.from([0, 1, 127, 128, 16_383, 16_384, 2 ** 32 + 5, 2 ** 53 - 1]);
      const cases = [
        Float64Array.from({ length: 500 }, (_, i) => 1e15 + 1e5 * Math.sin(i / 7)), // float32 of the value itself would be flat
        Float64Array.from([-1.7e308, 1.7e308, 0, 1e300, -3]),
        Float64Array.from([1e-300, 2e-300, -5e-301, 0]),
        Float64Array.from([NaN, Infinity, -Infinity, 1.5, 2.25, -7]), // every finite value a float32: exact
        Float64Array.from([0.1, 0.2, NaN, Infinity, 0.3]),
        Float64Array.from([42, 42, 42]),
      ];
      const packed = cases.map((c) => f32Relative(c));
      const page = await browser().newPage();
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]');
      const back = await page.evaluate(
        ([x, ys]) => {
          const g = window as unknown as { decodeRowDeltas(b: string): Float64Array; decodeF32(b: string, p: [number, number]): Float64Array };
          return { rows: [...g.decodeRowDeltas(x)], values: ys.map((y) => [...g.decodeF32(y.y, [y.offset, y.scale])].map((v) => (Number.isNaN(v) ? 'NaN' : v))) };
        },
        [rowDeltas(rows), packed] as const,
      );
      await page.close();
      expect(back.rows).toEqual([...rows]);
      cases.forEach((c, k) => {
        const finite = [...c].filter(Number.isFinite);
        const range = Math.max(...finite) / 2 - Math.min(...finite) / 2;
        c.forEach((v, i) => {
          const got = back.values[k]![i]!;
          if (!Number.isFinite(v)) expect(got).toBe(Number.isNaN(v) ? 'NaN' : v);
          else if (Math.fround(v) === v && c.every((u) => Number.isNaN(u) || Math.fround(u) === u)) expect(got).toBe(v);
          else expect(Math.abs((got as number) - v)).toBeLessThanOrEqual(range * 2 ** -23);
        });
      });
      // Not flattened: the wave's values stay apart.
      expect(new Set(back.values[0]).size).toBeGreaterThan(400);
    });

    it('draws a chart far down the page when scrolled to (not before), with the dataset\'s values', async () => {
      const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      const index = VARIABLES - 4; // s396, a float64 process: its overview is carried as float32 of its range
      const names = [index, VARIABLES - 1].map((i) => `s${String(i).padStart(3, '0')}`);
      const canvas = (name: string) => page.evaluate((n) => document.querySelector(`[data-series="${n}"] canvas`) !== null, name);
      // The first chart is on the first screen: the 403 columns are counted by type, their list folded (before: it filled the screen).
      const first = await page.evaluate(() => ({ top: document.querySelector('.chart canvas')!.getBoundingClientRect().top, columns: document.querySelector('details.columns')!.textContent! }));
      expect(first.top).toBeLessThan(1000 - 150);
      expect(first.columns).toMatch(/^403 columns: 1 timestamp\[ms, UTC\], 100 float64\?, 100 float32\?, 100 int32\?, 101 int64\?, 1 bool/);
      expect(first.columns).toContain('s399: int64?, is_anomaly: bool');
      // At load the page draws its first charts, not all 400 (drawing all took seconds).
      expect(await canvas(names[0]!)).toBe(false);
      expect(await page.evaluate(() => document.querySelectorAll('.chart canvas').length)).toBeLessThan(50);
      // The controls answer: zooming in halves the view.
      await page.click('#zoom-in');
      expect(await page.evaluate(() => Number(document.getElementById('range')!.dataset['to']) - Number(document.getElementById('range')!.dataset['from']))).toBe(ROWS / 2);
      await page.click('#reset');

      await page.locator(`[data-series="${names[0]}"]`).scrollIntoViewIfNeeded();
      await page.waitForSelector(`[data-series="${names[0]}"] canvas`, { timeout: 10_000 });
      // Drawn: blue series pixels (#1f4e9c) in the chart.
      const blue = await page.evaluate((n) => {
        const c = document.querySelector(`[data-series="${n}"] canvas`) as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let k = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i + 2]! > d[i]! + 40 && d[i + 2]! > d[i + 1]! + 20) k++;
        return k;
      }, names[0]!);
      expect(blue).toBeGreaterThan(1000);

      type Api = { drawn(i: number): { ms: number[]; values: Array<number | null> }; view(): { from: number; to: number; resolution: string } };
      const drawn = (i: number) => page.evaluate((k) => (window as unknown as { paranomReport: Api }).paranomReport.drawn(k), i);
      const files = columns(ds, names);
      for (const [i, name] of [[index, names[0]!], [VARIABLES - 1, names[1]!]] as const) {
        const file = files.get(name)!;
        const finite = file.filter((v): v is number => v !== null);
        const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
        const tol = (hi - lo) * 2 ** -21;
        const d = await drawn(i);
        expect(d.ms.length).toBeGreaterThan(1000);
        let matched = 0;
        d.ms.forEach((ms, k) => {
          const v = d.values[k];
          if (v === null) return; // a gap marker where a bucket has no value
          const row = (ms - START_MS) / 1000;
          expect(Number.isInteger(row)).toBe(true);
          expect(file[row], `${name} row ${row}`).not.toBeNull();
          expect(Math.abs(v! - file[row]!), `${name} row ${row}`).toBeLessThanOrEqual(tol);
          matched++;
        });
        expect(matched).toBeGreaterThan(1000);
        // Spikes survive: the column's largest and smallest values are drawn.
        expect(Math.max(...(d.values.filter((v) => v !== null) as number[]))).toBeCloseTo(hi, 5);
        expect(Math.min(...(d.values.filter((v) => v !== null) as number[]))).toBeCloseTo(lo, 5);

        // Zoomed to the first event, the chart draws its exact rows: every value as the file holds it.
        await page.locator('#events tbody tr').first().click();
        const view = await page.evaluate(() => (window as unknown as { paranomReport: Api }).paranomReport.view());
        expect(view.resolution).toBe('exact');
        const z = await drawn(i);
        // The chart's data outside the view is the overview's; the rows in view are exact.
        const rows = z.ms.map((ms) => (ms - START_MS) / 1000).filter((r) => r >= view.from && r < view.to);
        expect(rows.length).toBeGreaterThan(20);
        for (const r of rows) expect(z.values[z.ms.indexOf(START_MS + r * 1000)], `${name} row ${r}`).toBe(file[r]);
        await page.click('#reset');
      }
      await page.close();
      expect(errors).toEqual([]);
    }, 120_000);
  });
});

describe('a wide Parquet shard', () => {
  it('is decoded a page of rows at a time, into the same report as the whole shard read at once (before: 6 GB of memory for 524,288 rows × 400 columns)', async () => {
    // 150 numeric columns: one page of 65,536 rows a slice; 140,000 rows: two whole slices and a short one.
    const doc = wideScenario(150, 140_000);
    const parquet = join(tempDir(), 'pq');
    const arrow = join(tempDir(), 'arrow');
    await generate(scenarioFrom(doc), { out: parquet, workers: 2 });
    await generate(scenarioFrom(doc), { out: arrow, workers: 2, format: 'arrow' });
    const pw = parquetWasm();
    const asked: Array<{ bytes: number; limit: number | undefined }> = [];
    const read = pw.readParquet;
    const spy = vi.spyOn(pw, 'readParquet').mockImplementation((bytes, options) => {
      asked.push({ bytes: bytes.length, limit: options?.limit });
      return read(bytes, options);
    });
    let fromParquet: PageData.Report;
    try {
      fromParquet = await datasetReport(parquet);
    } finally {
      spy.mockRestore();
    }
    // The segment table whole, then the shard's pages cut out of it one page of rows at a
    // time (the last one short), each a small part of the shard's bytes.
    const shard = statSync(join(parquet, 'data', 'part-00000.parquet')).size;
    expect(asked.map((a) => a.limit)).toEqual([undefined, 65_536, 65_536, 140_000 - 131_072]);
    for (const a of asked.slice(1)) expect(a.bytes).toBeLessThan(shard / 2);
    const fromArrow = await datasetReport(arrow);
    expect({ ...fromParquet, summary: null }).toEqual({ ...fromArrow, summary: null });
  }, 60_000);
});
