/**
 * Fleets against one series of the same size, in the same run: `paranom generate` of a
 * fleet of E entities × R rows (5 columns: timestamp, the key, three variables, plus the
 * labels) and of the same scenario without `entities:` over E·R rows, alternating, each a
 * child process whose peak RSS (VmHWM, worker threads included) and CPU time are its own.
 * The target: the fleet's throughput at least 90% of the single series', and its peak RSS
 * under 1 GiB. CPU-seconds are printed beside the wall time: on a machine shared with other
 * work they move less than the wall time does.
 *
 * `--split` adds where each run's CPU time goes (in this process, `generate(…, { phases:
 * true })`): the main thread, the worker threads inside their shard tasks, and the rest —
 * V8's background threads (optimizing compilation, GC) and the workers outside tasks. A
 * fleet runs per-entity code (an entity's scenario, events and compiled variables) hot
 * enough for every worker to optimize it: that compilation shows in the rest.
 *
 *   node dist/bench/fleet.js [--entities 10000] [--rows 1000] [--reps 1] [--workers N] [--order entity_time] [--split]
 *
 * The default size is 10⁷ rows (10,000 entities × 1,000 rows: per-entity costs weigh most
 * on short timelines); the issue's size is `--entities 10000 --rows 100000` (10⁹ rows).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, runChild } from './end-to-end.js';
import { median } from './stats.js';
import { generate } from '../src/run/generate.js';
import { parseScenario } from '../src/reader/load.js';
import { threadSched } from '../src/phases.js';

/** The fleet scenario; `single` drops `entities:` and per-entity parameters for the same rows as one series. */
export function fleetBenchScenario(entities: number, rows: number, order: string, single: boolean): string {
  return [
    'name: fleet-bench',
    'seed: 1',
    `timeline: { start: "2024-01-01T00:00:00Z", step: 1m, rows: ${single ? entities * rows : rows} }`,
    single ? '' : `entities: { count: ${entities}, key: machine, order: ${order} }`,
    'anomalies: { frequency: 0.002, duration: [10, 50], kinds: [{ kind: spike, magnitude: [10, 20], variables: [cpu] }, { kind: level_shift, shift: [5, 10] }] }',
    'variables:',
    `  cpu: { type: process, components: [{ type: constant, value: ${single ? 40 : '{ per_entity: { dist: normal, mean: 40, sd: 5 } }'} }, { type: sine, period: 1d, amplitude: 10 }, { type: noise, sd: 2 }] }`,
    '  memory: { normal: { dist: normal, mean: 60, sd: 5 } }',
    '  disk: { normal: { dist: uniform, min: 0, max: 100 } }',
    '',
  ].join('\n');
}

export interface FleetBenchCase {
  label: 'fleet' | 'single series';
  rows: number;
  seconds: number[];
  /** User + system CPU seconds of the whole process (workers included). */
  cpuSeconds: number[];
  peakRssMb: number[];
  bytes: number[];
}

export interface FleetBenchResult {
  entities: number;
  rowsPerEntity: number;
  cases: [FleetBenchCase, FleetBenchCase];
  loads: number[];
}

export async function runFleetBench(o: { entities: number; rows: number; reps: number; workers?: number | undefined; order?: string }): Promise<FleetBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-fleet-bench-'));
  const total = o.entities * o.rows;
  const cases: [FleetBenchCase, FleetBenchCase] = [
    { label: 'fleet', rows: total, seconds: [], cpuSeconds: [], peakRssMb: [], bytes: [] },
    { label: 'single series', rows: total, seconds: [], cpuSeconds: [], peakRssMb: [], bytes: [] },
  ];
  const loads = [loadavg()[0]!];
  try {
    const files = cases.map((c, i) => {
      const f = join(dir, `${i}.yaml`);
      writeFileSync(f, fleetBenchScenario(o.entities, o.rows, o.order ?? 'entity_time', c.label !== 'fleet'));
      return f;
    });
    for (let rep = 0; rep < o.reps; rep++) {
      for (let i = 0; i < cases.length; i++) {
        const out = join(dir, 'out');
        const r = await runChild(process.execPath, [CLI, 'generate', files[i]!, '--out', out, ...(o.workers ? ['--workers', String(o.workers)] : [])]);
        if (r.status !== 0) throw new Error(`${cases[i]!.label}: generate exited ${r.status}: ${r.stderr}`);
        const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { rows: number; shards: Array<{ bytes: number }> };
        if (m.rows !== total) throw new Error(`${cases[i]!.label}: wrote ${m.rows} rows, expected ${total}`);
        cases[i]!.seconds.push(r.seconds);
        cases[i]!.cpuSeconds.push(r.cpuSeconds);
        cases[i]!.peakRssMb.push(r.peakRssMb);
        cases[i]!.bytes.push(m.shards.reduce((a, s) => a + s.bytes, 0));
        rmSync(out, { recursive: true, force: true });
        loads.push(loadavg()[0]!);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { entities: o.entities, rowsPerEntity: o.rows, cases, loads };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** A Markdown table of the result, with the ratio against the targets. */
export function formatFleetBench(r: FleetBenchResult): string {
  const [fleet, single] = r.cases;
  const rate = (c: FleetBenchCase) => c.rows / median(c.seconds);
  const lines = ['| run | rows | wall (median) | rows/s | CPU (median) | peak RSS | output |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const c of r.cases) lines.push(`| ${c.label === 'fleet' ? `fleet: ${fmt(r.entities)} entities × ${fmt(r.rowsPerEntity)} rows` : 'single series, same scenario'} | ${fmt(c.rows)} | ${median(c.seconds).toFixed(1)} s | ${fmt(rate(c))} | ${median(c.cpuSeconds).toFixed(2)} s | ${Math.max(...c.peakRssMb).toFixed(0)} MB | ${(median(c.bytes) / 2 ** 20).toFixed(0)} MB |`);
  const ratio = rate(fleet) / rate(single);
  const cpuRatio = median(single.cpuSeconds) / median(fleet.cpuSeconds);
  const rss = Math.max(...fleet.peakRssMb);
  lines.push('', `fleet / single-series throughput: ${(100 * ratio).toFixed(1)}% (target ≥ 90%: ${ratio >= 0.9 ? 'met' : 'not met'}); by CPU-seconds ${(100 * cpuRatio).toFixed(1)}%; fleet peak RSS ${rss.toFixed(0)} MB (target < 1024 MB: ${rss < 1024 ? 'met' : 'not met'}); load average ${Math.min(...r.loads).toFixed(1)}–${Math.max(...r.loads).toFixed(1)} during the run.`);
  return lines.join('\n');
}

/** Where one run's CPU time went, in ms (see the file's comment). */
export interface CpuSplit {
  label: FleetBenchCase['label'];
  process: number;
  main: number;
  shardTasks: number;
  rest: number;
}

/** Each scenario generated once in this process with phases on: its CPU time by thread. */
export async function runCpuSplit(o: { entities: number; rows: number; workers?: number | undefined; order?: string }): Promise<CpuSplit[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-fleet-split-'));
  const out: CpuSplit[] = [];
  try {
    for (const label of ['fleet', 'single series'] as const) {
      const scenario = parseScenario(fleetBenchScenario(o.entities, o.rows, o.order ?? 'entity_time', label !== 'fleet'));
      const before = process.cpuUsage();
      const main0 = threadSched().cpu;
      const r = await generate(scenario, { out: join(dir, label === 'fleet' ? 'f' : 's'), phases: true, ...(o.workers ? { workers: o.workers } : {}) });
      const main = threadSched().cpu - main0;
      const used = process.cpuUsage(before);
      const cpu = (used.user + used.system) / 1000;
      const shardTasks = r.spans!.reduce((a, s) => a + s.cpu, 0);
      out.push({ label, process: cpu, main, shardTasks, rest: cpu - main - shardTasks });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function formatCpuSplit(runs: readonly CpuSplit[]): string {
  const lines = ['| run | process CPU | main thread | workers in shard tasks | rest (V8 background threads, workers outside tasks) |', '|---|---:|---:|---:|---:|'];
  for (const r of runs) lines.push(`| ${r.label} | ${r.process.toFixed(0)} ms | ${r.main.toFixed(0)} ms | ${r.shardTasks.toFixed(0)} ms | ${r.rest.toFixed(0)} ms |`);
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entities = Number(arg('entities', '10000'));
  const rows = Number(arg('rows', '1000'));
  const workers = arg('workers', '');
  console.log(`fleet bench: ${fmt(entities)} entities × ${fmt(rows)} rows = ${fmt(entities * rows)} rows, against one series of as many rows; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const r = await runFleetBench({ entities, rows, reps: Number(arg('reps', '1')), workers: workers ? Number(workers) : undefined, order: arg('order', 'entity_time') });
  console.log(formatFleetBench(r));
  if (process.argv.includes('--split')) {
    console.log(`\nCPU time by thread (in this process; load average ${loadavg()[0]!.toFixed(2)}):`);
    console.log(formatCpuSplit(await runCpuSplit({ entities, rows, workers: workers ? Number(workers) : undefined, order: arg('order', 'entity_time') })));
  }
}
