/**
 * The run of a plan, once its directory is surveyed and its pool started: shard tasks on
 * the pool (uniqueness resolved alongside), each shard recorded in the journal as it ends,
 * then the segment table and the manifest, last. A failure or Ctrl-C undoes what this run
 * added; a staged run over a complete dataset leaves that dataset exactly as it was.
 */
import { rmSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { shardRowCount, type GenerationPlan, type ShardPlan } from '../plan/planner.js';
import type { Part } from '../plan/parts.js';
import { ENTITIES_FILE, MANIFEST_FILE, SEGMENTS_FILE, type ManifestShard } from '../dataset/manifest.js';
import type { ParquetCompression } from '../formats/parquet.js';
import { sumPhases, type PhaseTimes, type ShardSpan } from '../phases.js';
import { runBounded, type Landing, type Schedule } from './scheduler.js';
import { workerMemoryMb } from './pool.js';
import { newWatchBuffer, runWatched } from './watchdog.js';
import { Journal, journalFile, partManifestFile, PENDING_SUFFIX, type JournalShard } from './state.js';
import type { RunIdentity } from './identity.js';
import type { LandingMessage, ShardDone, ShardResult, ShardSegments, ShardTask } from './shard-task.js';
import { startUniqueness } from './uniqueness-pass.js';
import { firstShardIn, startFleetUniqueness } from './fleet-uniqueness.js';
import { removeRecorded, removeTemporaries, removeUnplanned, runNames } from './ownership.js';
import { completeCommit, discardStaged, unfinishedCommit } from './commit.js';
import { finishDataset, segmentFile, uniquenessSummary } from './finish.js';
import { SegmentFeed } from './segment-feed.js';
import { SortedSegmentFeed } from './segment-sort.js';
import { removeAbandonedTemps } from '../formats/unique-temp.js';
import { prepareScenario } from '../variables/registry.js';
import { ensureDataDir, removeIfEmpty } from './output-dir.js';
import type { Prepared } from './survey.js';
import { labelWarnings } from './label-warnings.js';
import { learnedScaleWarnings } from './learned-scale.js';
import { supportWarnings } from '../anomaly/kinds/support.js';
import { epochUnitWarnings } from './epoch-unit-warnings.js';
import { sourceShares } from '../variables/source-share.js';
import type { GenerateOptions, GenerateResult } from './generate-options.js';

/** Threads of the pool: how many tasks run at once. */
function workersOf(pool: Piscina): number {
  return Math.max(1, pool.options.maxThreads);
}

/**
 * Resolves once the worker says that a shard's file, whose task answered before its write
 * ended, is in place; rejects with the write's error, or if the worker ended first.
 */
function inPlace(port: MessagePort, shard: ShardPlan, seed: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    port.once('message', (m: LandingMessage) => {
      port.close();
      if (m.ok) resolve();
      else reject(ParanomError.fromData(m.error, describeShard(shard, seed)));
    });
    port.once('close', () => reject(new Error(`the worker of shard ${shard.index} ended before its file was in place`)));
  });
}

/** A shard as an error names it, so it can be replayed alone. */
function describeShard(s: ShardPlan, seed: number): string {
  const entities = s.entityStart === undefined ? '' : `entities ${s.entityStart}–${s.entityEnd! - 1}, `;
  return `shard ${s.index} (${entities}rows ${s.rowStart}–${s.rowEnd - 1}), seed ${seed}`;
}

/** A planned run, as generate.ts prepared it: what to write, where, and on which pool. */
export interface PlannedRun {
  scenario: Scenario;
  plan: GenerationPlan;
  /** The shards this run writes: the plan's, or one part's. */
  shards: ShardPlan[];
  identity: RunIdentity;
  compression: ParquetCompression;
  part: Part | null;
  pool: Piscina;
  options: GenerateOptions;
  /** What the survey of `options.out` found. */
  prepared: Prepared;
  command: 'generate' | 'grow';
  /** Ends the pool once no task is left for it (idempotent); `wait`: resolves once its threads have ended (pool.ts, releasePool). */
  endPool: (wait?: boolean) => Promise<void>;
}

/** Runs the shards of a planned run on its pool into `options.out`, as surveyed, and finishes the dataset. */
export async function runPlan(run: PlannedRun): Promise<GenerateResult> {
  const { scenario, plan, shards, identity, compression, part, pool, options, prepared, command, endPool } = run;
  const out = options.out;
  const ownFiles = shards.map((s) => s.file);
  const { carried, staged, old } = prepared;
  // Source files are read here, once, before anything is written; the workers share the columns.
  const sources = sourceShares(scenario);
  // Uniqueness resolves alongside generation; each shard waits for its rows' retries. Over
  // an existing dataset (resume, grow) it resolves first, so a hard failure leaves that
  // dataset exactly as it was; into a fresh directory it is pipelined with generation.
  const end = shards.length > 0 ? shards[shards.length - 1]!.rowEnd : 0;
  // A fleet's figures add up its entities': a whole run (a grow too, which writes only new
  // shards) resolves every entity of the plan; a part those its shards hold, counting the
  // entities whose first shard it writes (merge-manifests adds the parts up).
  const uniqueness = !scenario.uniqueness || end === 0 ? undefined : scenario.entities ? (part ? startFleetUniqueness(pool, scenario, shards, plan.shardRows, workersOf(pool), firstShardIn(plan.shards, shards)) : startFleetUniqueness(pool, scenario, plan.shards, plan.shardRows, workersOf(pool))) : startUniqueness(pool, scenario, plan.shards, end, workersOf(pool));
  if (uniqueness && !prepared.fresh) await uniqueness.done;
  // The segment table is written as the shards end (below; a fleet's when its shard order
  // is the table's, segment-feed.ts): what its events need on this thread (a test split's
  // run-in events, learned events' figures, kept shards' events) is loaded first, before
  // anything is written.
  const feedHere = !part && scenario.anomalies.mode !== 'none' && SegmentFeed.streams(scenario, plan);
  const prepareFeed = feedHere && (SegmentFeed.needsPreparing(scenario) || carried.length > 0);
  if (prepareFeed) await prepareScenario(scenario);
  const fixed = [MANIFEST_FILE, SEGMENTS_FILE, ENTITIES_FILE, journalFile(part), ...(part ? [partManifestFile(part)] : [])];
  removeTemporaries(out, [...ownFiles, ...fixed]);
  // The sorted runs of a fleet's segment table that a killed run left.
  removeAbandonedTemps(join(out, SEGMENTS_FILE));
  // A part's manifest is rewritten; until then that part is unfinished.
  if (part) rmSync(join(out, partManifestFile(part)), { force: true });
  // The journal comes first: from here on it records every shard name of this run's plan
  // as paranom's, so a part started beside this one, surveying while an older dataset's
  // files go, finds the names this run keeps owned by a record (else they are foreign).
  // A fleet's shard names do not follow from its identity: the journal lists them.
  const journal = Journal.start(out, part, identity, carried, staged, scenario.entities ? ownFiles : []);
  // --force: the older dataset's own files go (never anything else: survey refused that),
  // except names this run and its parts, started beside this one, write.
  if (prepared.replace.length > 0) removeRecorded(out, prepared.replace, runNames(plan.shards.map((s) => s.file), part?.n ?? null, journalFile(part)));
  const created: string[] = [];
  ensureDataDir(out, created);

  const results: JournalShard[] = [];
  const total = shards.reduce((a, s) => a + shardRowCount(s), 0);
  let rowsDone = 0;
  let generated = 0;
  let reused = 0;
  let rowsGenerated = 0;
  const timed: PhaseTimes[] = [];
  const spans: ShardSpan[] = [];
  // The segment table's events are measured by the shards' workers (whole datasets). They
  // are written to the segment table as the shards end, in shard order; a fleet's whose
  // shard order is not the table's go into sorted runs beside it, merged at the end.
  const measureInWorkers = !part && scenario.anomalies.mode !== 'none';
  const measured = new Map<number, ShardSegments>();
  // A fleet in another order sorts its events on the way, in runs beside the table.
  const sortHere = !part && scenario.anomalies.mode !== 'none' && scenario.entities !== undefined && !feedHere;
  const feed = feedHere ? new SegmentFeed(scenario, plan, segmentFile(out, scenario, compression, staged), prepareFeed) : sortHere ? new SortedSegmentFeed(scenario, plan, segmentFile(out, scenario, compression, staged), join(out, SEGMENTS_FILE)) : undefined;
  /** Undoes what this run added when it fails: a staged run restores the old dataset exactly. */
  const undo = (wroteShards: boolean) => {
    feed?.abandon();
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
    const runShard = async (shard: ShardPlan, _i: number, schedule: Schedule): Promise<void | Landing> => {
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
        segments: measureInWorkers,
        sources,
      };
      const watch = newWatchBuffer();
      // The worker may answer while the shard's file is still being written, and take the
      // next shard meanwhile; this port says when the file is in place (or why not).
      const { port1: landed, port2 } = new MessageChannel();
      let r: ShardResult;
      try {
        r = await runWatched<ShardResult>(pool, { ...task, watch, landed: port2 }, watch, scenario, workerMemoryMb(), [port2]);
      } catch (err) {
        landed.close();
        // After Ctrl-C the pool may be torn down under running tasks: that is the interruption, not a failure.
        if (aborted() && !(err instanceof ParanomError)) return;
        throw err;
      }
      if (!r.ok || !r.landing) landed.close();
      if (!r.ok) throw ParanomError.fromData(r.error, describeShard(shard, scenario.seed));
      if (r.landing) {
        const done = r;
        const landing = inPlace(landed, shard, scenario.seed).then(
          () => record(done),
          (err: unknown) => {
            // As for a running task: a pool torn down after Ctrl-C is the interruption.
            if (aborted() && !(err instanceof ParanomError)) return;
            throw err;
          },
        );
        return { landing };
      }
      record(r);
    };
    /** A shard whose file is in place: into the results, the journal and the progress. */
    const record = (r: ShardDone): void => {
      const pending = r.at !== r.file;
      const entities = r.entityStart !== undefined ? { entity_start: r.entityStart, entity_end: r.entityEnd! } : {};
      const entry: JournalShard = { index: r.index, file: r.file, row_start: r.rowStart, row_end: r.rowEnd, rows: shardRowCount(r), bytes: r.bytes, sha256: r.sha256, anomalous_rows: r.anomalousRows, ...entities, ...(pending ? { pending: true as const } : {}) };
      results.push(entry);
      if (r.phases) timed.push(r.phases);
      if (r.span) spans.push(r.span);
      // A kept shard's events were measured by no worker: the feed measures them in their turn.
      if (feed && (r.segments || r.reused)) feed.put(r.index, r.segments ?? null);
      else if (r.segments) measured.set(r.index, r.segments);
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
      // The workers' descriptors are free before the clean-up below needs some.
      await endPool(true);
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
  // Measured before the commit line, which nothing past may fail for (it never throws).
  const scaleWarnings = [...epochUnitWarnings(scenario), ...learnedScaleWarnings(scenario)];
  // Past its commit line a staged run is never undone: the next run completes it.
  let committed = false;
  try {
    const resolution = uniqueness ? await uniqueness.done : undefined;
    // No task is left for the pool (the segment table is measured on this thread, if at all).
    void endPool();
    const listed: ManifestShard[] = results.map(({ pending: _p, ...s }) => s);
    const manifest = await finishDataset(out, scenario, plan, compression, listed, part, uniquenessSummary(scenario, resolution), staged, feed ?? measured);
    if (staged) {
      journal.commit();
      committed = true;
      completeCommit(out, { identity, shards: results, source: journalFile(null), staged: true, committed: true }, old);
    } else {
      if (!part) removeUnplanned(out, plan.shards, prepared.carried);
      journal.remove();
    }
    return { plan, manifest, generated, reused, rowsGenerated, warnings: [...scaleWarnings, ...supportWarnings(scenario), ...labelWarnings(manifest, scenario)], ...(options.phases ? { phases: sumPhases(timed), spans: spans.sort((a, b) => a.shard - b.shard) } : {}) };
  } catch (err) {
    if (committed) throw unfinishedCommit(out, command, err);
    await endPool(true);
    undo(true);
    throw err;
  }
}
