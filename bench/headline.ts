/**
 * The headline comparison: the reference scenario run exactly as the README runs it
 * (`npx paranom generate scenarios/reference-13col.yaml --out … --rows N`, from the
 * repository root) against DuckDB `COPY (SELECT … random() …) TO 'x.parquet'` of the same
 * shape (bench/peers/duckdb-copy.ts), alternating paranom, DuckDB, paranom, … so
 * background load falls on both; medians of the runs, the ratio, and the target (≥ 3×).
 * Each case is a child process: its wall time includes start-up (npx's own included). At
 * the largest size (100M with `--full`) the peak RSS of the paranom process is sampled too.
 *
 * Also the scaling ratio W=2 / W=1 at the same sizes, paranom run with `node` directly,
 * W=1 and W=2 alternating, with the CPU seconds of each run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, runChild, runDuckdb, type ChildRun } from './end-to-end.js';
import { median } from './stats.js';

/** The repository root (from bench/ or dist/bench/). */
export const REPO = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url));
/** The reference scenario as the README names it, relative to the repository root. */
const SCENARIO = 'scenarios/reference-13col.yaml';
/** Doubles of the reference shape. */
const DOUBLES = 10;

export const HEADLINE_TARGET = 3;
export const SCALING_TARGET = 1.8;
/** Peak RSS bound at the largest size (MB of 2^20 bytes). */
export const RSS_TARGET_MB = 1024;

export interface HeadlineRow {
  rows: number;
  paranom: number[];
  duckdb: number[];
  /** Peak RSS of the paranom process at this size (sampled only when asked). */
  peakRssMb?: number;
  duckdbThreads: number;
  error?: string;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** `npx paranom generate …` as in the README, in `dir`; throws on a failed run. */
async function runNpx(rows: number, dir: string, tree: boolean): Promise<ChildRun> {
  const out = join(dir, 'npx-out');
  rmSync(out, { recursive: true, force: true });
  const run = await runChild('npx', ['paranom', 'generate', SCENARIO, '--out', out, '--rows', String(rows)], process.env, { cwd: REPO, tree });
  rmSync(out, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`npx paranom generate exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
  return run;
}

/** paranom against DuckDB at each size, `reps` alternating runs each. */
export async function runHeadline(sizes: readonly number[], reps: number, rssAt: readonly number[], log: (l: string) => void): Promise<HeadlineRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-headline-'));
  const out: HeadlineRow[] = [];
  try {
    // npx, the page cache and DuckDB's library warmed once, untimed.
    await runNpx(65_536, dir, false);
    await runDuckdb(65_536, DOUBLES, dir);
    for (const rows of sizes) {
      const row: HeadlineRow = { rows, paranom: [], duckdb: [], duckdbThreads: 0 };
      out.push(row);
      const tree = rssAt.includes(rows);
      try {
        for (let r = 0; r < reps; r++) {
          const p = await runNpx(rows, dir, tree);
          row.paranom.push(p.seconds);
          if (tree) row.peakRssMb = Math.max(row.peakRssMb ?? 0, p.peakRssMb);
          const d = await runDuckdb(rows, DOUBLES, dir);
          if (d) {
            row.duckdb.push(d.run.seconds);
            row.duckdbThreads = d.threads;
          }
          log(`  ${fmt(rows)} rows, run ${r + 1}/${reps}: paranom ${p.seconds.toFixed(2)} s${tree ? ` (peak RSS ${p.peakRssMb.toFixed(0)} MB)` : ''}, DuckDB ${d ? `${d.run.seconds.toFixed(2)} s` : 'not installed'} (load ${loadavg()[0]!.toFixed(2)})`);
        }
      } catch (e) {
        row.error = (e as Error).message;
        log(`  ${fmt(rows)} rows: ${row.error}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * The launcher's own time: `npx paranom --version` (npm's exec, Node's start, no
 * generation), alternated with `node dist/src/cli/main.js --version`, medians of `reps`.
 * Every headline run pays the first; it bounds the ratio any generator speed can reach.
 */
export async function runLauncher(reps: number): Promise<{ npx: number; node: number; reps: number }> {
  const npx: number[] = [];
  const node: number[] = [];
  for (let r = 0; r < reps; r++) {
    const a = await runChild('npx', ['paranom', '--version'], process.env, { cwd: REPO });
    if (a.status !== 0) throw new Error(`npx paranom --version exited ${a.status}`);
    npx.push(a.seconds);
    node.push((await runChild(process.execPath, [CLI, '--version'])).seconds);
  }
  return { npx: median(npx), node: median(node), reps };
}

/** What the launcher leaves of each size's 3× budget (DuckDB's median / 3). */
export function formatLauncher(l: { npx: number; node: number; reps: number }, rows: readonly HeadlineRow[]): string {
  const parts = rows.filter((r) => r.duckdb.length > 0).map((r) => {
    const d = median(r.duckdb);
    return `at ${fmt(r.rows)} rows 3× DuckDB is ${(d / HEADLINE_TARGET).toFixed(2)} s for the whole run, and npx's start alone allows at most ${(d / l.npx).toFixed(1)}×`;
  });
  return `\`npx paranom --version\` (npm's launcher and Node's start, nothing generated) takes ${l.npx.toFixed(2)} s, against ${l.node.toFixed(2)} s for \`node dist/src/cli/main.js --version\` (medians of ${l.reps}): ${parts.join('; ')}.`;
}

const met = (ok: boolean): string => (ok ? 'met' : 'not met');

/** The headline ratio of one size (NaN without both medians). */
export function headlineRatio(r: HeadlineRow): number {
  return median(r.duckdb) / median(r.paranom);
}

export function formatHeadline(rows: readonly HeadlineRow[]): string {
  const lines = ['| rows | paranom (`npx paranom generate`) | DuckDB COPY | paranom / DuckDB | target ≥ 3× |', '|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    if (r.paranom.length === 0 || r.duckdb.length === 0) {
      lines.push(`| ${fmt(r.rows)} | ${r.error ?? 'no runs'} | | | |`);
      continue;
    }
    const p = median(r.paranom);
    const d = median(r.duckdb);
    const ratio = d / p;
    const rss = r.peakRssMb !== undefined ? `, peak RSS ${r.peakRssMb.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB: ${met(r.peakRssMb < RSS_TARGET_MB)})` : '';
    lines.push(`| ${fmt(r.rows)} | ${p.toFixed(2)} s (${fmt(r.rows / p)} rows/s${rss}) | ${d.toFixed(2)} s (${fmt(r.rows / d)} rows/s, ${r.duckdbThreads} threads) | **${ratio.toFixed(2)}×** | ${met(ratio >= HEADLINE_TARGET)} |`);
  }
  return lines.join('\n');
}

export interface ScalingRow {
  rows: number;
  w1: ChildRun[];
  w2: ChildRun[];
}

/** W=1 and W=2 alternating, `reps` runs each, paranom run with `node` directly. */
export async function runScaling(sizes: readonly number[], reps: number, log: (l: string) => void): Promise<ScalingRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-scaling-'));
  const out: ScalingRow[] = [];
  const one = async (rows: number, workers: number): Promise<ChildRun> => {
    const o = join(dir, 'ds');
    rmSync(o, { recursive: true, force: true });
    const run = await runChild(process.execPath, [CLI, 'generate', join(REPO, SCENARIO), '--out', o, '--rows', String(rows), '--workers', String(workers)]);
    if (run.status !== 0) throw new Error(`paranom generate exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
    rmSync(o, { recursive: true, force: true });
    return run;
  };
  try {
    for (const rows of sizes) {
      const row: ScalingRow = { rows, w1: [], w2: [] };
      out.push(row);
      for (let r = 0; r < reps; r++) {
        row.w1.push(await one(rows, 1));
        row.w2.push(await one(rows, 2));
        log(`  ${fmt(rows)} rows, run ${r + 1}/${reps}: W=1 ${row.w1[r]!.seconds.toFixed(2)} s (${row.w1[r]!.cpuSeconds.toFixed(2)} CPU s), W=2 ${row.w2[r]!.seconds.toFixed(2)} s (${row.w2[r]!.cpuSeconds.toFixed(2)} CPU s) (load ${loadavg()[0]!.toFixed(2)})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function scalingRatio(r: ScalingRow): number {
  return median(r.w1.map((x) => x.seconds)) / median(r.w2.map((x) => x.seconds));
}

export function formatScaling(rows: readonly ScalingRow[]): string {
  // The CPU a second worker adds (its start, warm-up, first touch and the contention of two
  // isolates): what keeps W=2 from halving the wall time at these sizes.
  const lines = ['| rows | W=1 | W=2 | CPU added by the second worker | W=2 / W=1 | target ≥ 1.8 |', '|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) {
    const cpu = (runs: ChildRun[]) => median(runs.map((x) => x.cpuSeconds));
    const s = (runs: ChildRun[]) => `${median(runs.map((x) => x.seconds)).toFixed(2)} s, ${cpu(runs).toFixed(2)} CPU s`;
    const ratio = scalingRatio(r);
    lines.push(`| ${fmt(r.rows)} | ${s(r.w1)} | ${s(r.w2)} | ${(cpu(r.w2) - cpu(r.w1)).toFixed(2)} s | **${ratio.toFixed(2)}** | ${met(ratio >= SCALING_TARGET)} |`);
  }
  return lines.join('\n');
}
