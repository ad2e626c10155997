/**
 * Splitting a plan over machines: `--part K/N` takes whole shards, contiguous and balanced
 * (part K of N gets shards ⌊(K−1)·S/N⌋ … ⌊K·S/N⌋ − 1). Bytes never depend on the split (D2).
 */
import { ParanomError } from '../errors.js';
import type { ShardPlan } from './planner.js';

/** Part K of N, K counted from 1. */
export interface Part {
  k: number;
  n: number;
}

export function parsePart(text: string): Part {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(k >= 1 && k <= n)) {
    throw new ParanomError('USAGE', `--part expects K/N with 1 <= K <= N (for example 2/4), got '${text}'`);
  }
  return { k, n };
}

/**
 * Environment variables that schedulers set for the index of one task of an array job,
 * and the value the first task gets. Checked in this order when `--parts N` is given
 * without `--part`.
 */
const INDEX_VARIABLES: ReadonlyArray<{ name: string; base: number | 'SLURM_ARRAY_TASK_MIN'; who: string }> = [
  { name: 'JOB_COMPLETION_INDEX', base: 0, who: 'Kubernetes Indexed Job' },
  { name: 'AWS_BATCH_JOB_ARRAY_INDEX', base: 0, who: 'AWS Batch array job' },
  { name: 'SLURM_ARRAY_TASK_ID', base: 'SLURM_ARRAY_TASK_MIN', who: 'Slurm job array' },
  { name: 'SGE_TASK_ID', base: 1, who: 'Grid Engine array job' },
  { name: 'LSB_JOBINDEX', base: 1, who: 'LSF job array' },
  { name: 'PBS_ARRAY_INDEX', base: 1, who: 'PBS job array' },
];

/** The part this process runs when the user gave `--parts N` (and no `--part`). */
export function partFromEnvironment(n: number, env: NodeJS.ProcessEnv = process.env): Part {
  if (!Number.isSafeInteger(n) || n < 1) throw new ParanomError('USAGE', `--parts must be a positive integer, got ${n}`);
  for (const v of INDEX_VARIABLES) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    const base = v.base === 'SLURM_ARRAY_TASK_MIN' ? Number(env['SLURM_ARRAY_TASK_MIN'] ?? 0) : v.base;
    const idx = Number(raw) - base;
    if (!Number.isSafeInteger(idx) || idx < 0 || idx >= n) {
      throw new ParanomError('USAGE', `${v.name}=${raw} (${v.who}) is not a task index from ${base} to ${base + n - 1} for --parts ${n}`);
    }
    return { k: idx + 1, n };
  }
  throw new ParanomError('USAGE', `--parts ${n} needs --part K/${n} or a task index in the environment (${INDEX_VARIABLES.map((v) => v.name).join(', ')})`);
}

/** The shards of part K of N. */
export function selectPart<T extends ShardPlan>(shards: readonly T[], part: Part): T[] {
  const from = Math.floor(((part.k - 1) * shards.length) / part.n);
  const to = Math.floor((part.k * shards.length) / part.n);
  return shards.slice(from, to);
}

export function partLabel(part: Part): string {
  const w = Math.max(5, String(part.n).length);
  return `part-${String(part.k).padStart(w, '0')}-of-${String(part.n).padStart(w, '0')}`;
}
