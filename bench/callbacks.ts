/**
 * Callback variables against stochastic ones: the same scenario — a temperature
 * that is N(20, 2) on normal rows and U(40, 60) inside anomalies, beside a lognormal
 * pressure and a state category — once with the temperature as a JS callback and once as
 * a stochastic variable, generated end to end (W workers, Parquet shards), in the same run.
 * Also the generation step alone (one thread, no encoding), where the callback's share of
 * the work is largest.
 *
 *   node dist/bench/callbacks.js [--rows 10000000] [--workers 2]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../src/reader/load.js';
import { generate } from '../src/run/generate.js';
import { generateShard } from '../src/generate/shard.js';
import { prepareScenario } from '../src/variables/registry.js';
import type { Scenario } from '../src/model/types.js';

const MODULE = `// The temperature as callbacks: the same distributions as the stochastic variant.
export function temperature(ctx) {
  return ctx.random.normal(20, 2);
}
export function overheated(ctx) {
  return 40 + 20 * ctx.random.uniform();
}
`;

function scenario(dir: string, callback: boolean): Scenario {
  const temperature = callback
    ? '{ type: callback, module: temperature.js, normal: temperature, anomalous: overheated }'
    : '{ normal: { dist: normal, mean: 20, sd: 2 }, anomalous: { dist: uniform, min: 40, max: 60 } }';
  const text = `name: bench-callbacks
seed: 42
timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 1000 }
anomalies: { frequency: 0.01, duration: [20, 200] }
variables:
  temperature: ${temperature}
  pressure: { dtype: float32, normal: { dist: lognormal, mu: 1.0, sigma: 0.1 }, anomalous: { dist: lognormal, mu: 1.6, sigma: 0.3 } }
  state: { normal: { dist: categorical, values: [idle, run, stop], weights: [0.2, 0.7, 0.1] }, anomalous: { dist: categorical, values: [fault] } }
`;
  return parseScenario(text, join(dir, 'bench.yaml'));
}

export interface CallbackBenchResult {
  variant: 'callback' | 'stochastic';
  rows: number;
  workers: number;
  seconds: number;
  rowsPerSecond: number;
  /** Generation alone on one thread (no encoding, no files), rows/s. */
  generateOnlyRowsPerSecond: number;
}

async function generateOnly(s: Scenario, rows: number): Promise<number> {
  await prepareScenario(s);
  const big = { ...s, timeline: { ...s.timeline, rows } };
  const shard = 524_288;
  generateShard(big, 0, shard); // warm-up
  const t0 = performance.now();
  for (let start = 0; start < rows; start += shard) generateShard(big, start, Math.min(rows, start + shard));
  return rows / ((performance.now() - t0) / 1000);
}

export async function runCallbackBench(rows: number, workers: number): Promise<CallbackBenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-callbacks-'));
  writeFileSync(join(dir, 'temperature.js'), MODULE);
  const out: CallbackBenchResult[] = [];
  try {
    for (const variant of ['callback', 'stochastic'] as const) {
      const s = scenario(dir, variant === 'callback');
      const t0 = performance.now();
      await generate(s, { out: join(dir, variant), rows, workers });
      const seconds = (performance.now() - t0) / 1000;
      rmSync(join(dir, variant), { recursive: true, force: true });
      const generateOnlyRowsPerSecond = await generateOnly(s, Math.min(rows, 4_194_304));
      out.push({ variant, rows, workers, seconds, rowsPerSecond: rows / seconds, generateOnlyRowsPerSecond });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = arg('rows', 10_000_000);
  const workers = arg('workers', 2);
  const [cb, st] = await runCallbackBench(rows, workers);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  for (const r of [cb!, st!]) {
    console.log(`${r.variant.padEnd(10)}  ${fmt(r.rows)} rows, W=${r.workers}: ${r.seconds.toFixed(2)} s, ${fmt(r.rowsPerSecond)} rows/s end to end; generation alone ${fmt(r.generateOnlyRowsPerSecond)} rows/s`);
  }
  console.log(`callback / stochastic: ${(cb!.rowsPerSecond / st!.rowsPerSecond).toFixed(3)} end to end, ${(cb!.generateOnlyRowsPerSecond / st!.generateOnlyRowsPerSecond).toFixed(3)} generation alone`);
}
