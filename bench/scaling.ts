/**
 * Parallel scaling and memory of the whole engine: rows/s of the reference
 * scenario with W=1 and W=2 in the same run, and the peak RSS of runs of growing size
 * (each in its own process, so one run's heap does not inflate the next figure).
 *
 *   node dist/bench/scaling.js [--rows 4000000] [--rss-rows 10000000,100000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../src/run/generate.js';
import { runChild } from './end-to-end.js';

const REFERENCE = fileURLToPath(new URL('../../scenarios/reference-13col.yaml', import.meta.url));

export interface ScalingResult {
  workers: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  mbPerSecond: number;
}

export async function runScalingBench(rows: number, workers: readonly number[] = [1, 2]): Promise<ScalingResult[]> {
  const out: ScalingResult[] = [];
  for (const w of workers) {
    const dir = mkdtempSync(join(tmpdir(), 'paranom-scaling-'));
    try {
      const t0 = performance.now();
      const r = await generate(REFERENCE, { out: join(dir, 'ds'), rows, workers: w });
      const seconds = (performance.now() - t0) / 1000;
      const bytes = r.manifest.shards.reduce((a, s) => a + s.bytes, 0);
      out.push({ workers: w, rows, seconds, rowsPerSecond: rows / seconds, mbPerSecond: bytes / 1e6 / seconds });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/**
 * Peak RSS (MB) of a whole `paranom generate` process on the reference scenario: the
 * child's own VmHWM (worker threads included), sampled while it runs (bench/end-to-end.ts).
 */
export async function peakRssOfRun(rows: number, workers = 2): Promise<{ rows: number; peakRssMb: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-rss-'));
  try {
    const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
    const r = await runChild(process.execPath, [cli, 'generate', REFERENCE, '--out', join(dir, 'ds'), '--rows', String(rows), '--workers', String(workers)]);
    if (r.status !== 0) throw new Error(`generate exited ${r.status}: ${r.stderr}`);
    return { rows, peakRssMb: r.peakRssMb, seconds: r.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '4000000'));
  const results = await runScalingBench(rows);
  console.log(`\nscaling: reference-13col, ${rows.toLocaleString('en-US')} rows to Parquet`);
  console.log('workers   seconds     rows/s      MB/s');
  for (const r of results) console.log(`${String(r.workers).padStart(7)}  ${r.seconds.toFixed(2).padStart(8)}  ${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(10)}  ${r.mbPerSecond.toFixed(1).padStart(8)}`);
  const [w1, w2] = results;
  if (w1 && w2) console.log(`W=2 / W=1 = ${(w2.rowsPerSecond / w1.rowsPerSecond).toFixed(2)}× (target ≥ 1.8×)`);
  const rssRows = arg('rss-rows', '').split(',').filter(Boolean).map(Number);
  if (rssRows.length > 0) {
    console.log('\npeak RSS of a whole run (W=2):');
    for (const n of rssRows) {
      const r = await peakRssOfRun(n);
      console.log(`${n.toLocaleString('en-US').padStart(13)} rows  ${r.peakRssMb.toFixed(0).padStart(6)} MB peak RSS  (${r.seconds.toFixed(1)} s)`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
