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
import { epochMs, threadSched, type PhaseTimes, type ShardSpan } from '../src/phases.js';
import { referenceScenario } from './end-to-end.js';
import { measureFirstTouch, type FirstTouch } from './first-touch.js';

export interface PhaseRun {
  workers: number;
  rows: number;
  wallMs: number;
  phases: PhaseTimes;
  /** Minor page faults of the whole process (workers included) during the run. */
  minorFaults: number;
  /** User + system CPU ms of the whole process during the run. */
  cpuMs: number;
  /** Each shard as its worker ran it. */
  spans: ShardSpan[];
  /** Run start and end (epoch ms, as the spans). */
  start: number;
  end: number;
  /** On-core ms of the main thread during the run (NaN where the OS does not say). */
  mainCpuMs: number;
}

export async function runPhases(rows: number, workers: readonly number[] = [1, 2]): Promise<PhaseRun[]> {
  const out: PhaseRun[] = [];
  for (const w of workers) {
    const dir = mkdtempSync(join(tmpdir(), 'paranom-phases-'));
    try {
      const before = process.resourceUsage();
      const main0 = threadSched().cpu;
      const start = epochMs();
      const r = await generate(referenceScenario(), { out: join(dir, 'ds'), rows, workers: w, phases: true });
      const end = epochMs();
      const mainCpuMs = threadSched().cpu - main0;
      const after = process.resourceUsage();
      const cpuMs = (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1000;
      out.push({ workers: w, rows, wallMs: end - start, phases: r.phases!, minorFaults: after.minorPageFault - before.minorPageFault, cpuMs, spans: r.spans!, start, end, mainCpuMs });
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
    ['write (open, filling the write ring, close, rename; waiting beyond the hash and the events: for a chunk of the ring, or for the previous shard\'s write to release it)', p.write],
    ['fsync (where the task waits for it; else it overlaps the next shard)', p.fsync],
    ['events starting in the shard, measured for the segment table (also while the write goes to the disk)', p.segments],
    ['other in the task (set-up)', other],
    ['whole shard tasks', p.shard],
  ];
}

/** The phases table; with `touch`, what the runs' page faults cost at this machine's price of one. */
export function formatPhases(runs: readonly PhaseRun[], touch?: FirstTouch): string {
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
  const sum = (r: PhaseRun, f: (s: ShardSpan) => number) => r.spans.reduce((a, s) => a + f(s), 0);
  extra('— worker threads on a core during shard tasks', (r) => perM(sum(r, (s) => s.cpu), r));
  extra('— main thread on a core (whole run)', (r) => perM(r.mainCpuMs, r));
  extra('— other threads (V8 compiler and GC, libuv), workers between tasks', (r) => perM(r.cpuMs - r.mainCpuMs - sum(r, (s) => s.cpu), r));
  extra('worker threads ready but waiting for a core during shard tasks', (r) => perM(sum(r, (s) => s.waited), r));
  extra('minor page faults per 1M rows', (r) => Math.round(r.minorFaults / (r.rows / 1e6)).toLocaleString('en-US'));
  if (touch) {
    // One worker faults alone; two fault at once, at the two-thread price.
    const price = (r: PhaseRun) => (r.workers > 1 ? touch.two : touch.one);
    extra(`— at this machine's cost of a first touch (${touch.one.toFixed(1)} µs a page on one thread, ${touch.two.toFixed(1)} µs each on two at once; bench/first-touch.ts), ms of CPU per 1M rows`, (r) => perM((r.minorFaults * price(r)) / 1000, r));
  }
  extra('wall', (r) => `${(r.wallMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

/**
 * The runs' timelines: when the first shard started, each worker's first shard against its
 * later ones (JIT warm-up, first touch of its buffers), the workers' idle time at the end
 * (one shard left for one worker), and the main thread's tail (segment table, manifest).
 */
export function formatTimeline(runs: readonly PhaseRun[]): string {
  const head = ['| timeline (ms) |', ...runs.map((r) => ` W=${r.workers} |`)].join('');
  const rule = ['|---|', ...runs.map(() => '---:|')].join('');
  const lines = [head, rule];
  const row = (label: string, f: (r: PhaseRun) => number) => lines.push(`| ${label} |${runs.map((r) => ` ${f(r).toFixed(0)} |`).join('')}`);
  const firsts = (spans: ShardSpan[]) => {
    const seen = new Set<number>();
    return spans.filter((s) => !seen.has(s.thread) && seen.add(s.thread));
  };
  const perM = (spans: ShardSpan[]) => (1e6 * spans.reduce((a, s) => a + s.end - s.start, 0)) / Math.max(1, spans.reduce((a, s) => a + s.rows, 0));
  const byStart = (r: PhaseRun) => [...r.spans].sort((a, b) => a.start - b.start);
  row('run start → first shard starts (planning, worker start-up)', (r) => Math.min(...r.spans.map((s) => s.start)) - r.start);
  row("each worker's first shard, ms per 1M rows", (r) => perM(firsts(byStart(r))));
  row('later shards, ms per 1M rows', (r) => {
    const f = new Set(firsts(byStart(r)));
    return perM(r.spans.filter((s) => !f.has(s)));
  });
  row('workers idle at the end while another finishes (summed)', (r) => {
    const last = Math.max(...r.spans.map((s) => s.end));
    const ends = new Map<number, number>();
    for (const s of r.spans) ends.set(s.thread, Math.max(ends.get(s.thread) ?? 0, s.end));
    return [...ends.values()].reduce((a, e) => a + last - e, 0);
  });
  row('last shard ends → run ends (segment table, manifest)', (r) => r.end - Math.max(...r.spans.map((s) => s.end)));
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = Number(arg('rows', '3000000'));
  console.log(`phases of the reference scenario, ${rows.toLocaleString('en-US')} rows (in this process)`);
  const runs = await runPhases(rows);
  console.log(formatPhases(runs, await measureFirstTouch()));
  console.log();
  console.log(formatTimeline(runs));
}
