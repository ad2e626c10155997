/**
 * Which worker pool a command line is about to need, read from its raw arguments before
 * anything else loads (main.ts): `generate … --out` needs the shard pool; one worker when
 * `--rows` fits in one shard, else all of them (`--workers`, default: the cores). A guess
 * that is off costs little: the run creates the pool it needs and ends the other.
 *
 * A run whose pool starts with one worker (one shard, or `--workers 1`) also gets a head
 * start (run/head-start.ts): that worker generates the first shard while this thread loads
 * the command line. The options are read here only as far
 * as a simple command line states them; the worker's shard is used only if the run asks
 * for exactly it, so a misreading costs time, never bytes.
 */
import { DEFAULT_SHARD_ROWS } from '../format.js';
import { defaultWorkers, prestartPool } from '../run/pool.js';
export { poolsEnded } from '../run/pool.js';
import type { HeadStartTask } from '../run/head-start.js';
import { intOption, LIMITS } from './options.js';

/** The value of `--name V`, `--name=V` or `-alias V`; undefined when absent. */
function value(args: readonly string[], name: string, alias?: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}` || (alias && a === `-${alias}`)) return args[i + 1];
  }
  return undefined;
}

/** The pool `args` will need: workers and how many to start now; null when none. */
export function poolFor(args: readonly string[]): { workers: number; start: number } | null {
  if (args[0] !== 'generate' || !args.some((a) => a === '--out' || a.startsWith('--out='))) return null;
  if (args.some((a) => ['--dry-run', '--stdout', '--help', '-h', '--version'].includes(a.split('=')[0]!))) return null;
  const w = value(args, 'workers', 'w');
  const workers = w === undefined ? defaultWorkers() : Number(w);
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > 1024) return null;
  const rows = Number(value(args, 'rows'));
  const one = Number.isSafeInteger(rows) && rows > 0 && rows <= DEFAULT_SHARD_ROWS && value(args, 'shard-rows') === undefined;
  return { workers, start: one ? 1 : workers };
}

/** Options a head start understands; with any other option the command line gets none. */
const HEAD_START_OPTIONS = new Set(['--out', '-o', '--rows', '--seed', '--format', '--compression', '--workers', '-w', '--force', '--with-clean', '--verbose']);

/** The head start of a `generate … --out` command line whose pool starts with one worker, or null (see the module comment). */
export function headStartFor(args: readonly string[]): HeadStartTask | null {
  if (poolFor(args)?.start !== 1) return null;
  const scenario = args[1];
  if (scenario === undefined || scenario.startsWith('-')) return null;
  // Options and their values alternate after the scenario (or come as --name=value).
  for (let i = 2; i < args.length; i++) {
    const name = args[i]!.split('=')[0]!;
    if (!HEAD_START_OPTIONS.has(name)) return null;
    if (!args[i]!.includes('=') && !['--force', '--with-clean', '--verbose'].includes(name)) i++;
  }
  const format = value(args, 'format') ?? 'parquet';
  const compression = value(args, 'compression') ?? 'snappy';
  if ((format !== 'parquet' && format !== 'arrow' && format !== 'csv') || (compression !== 'snappy' && compression !== 'zstd' && compression !== 'none')) return null;
  try {
    const rows = intOption('rows', value(args, 'rows'), LIMITS.rows);
    const seed = intOption('seed', value(args, 'seed'), LIMITS.seed);
    return { type: 'head-start', scenario, rows, seed, withClean: args.includes('--with-clean'), format, compression };
  } catch {
    // A value the command line will refuse: the run says so, without a head start.
    return null;
  }
}

/** Starts the pool `args` will need (nothing when they need none), with a head start where one applies. */
export function prestartFor(args: readonly string[]): void {
  const p = poolFor(args);
  if (!p) return;
  const head = headStartFor(args);
  if (head) prestartPool(1, 1, head);
  else prestartPool(p.workers, p.start);
}
