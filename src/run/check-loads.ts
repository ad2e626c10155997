/**
 * What `validate` checks beyond the scenario file: every module imports and exports what
 * the scenario names, every file and model loads, and every callback runs on a few rows
 * (dry-run.ts) — in a worker under the watchdog, as a run would, so a module that never
 * finishes loading, or a callback that never returns, is reported instead of hanging.
 */
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { dryRunRanges, dryRunScenario } from './dry-run.js';
import { createPool, workerMemoryMb } from './pool.js';
import type { LoadTask, runLoadTask } from './shard-task.js';
import { newWatchBuffer, runWatched } from './watchdog.js';
import { sourceShares } from '../variables/source-share.js';

export async function checkScenarioLoads(s: Scenario): Promise<void> {
  if (!s.variables.some((v) => v.type === 'callback' || v.type === 'source' || v.type === 'vae')) return;
  const pool = createPool(1);
  try {
    const watch = newWatchBuffer();
    const task: LoadTask = { type: 'load', scenario: s, watch, sources: sourceShares(s) };
    const r = await runWatched<Awaited<ReturnType<typeof runLoadTask>>>(pool, task, watch, s, workerMemoryMb());
    if (!r.ok) throw ParanomError.fromData(r.error, `dry run of the callbacks on rows ${dryRunRanges(dryRunScenario(s)).map(([a, b]) => `${a}–${b - 1}`).join(' and ')}${s.entities ? ' of the first entity' : ''}`);
  } finally {
    await pool.destroy().catch(() => undefined);
  }
}
