/**
 * `paranom bench`: end-to-end throughput of a scenario to Parquet, beside the tools users
 * would pick instead, in the same run. Every case runs as its own child process, so its
 * wall time includes start-up and its peak RSS (VmHWM from /proc/<pid>/status, sampled
 * while it runs) is its own, worker threads included:
 *
 * - paranom generate, default workers (and W=1, for the scaling ratio);
 * - DuckDB `COPY (SELECT … random() …) TO '….parquet'` at its default thread count, the
 *   reference scenario's shape whatever the scenario (timestamp, PEER_DOUBLES doubles, a
 *   10-value category, a flag);
 * - a naive single-threaded generator: Math.random() into arrays, parquet-wasm with its
 *   default settings, one file per million rows.
 *
 * Cases run round-robin (paranom, peers, paranom, …) so background load spreads over all;
 * medians are reported with each ratio paranom/peer and the load average before and after.
 * DuckDB is a devDependency: without it that peer is skipped. The peers are programs of
 * their own in bench/peers/. `paranom bench` runs this file's main.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './stats.js';

/** The compiled CLI (from dist/bench, or from bench/ when run as TypeScript by the tests). */
export const CLI = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../src/cli/main.js' : '../dist/src/cli/main.js', import.meta.url));

/** Where the bundled reference scenario is (from bench/ or dist/bench/). */
export function referenceScenario(): string {
  const here = fileURLToPath(import.meta.url);
  const up = here.includes('/dist/bench/') ? '../../scenarios/reference-13col.yaml' : '../scenarios/reference-13col.yaml';
  return fileURLToPath(new URL(up, import.meta.url));
}

export interface ChildRun {
  status: number | null;
  seconds: number;
  /** Peak resident set (MB of 2^20 bytes), threads included: of the child, or with `tree` of its largest descendant. */
  peakRssMb: number;
  /** User + system CPU seconds of the child (its threads included), read as it exits; NaN when unknown. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of a process from /proc (clock ticks of 1/100 s on Linux). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The process and its descendants (a scan of /proc: npx runs paranom as a grandchild). */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

/**
 * Runs a command, sampling its VmHWM every 20 ms (the high-water mark only grows); with
 * `tree`, every 100 ms over the whole process tree, keeping the largest process's.
 */
export function runChild(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, o: { cwd?: string; tree?: boolean } = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env, ...(o.cwd ? { cwd: o.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let cpu = NaN;
    const sample = () => {
      if (child.pid === undefined) return;
      for (const pid of o.tree ? processTree(child.pid) : [child.pid]) peak = Math.max(peak, vmHwmKb(pid));
    };
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(sample, o.tree ? 100 : 20);
    // The last sample is taken when the child has closed its pipes, just before it exits.
    child.stdout.on('end', () => {
      sample();
      if (child.pid !== undefined) cpu = cpuOf(child.pid);
    });
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearInterval(timer);
      resolve({ status, seconds: (performance.now() - t0) / 1000, peakRssMb: peak / 1024, cpuSeconds: cpu, stdout, stderr });
    });
  });
}

/** Bytes of every file under `dir`. */
export function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

export interface BenchCase {
  name: string;
  /** Threads the case uses. */
  threads: number;
  rows: number;
  seconds: number[];
  peakRssMb: number[];
  bytes: number;
  error?: string;
}

export function caseRowsPerSecond(c: BenchCase): number {
  return c.rows / median(c.seconds);
}

/** One paranom generate run, in a fresh directory (never a resume). */
export async function runParanom(scenario: string, rows: number, workers: number | undefined, dir: string, extra: readonly string[] = []): Promise<{ run: ChildRun; bytes: number }> {
  const out = join(dir, 'paranom');
  rmSync(out, { recursive: true, force: true });
  const args = [CLI, 'generate', scenario, '--out', out, '--rows', String(rows), ...(workers ? ['--workers', String(workers)] : []), ...extra];
  const run = await runChild(process.execPath, args);
  if (run.status !== 0) throw new Error(`paranom generate exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
  const bytes = dirBytes(join(out, 'data'));
  rmSync(out, { recursive: true, force: true });
  return { run, bytes };
}

function resolveModule(name: string): string | null {
  try {
    return import.meta.resolve(name);
  } catch {
    return null;
  }
}

/** A peer program of bench/peers/, compiled beside this file. */
function peer(name: string): string {
  return fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? `./peers/${name}.js` : `../dist/bench/peers/${name}.js`, import.meta.url));
}

/** The DuckDB peer (bench/peers/duckdb-copy.ts); null when @duckdb/node-api is not installed. */
export async function runDuckdb(rows: number, doubles: number, dir: string): Promise<{ run: ChildRun; bytes: number; threads: number } | null> {
  if (!resolveModule('@duckdb/node-api')) return null;
  const path = join(dir, 'duckdb.parquet');
  rmSync(path, { force: true });
  const run = await runChild(process.execPath, [peer('duckdb-copy'), String(rows), String(doubles), path]);
  if (run.status !== 0) throw new Error(`duckdb peer exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
  const threads = (JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { threads?: number }).threads ?? 0;
  const bytes = statSync(path).size;
  rmSync(path, { force: true });
  return { run, bytes, threads };
}

/** The naive peer (bench/peers/naive.ts): Math.random() row by row, parquet-wasm defaults. */
export async function runNaive(rows: number, doubles: number, dir: string): Promise<{ run: ChildRun; bytes: number }> {
  const out = join(dir, 'naive');
  rmSync(out, { recursive: true, force: true });
  const run = await runChild(process.execPath, [peer('naive'), String(rows), String(doubles), out]);
  if (run.status !== 0) throw new Error(`naive peer exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const bytes = dirBytes(out);
  rmSync(out, { recursive: true, force: true });
  return { run, bytes };
}

export interface EndToEndOptions {
  scenario?: string;
  rows?: number;
  /** Rows for the naive peer (it is slow; its rate does not depend on the size). */
  naiveRows?: number;
  reps?: number;
  /** paranom's worker count (default: available cores). */
  workers?: number;
  /** Also run paranom with one worker (the scaling ratio). */
  single?: boolean;
  peers?: boolean;
  log?: (line: string) => void;
}

export interface EndToEndResult {
  cases: BenchCase[];
  loadBefore: number;
  loadAfter: number;
  scenario: string;
}

/** Doubles in the reference shape (the DuckDB and naive peers write as many). */
const PEER_DOUBLES = 10;

export async function runEndToEnd(o: EndToEndOptions = {}): Promise<EndToEndResult> {
  const scenario = o.scenario ?? referenceScenario();
  const rows = o.rows ?? 10_000_000;
  const reps = o.reps ?? 3;
  const workers = o.workers ?? availableParallelism();
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-bench-'));
  const mk = (name: string, threads: number, n: number): BenchCase => ({ name, threads, rows: n, seconds: [], peakRssMb: [], bytes: 0 });
  const main = mk(`paranom generate (W=${workers}${o.workers ? '' : ', default'})`, workers, rows);
  const single = o.single !== false && workers !== 1 ? mk('paranom generate (W=1)', 1, rows) : null;
  const duck = o.peers !== false ? mk('DuckDB COPY random() (default threads)', 0, rows) : null;
  const naive = o.peers !== false ? mk('naive Math.random + parquet-wasm', 1, o.naiveRows ?? Math.min(rows, 2_000_000)) : null;
  const loadBefore = loadavg()[0]!;
  const record = (c: BenchCase, r: { run: ChildRun; bytes: number }) => {
    c.seconds.push(r.run.seconds);
    c.peakRssMb.push(r.run.peakRssMb);
    c.bytes = r.bytes;
    log(`  ${c.name}: ${r.run.seconds.toFixed(2)} s, ${Math.round(c.rows / r.run.seconds).toLocaleString('en-US')} rows/s, peak RSS ${r.run.peakRssMb.toFixed(0)} MB`);
  };
  const attempt = async (c: BenchCase | null, f: () => Promise<{ run: ChildRun; bytes: number } | null>) => {
    if (!c || c.error) return;
    try {
      const r = await f();
      if (r) record(c, r);
      else c.error = 'not installed';
    } catch (e) {
      c.error = (e as Error).message;
      log(`  ${c.name}: ${c.error}`);
    }
  };
  try {
    // Warm the page cache and the JIT caches of each program once, untimed.
    await runParanom(scenario, Math.min(rows, 1_000_000), workers, dir).catch(() => undefined);
    for (let rep = 1; rep <= reps; rep++) {
      log(`round ${rep}/${reps} (load ${loadavg()[0]!.toFixed(2)})`);
      await attempt(main, () => runParanom(scenario, rows, o.workers, dir));
      await attempt(duck, async () => {
        const r = await runDuckdb(rows, PEER_DOUBLES, dir);
        if (r && duck) duck.threads = r.threads;
        return r;
      });
      if (single) await attempt(single, () => runParanom(scenario, rows, 1, dir));
      if (rep === 1) await attempt(naive, () => runNaive(naive!.rows, PEER_DOUBLES, dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cases = [main, single, duck, naive].filter((c): c is BenchCase => c !== null);
  return { cases, loadBefore, loadAfter: loadavg()[0]!, scenario };
}

/** A text table: rows/s, MB/s, peak RSS, and the ratio of the first case to each other. */
export function formatEndToEnd(r: EndToEndResult): string {
  const head = ['case', 'thr', 'rows', 'rows/s', 'MB/s', 'peak RSS MB', 'runs', 'paranom/peer'];
  const base = r.cases[0] ? caseRowsPerSecond(r.cases[0]) : NaN;
  const body = r.cases.map((c, i) => {
    if (c.seconds.length === 0) return [c.name, '-', '-', '-', '-', '-', '0', c.error ?? 'skipped'];
    const rps = caseRowsPerSecond(c);
    return [
      c.name,
      c.threads ? String(c.threads) : '?',
      c.rows.toLocaleString('en-US'),
      Math.round(rps).toLocaleString('en-US'),
      (c.bytes / 1e6 / median(c.seconds)).toFixed(1),
      Math.max(...c.peakRssMb).toFixed(0),
      String(c.seconds.length),
      i === 0 ? '-' : `${(base / rps).toFixed(2)}x`,
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

export function endToEndNotes(r: EndToEndResult): string {
  const [main, single] = r.cases;
  const lines = [
    `Wall time of each child process (start-up included), median of the runs; MB/s = output bytes (1e6) per second; peak RSS = max VmHWM of the process.`,
    `Load average (1 min): ${r.loadBefore.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after${r.loadBefore > 0.5 || r.loadAfter > 2.5 ? ' — the machine was busy; figures are noisy' : ''}.`,
  ];
  if (main && single && single.name.includes('W=1') && single.seconds.length && main.seconds.length) {
    lines.push(`Scaling: W=${main.threads} / W=1 = ${(caseRowsPerSecond(main) / caseRowsPerSecond(single)).toFixed(2)}x.`);
  }
  return lines.join('\n');
}

/** `node dist/bench/end-to-end.js [scenario] [--rows N] [--reps N] [--workers N] [--no-peers]` (what `paranom bench` runs). */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rows: { type: 'string' }, reps: { type: 'string' }, workers: { type: 'string' }, 'no-peers': { type: 'boolean' } },
  });
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) {
      process.stderr.write(`bench: --${name} must be a positive integer, got '${v}'\n`);
      process.exit(2);
    }
    return n;
  };
  const rows = int('rows', values.rows);
  const reps = int('reps', values.reps);
  const workers = int('workers', values.workers);
  const r = await runEndToEnd({
    ...(positionals[0] ? { scenario: positionals[0] } : {}),
    ...(rows ? { rows } : {}),
    ...(reps ? { reps } : {}),
    ...(workers ? { workers } : {}),
    peers: !values['no-peers'],
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`\nend to end: ${r.scenario} → Parquet\n${formatEndToEnd(r)}\n${endToEndNotes(r)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
