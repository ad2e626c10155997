/**
 * The times a report draws. A jittered timeline's rows are drawn at the times they hold in
 * the files (start + row·step + the row's jitter), not at grid times no row has: overview
 * points, exact rows, event bounds and the event table's times, in a test split whose rows
 * start later in the timeline and in a fleet entity's report. And the legend names times
 * in UTC to the millisecond, as the table does, whatever the reader's time zone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { tableFromIPC, type Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetReport } from '../src/report/dataset.js';
import { writePage } from '../src/report/page.js';
import { tempDir } from './helpers.js';
import { browserForSuite, ensureChromium } from './browser.js';

const CLI = 'dist/src/cli/main.js';
const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const read = (file: string): Table => tableFromIPC(pw.readParquet(readFileSync(file)).intoIPCStream());
const f64 = (b: string) => {
  const buf = Buffer.from(b, 'base64');
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
};

/** Generates `doc` (with `args`) and returns the dataset folder `sub` under it. */
function generated(doc: object, args: string[], sub = ''): string {
  const dir = tempDir();
  writeFileSync(join(dir, 's.json'), JSON.stringify(doc));
  const g = spawnSync(process.execPath, [CLI, 'generate', join(dir, 's.json'), '--out', join(dir, 'ds'), '--workers', '1', ...args], { encoding: 'utf8' });
  expect(g.status, g.stderr).toBe(0);
  return join(dir, 'ds', sub);
}

/** Timestamps (epoch ms) of a one-series dataset's rows, in row order; of one entity's in a fleet. */
function fileTimes(ds: string, key?: string, entity?: unknown): number[] {
  const times: number[] = [];
  for (const f of readdirSync(join(ds, 'data')).sort()) {
    const t = read(join(ds, 'data', f));
    const ts = t.getChild('timestamp')!;
    const k = key ? t.getChild(key)! : null;
    for (let i = 0; i < t.numRows; i++) if (!k || k.get(i) === entity) times.push(Number(ts.get(i)));
  }
  return times;
}

const JITTERED = {
  name: 'jittered',
  seed: 17,
  timeline: { start: '2024-03-31T00:30:00+01:00', step: '1s', jitter: '400ms', rows: 60_000 },
  anomalies: { frequency: 0.01, duration: [20, 60] },
  variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'uniform', min: 8, max: 9 } } },
};

describe('reports of jittered timelines', () => {
  it("give every drawn row its file timestamp's offset: overview points, exact windows and event bounds of a test split", async () => {
    const ds = generated(JITTERED, ['--splits', '0.5'], 'test');
    const times = fileTimes(ds);
    // A small budget, so the page holds an overview and windows of exact rows rather than every row.
    const r = await datasetReport(ds, { limits: { buckets: 300, exactValues: 3000 } });
    expect(r.allExact).toBe(false);
    const at = (row: number, offset: number) => r.time.startMs + row * r.time.stepMs + offset;
    const j = r.time.jitter!;
    expect(j.ms).toBe(400);
    const rows = f64(j.rows);
    const offsets = f64(j.offsets);
    let moved = 0;
    rows.forEach((row, i) => {
      if (row < times.length) expect(at(row, offsets[i]!), `row ${row}`).toBe(times[row]);
      if (offsets[i] !== 0) moved++;
    });
    // Every overview point's row and every event's first row is among them.
    const listed = new Set(rows);
    for (const s of r.series) for (const x of f64(s.x)) expect(listed.has(x)).toBe(true);
    for (const e of r.events) expect(listed.has(e.start)).toBe(true);
    expect(moved).toBeGreaterThan(rows.length / 2);
    expect(r.exact.length).toBeGreaterThan(0);
    for (const w of r.exact) f64(w.jitter!).forEach((o, i) => expect(at(w.from + i, o)).toBe(times[w.from + i]));
    // The segment table's start times are the drawn event starts.
    const seg = read(join(ds, 'anomalies.parquet'));
    const k = [...seg.getChild('start_row')!].findIndex((s) => Number(s) > 30_000);
    const start = Number(seg.getChild('start_row')!.get(k)) - 30_000;
    expect(at(start, offsets[rows.indexOf(start)]!)).toBe(Number(seg.getChild('start_time')!.get(k)));
  });

  it('leave a page of a timeline without jitter as it was: no offsets', async () => {
    const { jitter: _, ...timeline } = JITTERED.timeline;
    const r = await datasetReport(generated({ ...JITTERED, timeline: { ...timeline, rows: 3000 } }, []));
    expect(r.time.jitter).toBeUndefined();
    expect(r.exact.every((w) => w.jitter === undefined)).toBe(true);
  });

  const chromium = ensureChromium();
  describe.skipIf('skip' in chromium)('in Chromium', () => {
    const browser = browserForSuite(chromium);

    /** Opens a page and returns, per view, what the first chart draws: times and values. */
    async function drawnIn(r: PageData.Report, views: Array<[number, number]>) {
      const html = join(tempDir(), 'r.html');
      writePage(html, r);
      const page = await browser().newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]');
      type Api = { setView(a: number, b: number): void; drawn(i: number): { ms: number[]; values: Array<number | null> } };
      const out = [];
      for (const [a, b] of views) {
        out.push(
          await page.evaluate(([a, b]) => {
            const api = (window as unknown as { paranomReport: Api }).paranomReport;
            api.setView(a!, b!);
            return api.drawn(0);
          }, [a, b]),
        );
      }
      const starts = await page.$$eval('#events tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
      await page.close();
      expect(errors).toEqual([]);
      return { views: out, starts };
    }

    it('draws overview points and exact rows at their file times, and lists events at their start_time', async () => {
      const ds = generated(JITTERED, []);
      const times = fileTimes(ds);
      const values = [...read(join(ds, 'data', readdirSync(join(ds, 'data'))[0]!)).getChild('x')!].map(Number);
      const r = await datasetReport(ds, { limits: { buckets: 300, exactValues: 3000 } });
      const w = r.exact[1]!;
      const { views, starts } = await drawnIn(r, [[0, r.time.rows], [w.from + 2, w.from + 12]]);
      for (const d of views) {
        expect(d.ms.length).toBeGreaterThan(8);
        for (let i = 0; i < d.ms.length; i++) {
          const row = times.indexOf(d.ms[i]!);
          expect(row, `a point drawn at ${d.ms[i]}, a time no row holds`).toBeGreaterThanOrEqual(0);
          expect(d.values[i]).toBe(values[row]);
        }
      }
      const seg = read(join(ds, 'anomalies.parquet'));
      const startTimes = [...seg.getChild('start_time')!].map((t) => new Date(Number(t)).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z'));
      expect(starts).toEqual(startTimes.slice(0, starts.length));
      expect(starts.length).toBe(seg.numRows);
    });

    it("names a row's time in UTC to the millisecond in a reader's other time zone", async () => {
      const ds = generated({ ...JITTERED, timeline: { ...JITTERED.timeline, rows: 3000 } }, []);
      const times = fileTimes(ds);
      const html = join(tempDir(), 'r.html');
      writePage(html, await datasetReport(ds));
      const ctx = await browser().newContext({ viewport: { width: 1200, height: 900 }, timezoneId: 'Asia/Kathmandu' });
      const page = await ctx.newPage();
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]');
      // Zoomed to a few rows, the cursor over the middle of the first chart shows its nearest row's time.
      await page.evaluate(() => (window as unknown as { paranomReport: { setView(a: number, b: number): void } }).paranomReport.setView(100, 110));
      const box = (await page.locator('.chart .u-over').first().boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const legend = await page.locator('.chart').first().locator('.u-legend .u-series').first().locator('.u-value').textContent();
      await ctx.close();
      const utc = times.slice(99, 112).map((t) => new Date(t).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z'));
      expect(utc).toContain(legend);
    });

    it('names the first and last rows in view, and their file times, on the range line', async () => {
      const ds = generated({ ...JITTERED, timeline: { ...JITTERED.timeline, rows: 3000 } }, []);
      const utc = fileTimes(ds).map((t) => new Date(t).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z'));
      const html = join(tempDir(), 'r.html');
      writePage(html, await datasetReport(ds));
      const page = await browser().newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]');
      const line = async () => (await page.locator('#range').textContent())!.split(' · ')[0];
      // Before: "rows 0–3,000 (3,000 rows, … → <the time of row 3,000>)", a row the dataset does not have.
      expect(await line()).toBe(`rows 0–2,999 (3,000 rows, ${utc[0]} → ${utc[2999]})`);
      await page.evaluate(() => (window as unknown as { paranomReport: { setView(a: number, b: number): void } }).paranomReport.setView(100.5, 110.5));
      expect(await line()).toBe(`rows 101–110 (10 rows, ${utc[101]} → ${utc[110]})`);
      await page.close();
    });

    it("a fleet entity's report draws at the fleet's clock", async () => {
      const fleet = { ...JITTERED, timeline: { ...JITTERED.timeline, rows: 4000 }, entities: { key: 'host', names: ['a', 'b', 'c'] } };
      const ds = generated(fleet, []);
      const times = fileTimes(ds, 'host', 'b');
      const r = await datasetReport(ds, { entity: 'b' });
      // Every row is in this page: the chart holds each of the entity's rows at its time.
      expect(r.allExact).toBe(true);
      const { views } = await drawnIn(r, [[100, 110]]);
      expect(views[0]!.ms).toEqual(times);
    });
  });
});
