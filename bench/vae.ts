/**
 * VAE decoding throughput: decoded windows/s and rows/s of a `vae` column with 1
 * and 2 workers, measured two ways in the same run:
 *
 *  - decode: worker threads each generate their half of the rows as columns (latent draws
 *    from the counter-based generator, batched plain-JS decoding, anomalous windows from
 *    the outlier band), no encoding or file IO. This is the decoding rate a VAE scenario
 *    gets; the target is ≥ 1M decoded rows/s with 2 workers.
 *  - generate: the whole `generate` API on a vae-only scenario to Parquet shards (piscina
 *    pool, snappy), i.e. what a user sees, file writing included.
 *
 * The model has the shape (latent 16 → 64 → 64 → window 64) with seeded random
 * weights written without TensorFlow: decoding cost depends on the shape, not on training.
 *
 *   node dist/bench/vae.js [--rows 4000000] [--window 64] [--latent 16] [--hidden 64,64]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generate } from '../src/run/generate.js';
import { generateShard } from '../src/generate/shard.js';
import { loadScenario } from '../src/reader/load.js';
import type { Scenario } from '../src/model/types.js';
import { prepareScenario } from '../src/variables/registry.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';

export interface VaeBenchOptions {
  rows?: number;
  window?: number;
  latent?: number;
  hidden?: readonly number[];
  workers?: readonly number[];
}

export interface VaeBenchResult {
  case: 'decode' | 'generate';
  workers: number;
  rows: number;
  windows: number;
  seconds: number;
  rowsPerSecond: number;
  windowsPerSecond: number;
}

interface WorkerJob {
  vaeBench: true;
  scenario: Scenario;
  from: number;
  to: number;
}

function scenarioYaml(modelDir: string, rows: number): string {
  return [
    'name: vae-bench',
    'seed: 1',
    `timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: ${rows} }`,
    'anomalies: { frequency: 0.01, duration: [64, 256] }',
    'variables:',
    `  load: { type: vae, model: ${JSON.stringify(modelDir)} }`,
    '',
  ].join('\n');
}

/** Runs one decode measurement: `workers` threads, each generating a contiguous part of the rows. */
async function decodeRun(scenario: Scenario, rows: number, workers: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const parts = Array.from({ length: workers }, (_, i) => [Math.floor((rows * i) / workers), Math.floor((rows * (i + 1)) / workers)] as const);
  const threads = parts.map(([from, to]) => new Worker(self, { workerData: { vaeBench: true, scenario, from, to } satisfies WorkerJob }));
  try {
    // Each worker loads its model and warms up, then waits for 'go': thread start-up is not timed.
    await Promise.all(threads.map((t) => new Promise<void>((res, rej) => { t.once('message', () => res()); t.once('error', rej); })));
    const t0 = performance.now();
    await Promise.all(threads.map((t) => new Promise<void>((res, rej) => { t.once('message', () => res()); t.once('error', rej); t.postMessage('go'); })));
    return (performance.now() - t0) / 1000;
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/** Measures decode and generate throughput with 1 and 2 workers (by default). */
export async function runVaeBench(o: VaeBenchOptions = {}): Promise<VaeBenchResult[]> {
  const rows = o.rows ?? 4_000_000;
  const window = o.window ?? 64;
  const dir = mkdtempSync(join(tmpdir(), 'paranom-vae-bench-'));
  try {
    const modelDir = join(dir, 'model');
    writeSyntheticModel(modelDir, { window, latent: o.latent ?? 16, hidden: o.hidden ?? [64, 64], seed: 1 });
    const file = join(dir, 'vae-bench.yaml');
    writeFileSync(file, scenarioYaml('model', rows));
    const scenario = loadScenario(file);
    const out: VaeBenchResult[] = [];
    const result = (c: VaeBenchResult['case'], workers: number, seconds: number): VaeBenchResult => ({
      case: c,
      workers,
      rows,
      windows: rows / window,
      seconds,
      rowsPerSecond: rows / seconds,
      windowsPerSecond: rows / window / seconds,
    });
    for (const w of o.workers ?? [1, 2]) out.push(result('decode', w, await decodeRun(scenario, rows, w)));
    for (const w of o.workers ?? [1, 2]) {
      const t0 = performance.now();
      await generate(scenario, { out: join(dir, `ds-${w}`), workers: w, shardRows: 1 << 20 });
      out.push(result('generate', w, (performance.now() - t0) / 1000));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatVaeBench(results: readonly VaeBenchResult[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = ['case       workers   seconds    windows/s        rows/s'];
  for (const r of results) lines.push(`${r.case.padEnd(10)} ${String(r.workers).padStart(7)}  ${r.seconds.toFixed(2).padStart(8)}  ${n(r.windowsPerSecond).padStart(11)}  ${n(r.rowsPerSecond).padStart(12)}`);
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function workerMain(job: WorkerJob): Promise<void> {
  await prepareScenario(job.scenario);
  generateShard(job.scenario, job.from, Math.min(job.to, job.from + 65536)); // warm-up: JIT and band tables
  parentPort!.postMessage('ready');
  parentPort!.once('message', () => {
    // Shard-sized pieces, as the pool would hand them out (memory stays bounded).
    for (let s = job.from; s < job.to; s += 1 << 20) generateShard(job.scenario, s, Math.min(job.to, s + (1 << 20)));
    parentPort!.postMessage('done');
  });
}

if (!isMainThread && (workerData as Partial<WorkerJob> | null)?.vaeBench) {
  await workerMain(workerData as WorkerJob);
} else if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = Number(arg('rows', '4000000'));
  const window = Number(arg('window', '64'));
  const latent = Number(arg('latent', '16'));
  const hidden = arg('hidden', '64,64').split(',').map(Number);
  const results = await runVaeBench({ rows, window, latent, hidden });
  console.log(`\nvae: latent ${latent} → ${hidden.join(' → ')} → window ${window}, ${rows.toLocaleString('en-US')} rows, 1% anomalous (outlier band)`);
  console.log(formatVaeBench(results));
  const d2 = results.find((r) => r.case === 'decode' && r.workers === 2);
  if (d2) console.log(`decode with 2 workers: ${(d2.rowsPerSecond / 1e6).toFixed(2)}M rows/s (target ≥ 1M)`);
}
