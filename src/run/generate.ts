/**
 * `generate`: scenario → plan → shard tasks on the worker pool → segment table →
 * manifest. The main thread only plans, tracks progress and writes the dataset-wide
 * files; the manifest comes last, so a directory without one is an unfinished run, which
 * the same command resumes (shards whose bytes match the journal are kept). This file
 * resolves the scenario, surveys the directory (survey.ts) and owns the pool's life; the
 * run itself is run-plan.ts.
 */
import type { Scenario } from '../model/types.js';
import { planGeneration, type FleetGrowth, type GenerationPlan } from '../plan/planner.js';
import { selectPart } from '../plan/parts.js';
import { resolveScenario } from './resolve-scenario.js';
import { createPool, defaultWorkers, releasePool } from './pool.js';
import { runIdentity } from './identity.js';
import { lockedRun } from './locked-run.js';
import { refuseInsideDataset } from './dataset-holding.js';
import { refuseInputsInside, survey } from './survey.js';
import { runPlan } from './run-plan.js';
import { checkRunCounts } from './run-counts.js';
import type { GenerateOptions, GenerateResult } from './generate-options.js';

/** How long running shards may take to finish after Ctrl-C before their workers are ended. */
const ABORT_GRACE_MS = 1000;

/** What `generate` would do with these options, without touching any file (`--dry-run`). */
export function planRun(scenarioOrFile: Scenario | string, options: Omit<GenerateOptions, 'out'> = {}): GenerationPlan {
  checkRunCounts(options);
  const scenario = resolveScenario(scenarioOrFile, options);
  return planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}) });
}

/** Generates a dataset into `options.out` (one run at a time per directory; see lock.ts). */
export async function generate(scenarioOrFile: Scenario | string, options: GenerateOptions): Promise<GenerateResult> {
  checkRunCounts(options);
  const scenario = resolveScenario(scenarioOrFile, options);
  refuseInsideDataset(options.out);
  return lockedRun(options.out, options.part ?? null, 'generate', () => generateLocked(scenario, options));
}

/**
 * A run under the directory's lock: plans, surveys `options.out`, and runs the plan on a
 * pool of its own (`grow` passes the fleet it grows from).
 */
export async function generateLocked(scenario: Scenario, options: GenerateOptions, command: 'generate' | 'grow' = 'generate', grownFrom?: FleetGrowth): Promise<GenerateResult> {
  const plan = planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}), grownFrom });
  const compression = options.compression ?? 'snappy';
  const part = options.part ?? null;
  const shards = part ? selectPart(plan.shards, part) : plan.shards;
  const identity = runIdentity(scenario, { format: plan.format, compression: plan.format === 'parquet' ? compression : null, shard_rows: plan.shardRows, growth_stable: plan.growthStable });
  refuseInputsInside(options.out, scenario);
  const prepared = survey(options.out, identity, scenario.entities?.names ?? null, options.force ?? false, part, shards, command);
  const requested = options.workers ?? defaultWorkers();
  const workers = Math.max(1, Math.min(requested, Math.max(1, shards.length)));
  const pool = createPool(workers, requested);
  // Ended as soon as every shard is done (runPlan), so its threads wind down while this
  // thread writes the segment table and the manifest; at the latest when the run ends.
  const endPool = (wait = false): Promise<void> => releasePool(pool, wait);
  // Ctrl-C: running shards get a moment to finish; then the workers are ended, however busy.
  let grace: NodeJS.Timeout | undefined;
  const onAbort = () => {
    grace = setTimeout(() => void pool.destroy().catch(() => undefined), ABORT_GRACE_MS);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await runPlan({ scenario, plan, shards, identity, compression, part, pool, options, prepared, command, endPool });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(grace);
    // Already destroyed when a shard failed or the run was interrupted.
    await endPool();
  }
}
