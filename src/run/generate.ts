/**
 * `generate` and `grow`: scenario → plan → shard tasks on the worker pool → segment table
 * → manifest. The main thread only plans, tracks progress and writes the dataset-wide
 * files; the manifest comes last, so a directory without one is an unfinished run, which
 * the same command resumes (shards whose bytes match the journal are kept).
 */
import { runBounded, type Schedule } from './scheduler.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { withOverrides } from '../reader/load.js';
import { resolveScenario } from './resolve-scenario.js';
import type { Scenario } from '../model/types.js';
import { planGeneration, shardRowCount, type FleetGrowth, type GenerationPlan, type OutputFormat, type ShardPlan } from '../plan/planner.js';
import { partLabel, selectPart, type Part } from '../plan/parts.js';
import { checkCoverage, ENTITIES_FILE, MANIFEST_FILE, readManifest, requireFormatVersion, SEGMENTS_FILE, shardPlanOf, refuseSplitGrowth, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import type { ParquetCompression } from '../formats/parquet.js';
import { createPool, defaultWorkers, releasePool, workerMemoryMb } from './pool.js';
import { newWatchBuffer, runWatched } from './watchdog.js';
import { Journal, journalFile, partManifestFile, PENDING_SUFFIX, readRecords, type JournalShard, type Recorded } from './state.js';
import { differences, reusable, runIdentity, type RunIdentity } from './identity.js';
import type { ShardResult, ShardSegments, ShardTask } from './shard-task.js';
import type { Piscina } from 'piscina';
import { startUniqueness } from './uniqueness-pass.js';
import { startFleetUniqueness } from './fleet-uniqueness.js';
import { acquireLock } from './lock.js';
import { ownedRecords, removeRecorded, removeTemporaries, removeUnplanned } from './ownership.js';
import { completeCommit, discardStaged, rollForward } from './commit.js';
import { finishDataset, segmentFileBeside, segmentsBeside, uniquenessSummary, type SegmentFile } from './finish.js';
import { createOutputDir, ensureDataDir, removeIfEmpty } from './output-dir.js';
import { checkInputs } from '../variables/inputs.js';
import { withEntityCount } from '../fleet/grow.js';
import { sumPhases, type PhaseTimes, type ShardSpan } from '../phases.js';

/** How long running shards may take to finish after Ctrl-C before their workers are ended. */
const ABORT_GRACE_MS = 1000;

export interface GenerateOptions {
  /** Output directory. */
  out: string;
  /** Also write `<name>_clean` beside each anomaly-affected variable: its values without anomalies. */
  withClean?: boolean;
  rows?: number;
  seed?: number;
  format?: OutputFormat;
  compression?: ParquetCompression;
  /** Rows per shard, rounded to whole blocks. */
  shardRows?: number;
  /** Worker threads (default: available cores). */
  workers?: number;
  /** Replace a different dataset already in `out` (never files paranom did not write). */
  force?: boolean;
  /** Generate only part K of N of the shards (for runs split over machines). */
  part?: Part;
  /** Stops the run; finished shards stay and the same command resumes. */
  signal?: AbortSignal;
  /** Called after each shard with rows done so far (reused shards included) and the total. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /** Time each shard's phases in its worker (src/phases.ts); the sums come back in `phases`. */
  phases?: boolean;
}

export interface GenerateResult {
  plan: GenerationPlan;
  manifest: Manifest;
  /** Shards written by this run, and shards kept from an earlier one. */
  generated: number;
  reused: number;
  /** Rows in the shards this run wrote. */
  rowsGenerated: number;
  /** Things the user should know that are not errors (printed on stderr by the CLI). */
  warnings: string[];
  /** With `options.phases`: milliseconds per phase, summed over the shards this run wrote. */
  phases?: PhaseTimes;
  /** With `options.phases`: each shard this run wrote, as its worker ran it, in shard order. */
  spans?: ShardSpan[];
}

/** Share of labelled rows that may equal the clean series before generate warns. */
export const UNCHANGED_WARNING_SHARE = 0.05;

/** A warning when too many labelled rows are identical to the clean series. */
export function labelWarnings(m: Manifest): string[] {
  const r = m.anomalies.realised;
  if (r.unchanged_rows <= 0 || r.anomalous_rows <= 0 || r.unchanged_rows <= UNCHANGED_WARNING_SHARE * r.anomalous_rows) return [];
  const pct = ((100 * r.unchanged_rows) / r.anomalous_rows).toFixed(1);
  // With min_effect every event is visible as a whole; the unchanged rows are parts of events.
  const fix = m.anomalies.min_effect ? 'Set anomalies.label: changed to label only the rows an event changed' : 'Set anomalies.min_effect to redraw weak events, or anomalies.label: changed to label only changed rows';
  return [
    `${pct}% of labelled rows (${r.unchanged_rows} of ${r.anomalous_rows}) hold the same values as the series without anomalies: their label marks no change a detector could see. ${fix} (effect per event: effect_rms, effect_max and changed_rows in ${m.anomalies.segments_file}).`,
  ];
}

/** What `generate` would do with these options, without touching any file (`--dry-run`). */
export function planRun(scenarioOrFile: Scenario | string, options: Omit<GenerateOptions, 'out'> = {}): GenerationPlan {
  const scenario = resolveScenario(scenarioOrFile, options);
  return planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}) });
}


function workersOf(pool: Piscina): number {
  return Math.max(1, pool.options.maxThreads);
}

function describeShard(s: ShardPlan, seed: number): string {
  const entities = s.entityStart === undefined ? '' : `entities ${s.entityStart}–${s.entityEnd! - 1}, `;
  return `shard ${s.index} (${entities}rows ${s.rowStart}–${s.rowEnd - 1}), seed ${seed}`;
}

/** What a run found in its directory and decided about it. */
interface Prepared {
  /** Shards a run may keep, by index, and where their bytes are now. */
  carried: JournalShard[];
  /** A complete dataset is there: this run stages its files and commits at the end. */
  staged: boolean;
  /** The complete manifest's record (staged runs). */
  old: Recorded | undefined;
  /** Nothing reusable was found. */
  fresh: boolean;
}

/**
 * Reads what `out` holds: refuses files paranom did not write and (without force) another
 * dataset, and finds the shards this run may keep. Changes nothing.
 */
function survey(out: string, identity: RunIdentity, names: string[] | null, force: boolean, part: Part | null, shards: ShardPlan[], command: 'generate' | 'grow'): Prepared & { replace: Recorded[] } {
  const records = ownedRecords(out, shards.map((s) => s.file));
  const other = records.find((r) => !reusable(r.identity, identity, names));
  if (other && !force) {
    const what = differences(other.identity, identity, names, other.names).join('; ');
    throw new ParanomError(
      'OUTPUT_EXISTS',
      `output directory '${out}' holds a dataset of another scenario, seed, format or shard size (${other.source}: ${what}); ${command === 'grow' ? 'grow extends only the dataset its manifest describes — remove the other run\'s files, or grow a copy' : 'pass --force to replace it, or generate into another directory'}`,
      { out },
    );
  }
  if (other) return { carried: [], staged: false, old: undefined, fresh: true, replace: records };
  const old = part ? undefined : records.find((r) => r.source === MANIFEST_FILE);
  const staged = old !== undefined;
  const carried: JournalShard[] = [];
  // A complete manifest's shards first (their files are final), then journals' shards.
  const ordered = [...records].sort((a, b) => Number(b.source === MANIFEST_FILE) - Number(a.source === MANIFEST_FILE));
  for (const s of shards) {
    for (const r of ordered) {
      // A fleet shard is its rectangle (growth may move it in the manifest's order).
      const k = r.shards.find((x) => (s.entityStart !== undefined ? x.entity_start === s.entityStart && x.entity_end === s.entityEnd : x.index === s.index) && x.row_start === s.rowStart && x.row_end === s.rowEnd && x.file === s.file);
      // Pending files belong to a staged run; without a complete dataset they are redone.
      if (k && (!k.pending || (staged && r.staged))) {
        carried.push(k);
        break;
      }
    }
  }
  return { carried, staged, old, fresh: records.length === 0, replace: [] };
}

/** Generates a dataset into `options.out` (one run at a time per directory; see lock.ts). */
export async function generate(scenarioOrFile: Scenario | string, options: GenerateOptions): Promise<GenerateResult> {
  const scenario = resolveScenario(scenarioOrFile, options);
  return locked(options.out, options.part ?? null, 'generate', () => generateLocked(scenario, options));
}

/** Runs `body` holding the lock of `out`, which it creates if needed (removed again if left empty). */
async function locked<T>(out: string, part: Part | null, command: string, body: () => Promise<T>): Promise<T> {
  const created = createOutputDir(out, '--out');
  const lock = acquireLock(out, part, command);
  try {
    if (!part) rollForward(out);
    return await body();
  } finally {
    lock.release();
    removeIfEmpty(created);
  }
}

async function generateLocked(scenario: Scenario, options: GenerateOptions, command: 'generate' | 'grow' = 'generate', grownFrom?: FleetGrowth): Promise<GenerateResult> {
  const plan = planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}), grownFrom });
  const compression = options.compression ?? 'snappy';
  const part = options.part ?? null;
  const shards = part ? selectPart(plan.shards, part) : plan.shards;
  const identity = runIdentity(scenario, { format: plan.format, compression: plan.format === 'parquet' ? compression : null, shard_rows: plan.shardRows, growth_stable: plan.growthStable });
  const prepared = survey(options.out, identity, scenario.entities?.names ?? null, options.force ?? false, part, shards, command);
  const requested = options.workers ?? defaultWorkers();
  const workers = Math.max(1, Math.min(requested, Math.max(1, shards.length)));
  const pool = createPool(workers, requested);
  // Ended as soon as every shard is done (runPlan), so its threads wind down while this
  // thread writes the segment table and the manifest; at the latest when the run ends.
  let ended: Promise<void> | undefined;
  const endPool = (): Promise<void> => (ended ??= releasePool(pool));
  // Ctrl-C: running shards get a moment to finish; then the workers are ended, however busy.
  let grace: NodeJS.Timeout | undefined;
  const onAbort = () => {
    grace = setTimeout(() => void pool.destroy().catch(() => undefined), ABORT_GRACE_MS);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await runPlan(scenario, plan, shards, identity, compression, part, pool, options, prepared, command, endPool);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearTimeout(grace);
    // Already destroyed when a shard failed or the run was interrupted.
    await endPool();
  }
}

async function runPlan(
  scenario: Scenario,
  plan: GenerationPlan,
  shards: ShardPlan[],
  identity: RunIdentity,
  compression: ParquetCompression,
  part: Part | null,
  pool: Piscina,
  options: GenerateOptions,
  prepared: Prepared & { replace: Recorded[] },
  command: 'generate' | 'grow',
  endPool: () => Promise<void>,
): Promise<GenerateResult> {
  const out = options.out;
  const ownFiles = shards.map((s) => s.file);
  const { carried, staged, old } = prepared;
  // Uniqueness resolves alongside generation; each shard waits for its rows' retries. Over
  // an existing dataset (resume, grow) it resolves first, so a hard failure leaves that
  // dataset exactly as it was; into a fresh directory it is pipelined with generation.
  const end = shards.length > 0 ? shards[shards.length - 1]!.rowEnd : 0;
  const uniqueness = !scenario.uniqueness || end === 0 ? undefined : scenario.entities ? startFleetUniqueness(pool, scenario, shards, plan.shardRows, workersOf(pool)) : startUniqueness(pool, scenario, plan.shards, end, workersOf(pool));
  if (uniqueness && !prepared.fresh) await uniqueness.done;
  // --force: the older dataset's own files go (never anything else: survey refused that).
  if (prepared.replace.length > 0) removeRecorded(out, prepared.replace);
  const created: string[] = [];
  ensureDataDir(out, created);
  const fixed = [MANIFEST_FILE, SEGMENTS_FILE, ENTITIES_FILE, journalFile(part), ...(part ? [partManifestFile(part)] : [])];
  removeTemporaries(out, [...ownFiles, ...fixed]);
  // A part's manifest is rewritten; until then that part is unfinished.
  if (part) rmSync(join(out, partManifestFile(part)), { force: true });
  const journal = Journal.start(out, part, identity, carried, staged);

  const results: JournalShard[] = [];
  const total = shards.reduce((a, s) => a + shardRowCount(s), 0);
  let rowsDone = 0;
  let generated = 0;
  let reused = 0;
  let rowsGenerated = 0;
  const timed: PhaseTimes[] = [];
  const spans: ShardSpan[] = [];
  // The segment table's events are measured by the shards' workers (whole datasets; a
  // fleet's events are each entity's, measured at the end).
  const measureInWorkers = !part && scenario.anomalies.mode !== 'none';
  const measured = new Map<number, ShardSegments>();
  // Or, for a run of one shard, here while the worker generates it (finish.ts).
  const beside = segmentsBeside(scenario, plan, shards, part, options.phases === true);
  let early: Promise<SegmentFile | undefined> | undefined;
  /** Undoes what this run added when it fails: a staged run restores the old dataset exactly. */
  const undo = (wroteShards: boolean) => {
    removeTemporaries(out, [...ownFiles, ...fixed]);
    if (staged) discardStaged(out, ownFiles);
    else if (!wroteShards && carried.length === 0) {
      journal.remove();
      removeIfEmpty(created);
    }
  };
  if (shards.length > 0) {
    // Cancellation is cooperative (scheduler.ts): at most `workers` shard tasks are ever
    // submitted; on an error or Ctrl-C no further shard starts, the running ones finish,
    // then we clean up.
    const aborted = () => options.signal?.aborted === true;
    const runShard = async (shard: ShardPlan, _i: number, schedule: Schedule): Promise<void> => {
      const k = carried.find((c) => c.file === shard.file);
      const retries = uniqueness ? await uniqueness.retriesFor(shard) : undefined;
      const entityRetries = uniqueness?.entityRetriesFor ? await uniqueness.entityRetriesFor(shard) : undefined;
      if (schedule.halted()) return;
      // A staged run writes only pending files; kept shards stay where they are.
      const task: ShardTask = {
        scenario,
        shard,
        outDir: out,
        format: plan.format,
        compression,
        writeAs: staged ? shard.file + PENDING_SUFFIX : shard.file,
        expect: k ? { sha256: k.sha256, bytes: k.bytes, anomalousRows: k.anomalous_rows, at: k.pending ? shard.file + PENDING_SUFFIX : shard.file, refuse: command === 'grow' && !k.pending } : undefined,
        retries,
        ...(entityRetries ? { entityRetries } : {}),
        phases: options.phases,
        segments: measureInWorkers && !beside,
      };
      const watch = newWatchBuffer();
      let r: ShardResult;
      try {
        const running = runWatched<ShardResult>(pool, { ...task, watch }, watch, scenario, workerMemoryMb());
        if (beside) early = segmentFileBeside(running, scenario, plan, compression);
        r = await running;
      } catch (err) {
        // After Ctrl-C the pool may be torn down under running tasks: that is the interruption, not a failure.
        if (aborted() && !(err instanceof ParanomError)) return;
        throw err;
      }
      if (!r.ok) throw ParanomError.fromData(r.error, describeShard(shard, scenario.seed));
      const pending = r.at !== r.file;
      const entities = r.entityStart !== undefined ? { entity_start: r.entityStart, entity_end: r.entityEnd! } : {};
      const entry: JournalShard = { index: r.index, file: r.file, row_start: r.rowStart, row_end: r.rowEnd, rows: shardRowCount(r), bytes: r.bytes, sha256: r.sha256, anomalous_rows: r.anomalousRows, ...entities, ...(pending ? { pending: true as const } : {}) };
      results.push(entry);
      if (r.phases) timed.push(r.phases);
      if (r.span) spans.push(r.span);
      if (r.segments) measured.set(r.index, r.segments);
      if (r.reused) reused++;
      else {
        generated++;
        rowsGenerated += entry.rows;
        journal.record(entry);
      }
      rowsDone += entry.rows;
      options.onProgress?.(rowsDone, total);
    };
    const failure = await runBounded(shards, workersOf(pool), aborted, runShard);
    if (failure || aborted()) {
      uniqueness?.stop();
      // Fingerprint tasks still running finish before the pool goes (no aborts, see above).
      await uniqueness?.done.catch(() => undefined);
      const err = failure?.error;
      // A hard uniqueness failure is only reachable in a fresh directory (see above); a
      // callback's failure is the user's code to fix, which changes the module's hash, so
      // this run's shards could never be resumed. Either way, in a fresh directory every
      // shard file is this run's: the directory is left as it was.
      const rollBack = err instanceof ParanomError && (err.code === 'UNIQUENESS_FAILED' || (err.code === 'CALLBACK_FAILED' && prepared.fresh));
      if (rollBack && !staged) {
        for (const f of ownFiles) rmSync(join(out, f), { force: true });
        undo(false);
      } else undo(generated > 0);
      if (failure) throw failure.error;
      throw new ParanomError('INTERRUPTED', `interrupted after ${results.length} of ${shards.length} shards; run the same command again to resume`, { done: results.length, shards: shards.length });
    }
  }
  results.sort((a, b) => a.index - b.index);
  try {
    const resolution = uniqueness ? await uniqueness.done : undefined;
    // No task is left for the pool (the segment table is measured on this thread, if at all).
    void endPool();
    const listed: ManifestShard[] = results.map(({ pending: _p, ...s }) => s);
    const manifest = await finishDataset(out, scenario, plan, compression, listed, part, uniquenessSummary(scenario, resolution), staged, measured, await early);
    if (staged) {
      journal.commit();
      completeCommit(out, { identity, shards: results, source: journalFile(null), staged: true, committed: true }, old);
    } else {
      if (!part) removeUnplanned(out, plan.shards, prepared.carried);
      journal.remove();
    }
    return { plan, manifest, generated, reused, rowsGenerated, warnings: labelWarnings(manifest), ...(options.phases ? { phases: sumPhases(timed), spans: spans.sort((a, b) => a.shard - b.shard) } : {}) };
  } catch (err) {
    undo(true);
    throw err;
  }
}

/** What `grow` adds: rows per series, and for a fleet entities too (at least one grows). */
export interface GrowTarget {
  rows?: number | undefined;
  entities?: number | undefined;
}

/**
 * `grow`: extends a complete dataset to more rows (per entity, for a fleet) and, for a
 * fleet, more entities. A one-series dataset keeps its complete shards; a fleet keeps every
 * shard file as it is and only adds shards (plan/fleet.ts).
 */
export async function grow(out: string, target: number | GrowTarget, options: Omit<GenerateOptions, 'out' | 'rows' | 'seed' | 'format' | 'compression' | 'shardRows' | 'part'> = {}): Promise<GenerateResult> {
  const want: GrowTarget = typeof target === 'number' ? { rows: target } : target;
  readManifest(out);
  return locked(out, null, 'grow', async () => {
    const m = readManifest(out);
    requireFormatVersion(out, m, 'grow');
    checkCoverage(out, m);
    if (m.part) throw new ParanomError('USAGE', `${out} holds one part (${partLabel(m.part)}); merge the parts first`);
    refuseSplitGrowth(out);
    const timelineRows = m.scenario.timeline.rows;
    const rows = want.rows ?? timelineRows;
    if (!m.growth_stable) {
      throw new ParanomError('USAGE', `${out} was generated with anomalies.count (or anomalies.outages.count), which places events over the whole timeline; it cannot grow with its rows unchanged — generate it again with --rows ${rows}`);
    }
    const fleet = m.scenario.entities;
    if (want.entities !== undefined && !fleet) throw new ParanomError('USAGE', `${out} holds one series (its scenario has no entities); --entities grows fleets only`);
    const count = want.entities ?? fleet?.count ?? 1;
    if (!Number.isSafeInteger(rows) || rows < timelineRows || (rows === timelineRows && !(fleet && count > fleet.count))) {
      throw new ParanomError('USAGE', fleet ? `grow needs more rows per entity than ${timelineRows} (--rows) or more entities than ${fleet.count} (--entities), and fewer of neither; got ${rows} rows, ${count} entities` : `grow needs more rows than the dataset has (${timelineRows}), got ${rows}`);
    }
    if (fleet && (!Number.isSafeInteger(count) || count < fleet.count)) throw new ParanomError('USAGE', `--entities ${count}: a fleet only grows (it has ${fleet.count} entities)`);
    checkInputs(m.scenario);
    const scenario = withOverrides(fleet ? withEntityCount(m.scenario, count, out) : m.scenario, { rows });
    const grownFrom = fleet ? { entities: fleet.count, rows: timelineRows, shards: m.shards.map(shardPlanOf) } : undefined;
    return generateLocked(scenario, { ...options, out, rows, format: m.format, ...(m.compression ? { compression: m.compression } : {}), shardRows: m.shard_rows }, 'grow', grownFrom);
  });
}
