/**
 * A dataset with more events than a page lists: the events past the listed ones are shaded
 * by overview bucket, so the timeline past the last listed event does not look clear of
 * anomalies (before, a million-row timeline of 100,031 events showed its first fifth shaded
 * and the rest clear).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetReport } from '../src/report/dataset.js';
import { writePage } from '../src/report/page.js';
import { tempDir } from './helpers.js';
import { ensureChromium, launch } from './browser.js';

const CLI = 'dist/src/cli/main.js';
const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const DOC = {
  name: 'many-events',
  seed: 4,
  timeline: { rows: 20_000 },
  anomalies: { frequency: 0.1, duration: [2, 6] },
  variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 6, sd: 1 } } },
};
const LISTED = 50;

async function report() {
  const dir = tempDir();
  writeFileSync(join(dir, 's.json'), JSON.stringify(DOC));
  const g = spawnSync(process.execPath, [CLI, 'generate', join(dir, 's.json'), '--out', join(dir, 'ds'), '--workers', '1'], { encoding: 'utf8' });
  expect(g.status, g.stderr).toBe(0);
  const seg = tableFromIPC(pw.readParquet(readFileSync(join(dir, 'ds', 'anomalies.parquet'))).intoIPCStream());
  const r = await datasetReport(join(dir, 'ds'), { limits: { maxEvents: LISTED, buckets: 400 } });
  return { dir: join(dir, 'ds'), r, starts: [...seg.getChild('start_row')!].map(Number), ends: [...seg.getChild('end_row')!].map(Number) };
}

const rowsOf = (b64: string) => {
  const buf = Buffer.from(b64, 'base64');
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
};

describe('events past those a page lists', () => {
  it("are counted by bucket: every unlisted event's rows, and no listed event's", async () => {
    const { r, starts, ends } = await report();
    expect(starts.length).toBeGreaterThan(LISTED * 4);
    expect(r.events.length).toBe(LISTED);
    const per = rowsOf(r.unlisted!.rows);
    expect(per.length).toBe(400);
    let expected = 0;
    for (let i = LISTED; i < starts.length; i++) expected += ends[i]! - starts[i]! + 1;
    expect(per.reduce((a, b) => a + b, 0)).toBeCloseTo(expected, 6);
    const bucketRows = r.time.rows / 400;
    for (let i = LISTED; i < starts.length; i++) expect(per[Math.floor(starts[i]! / bucketRows)], `event ${i}`).toBeGreaterThan(0);
    // Buckets wholly before the first unlisted event hold nothing.
    for (let k = 0; k < Math.floor(starts[LISTED]! / bucketRows); k++) expect(per[k]).toBe(0);
  });

  it('are none when every event is listed', async () => {
    const { dir, starts } = await report();
    const all = await datasetReport(dir);
    expect(all.events.length).toBe(starts.length);
    expect(all.unlisted).toBeNull();
  });

  const chromium = ensureChromium();
  it.skipIf('skip' in chromium)('are marked on the charts: the strip along the top is drawn at the last unlisted event', async () => {
    const { r, starts } = await report();
    const html = join(tempDir(), 'r.html');
    writePage(html, r);
    const browser = await launch('path' in chromium ? chromium.path : '');
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('body[data-ready="true"]');
      const last = starts[starts.length - 1]!;
      const ink = await page.evaluate((row) => {
        const box = document.querySelector('.chart')!;
        const c = box.querySelector('canvas')!;
        const over = box.querySelector('.u-over')!.getBoundingClientRect();
        const cr = c.getBoundingClientRect();
        const k = c.width / cr.width;
        const rows = (window as unknown as { paranomReport: { view(): { from: number; to: number } } }).paranomReport.view();
        const x = Math.round((over.left - cr.left + ((row + 0.5 - rows.from) / (rows.to - rows.from)) * over.width) * k);
        const y = Math.round((over.top - cr.top) * k) + 2;
        const d = c.getContext('2d')!.getImageData(x, y, 1, 1).data;
        return [d[0], d[1], d[2], d[3]];
      }, last);
      expect(ink).toEqual([0x55, 0x55, 0x55, 255]);
    } finally {
      await browser.close();
    }
  });
});
