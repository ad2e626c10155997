/**
 * Which worker pool a command line is about to need, read from its raw arguments before
 * anything else loads (main.ts): `generate … --out` needs the shard pool; one worker when
 * `--rows` fits in one shard, else all of them (`--workers`, default: the cores). A guess
 * that is off costs little: the run creates the pool it needs and ends the other.
 */
import { DEFAULT_SHARD_ROWS } from '../format.js';
import { defaultWorkers, prestartPool } from '../run/pool.js';

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

/** Starts the pool `args` will need (nothing when they need none). */
export function prestartFor(args: readonly string[]): void {
  const p = poolFor(args);
  if (p) prestartPool(p.workers, p.start);
}
