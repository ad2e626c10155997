/**
 * What `validate` checks beyond the scenario file: every module imports and exports what
 * the scenario names, and every file and model loads — in a worker under the watchdog, as
 * a run would, so a module that never finishes loading is reported instead of hanging.
 */
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { createPool, workerMemoryMb } from './pool.js';
import type { LoadTask, runLoadTask } from './shard-task.js';
import { newWatchBuffer, runWatched } from './watchdog.js';

export async function checkScenarioLoads(s: Scenario): Promise<void> {
  if (!s.variables.some((v) => v.type === 'callback' || v.type === 'source' || v.type === 'vae')) return;
  const pool = createPool(1);
  try {
    const watch = newWatchBuffer();
    const task: LoadTask = { type: 'load', scenario: s, watch };
    const r = await runWatched<Awaited<ReturnType<typeof runLoadTask>>>(pool, task, watch, s, workerMemoryMb());
    if (!r.ok) throw ParanomError.fromData(r.error);
  } finally {
    await pool.destroy().catch(() => undefined);
  }
}
