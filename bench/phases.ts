/**
 * Where a shard's time goes, measured inside the workers (src/phases.ts, switched on with
 * `generate(…, { phases: true })`): the reference scenario in this process with W=1 and
 * W=2, each phase in ms per million rows (summed over the workers) and its share of the
 * shard. A phase slower with two workers than with one points at shared resources (memory
 * bandwidth, the page cache); workers' time outside shards is the serial part (start-up,
 * the main thread between shards, the segment table at the end).
 *
 *   node dist/bench/phases.js [--rows 3000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../src/run/generate.js';
import type { PhaseTimes } from '../src/phases.js';
import { referenceScenario } from './end-to-end.js';

export interface PhaseRun {
  workers: number;
  rows: number;
  wallMs: number;
  phases: PhaseTimes;
  /** Minor page faults of the whole process (workers included) during the run. */
  minorFaults: number;
  /** User + system CPU ms of the whole process during the run. */
  cpuMs: number;
}

export async function runPhases(rows: number, workers: readonly number[] = [1, 2]): Promise<PhaseRun[]> {
  const out: PhaseRun[] = [];
  for (const w of workers) {
    const dir = mkdtempSync(join(tmpdir(), 'paranom-phases-'));
    try {
      const before = process.resourceUsage();
      const t0 = performance.now();
      const r = await generate(referenceScenario(), { out: join(dir, 'ds'), rows, workers: w, phases: true });
      const wallMs = performance.now() - t0;
      const after = process.resourceUsage();
      const cpuMs = (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1000;
      out.push({ workers: w, rows, wallMs, phases: r.phases!, minorFaults: after.minorPageFault - before.minorPageFault, cpuMs });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** The breakdown's rows: label and ms of one run. */
function breakdown(p: PhaseTimes): [string, number][] {
  const other = p.shard - p.generate - p.encode - p.sha256 - p.write - p.fsync - p.segments;
  return [
    ['PRNG (Philox, WebAssembly)', p.prng],
    ['kernels, labels, events (generate − PRNG)', p.generate - p.prng],
    ['encoding (Arrow table, pages, footer, copy)', p.encode - p.compress],
    ['compression (snappy, sampled per chunk)', p.compress],
    ['SHA-256 (while the direct write goes to the disk)', p.sha256],
    ['write (open, write, close, rename; waiting beyond the hash)', p.write],
    ['fsync', p.fsync],
    ['events starting in the shard, measured for the segment table', p.segments],
    ['other in the task (set-up)', other],
    ['whole shard tasks', p.shard],
  ];
}

export function formatPhases(runs: readonly PhaseRun[]): string {
  const perM = (ms: number, r: PhaseRun) => (ms / (r.rows / 1e6)).toFixed(1);
  const head = ['| phase (inside the workers) |', ...runs.map((r) => ` W=${r.workers}: ms per 1M rows | share |`)].join('');
  const rule = ['|---|', ...runs.map(() => '---:|---:|')].join('');
  const cols = runs.map((r) => breakdown(r.phases));
  const lines = [head, rule];
  cols[0]!.forEach(([label], i) => {
    lines.push(`| ${label} |${cols.map((c, j) => ` ${perM(c[i]![1], runs[j]!)} | ${((100 * c[i]![1]) / runs[j]!.phases.shard).toFixed(0)}% |`).join('')}`);
  });
  const extra = (label: string, f: (r: PhaseRun) => string) => lines.push(`| ${label} |${runs.map((r) => ` ${f(r)} | |`).join('')}`);
  extra('outside shard tasks (workers × wall − shard tasks)', (r) => perM(r.workers * r.wallMs - r.phases.shard, r));
  extra('process CPU (user + sys) per 1M rows', (r) => perM(r.cpuMs, r));
  extra('minor page faults per 1M rows', (r) => Math.round(r.minorFaults / (r.rows / 1e6)).toLocaleString('en-US'));
  extra('wall', (r) => `${(r.wallMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = Number(arg('rows', '3000000'));
  console.log(`phases of the reference scenario, ${rows.toLocaleString('en-US')} rows (in this process)`);
  console.log(formatPhases(await runPhases(rows)));
}
