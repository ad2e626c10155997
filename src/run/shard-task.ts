/**
 * One shard task, as a worker runs it: generate the rows, encode them, write the file
 * atomically, and report its hash. Errors come back as data, never as thrown instances,
 * because class identity does not survive postMessage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorData, noRoom, ParanomError, type ErrorData } from '../errors.js';
import { generateShard, type Retries, type ShardColumns } from '../generate/shard.js';
import { generateFleetShard, type EntityStarts } from '../generate/fleet.js';
import { checkFinite } from '../generate/finite.js';
import { fingerprintRows, type ShardFingerprints } from '../uniqueness/fingerprint.js';
import { shardTable } from '../formats/arrow-table.js';
import { encodeParquetParts, joinParts, type ParquetCompression } from '../formats/parquet.js';
import { ColumnArena, countOnes } from '../columns/columns.js';
import { encodeArrowIPC } from '../formats/arrow-ipc.js';
import { encodeCsv } from '../formats/csv.js';
import { writeFileAtomicAround, type FileParts } from '../formats/files.js';
import { WriteRing } from '../formats/write-ring.js';
import { shardMetadata } from '../dataset/provenance.js';
import type { OutputFormat, ShardPlan } from '../plan/planner.js';
import { endRow, type Scenario } from '../model/types.js';
import { prepareScenario } from '../variables/registry.js';
import type { CarriesSources } from '../variables/source-share.js';
import { dryRunCallbacks } from './dry-run.js';
import { setWatch } from '../variables/watch.js';
import { eventsStartingIn, type AnomalyEvent } from '../anomaly/events.js';
import { eventOutcome } from '../generate/event-outcome.js';
import { seedKey } from '../random/counter.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { fleetShardSegments, type MeasuredSegments } from './labels.js';
import { threadId, type MessagePort } from 'node:worker_threads';
import { addMs, addPhase, clock, epochMs, phaseTimes, threadSched, timePhases, timing, type PhaseTimes, type ShardSpan } from '../phases.js';

export interface ShardTask extends CarriesSources {
  scenario: Scenario;
  shard: ShardPlan;
  outDir: string;
  format: OutputFormat;
  compression: ParquetCompression;
  /** Uniqueness retries of this shard's rows (ascending rows, their attempts). */
  retries?: Retries | undefined;
  /** A fleet shard: each entity's retries (entityStart first). */
  entityRetries?: Array<Retries | undefined> | undefined;
  /** Where to write the file, relative to outDir (default: the shard's file; a staged run adds `.pending`). */
  writeAs?: string | undefined;
  /**
   * A previous run recorded this shard at `at` (default: `writeAs`): reuse the file if its
   * bytes still hash to this; otherwise regenerate it into `writeAs`, or with `refuse`
   * (grow: a complete dataset must be intact) fail naming the file.
   */
  expect?: { sha256: string; bytes: number; anomalousRows: number; at?: string | undefined; refuse?: boolean | undefined } | undefined;
  /** Where this worker publishes what it is doing, for the main thread's watchdog. */
  watch?: SharedArrayBuffer | undefined;
  /** Time the shard's phases (src/phases.ts) and return them. */
  phases?: boolean | undefined;
  /** Also measure the events starting in the shard's rows, for the segment table (whole datasets). */
  segments?: boolean | undefined;
  /**
   * Where to say that the file is in place (`LandingMessage`) when the task answers while
   * its direct write still finishes (`ShardDone.landing`): the worker goes on to its next
   * shard meanwhile. Without it, the task answers once the file is in place.
   */
  landed?: MessagePort | undefined;
}

/** What a shard task whose answer came before its file was in place says on `ShardTask.landed`. */
export type LandingMessage = { ok: true } | { ok: false; error: ErrorData };

/** The segment table's rows for the events starting in one shard's rows (anomaly/effect.ts). */
export type ShardSegments = MeasuredSegments;

export interface ShardDone {
  ok: true;
  index: number;
  file: string;
  rowStart: number;
  rowEnd: number;
  /** Fleet shards: the entities [entityStart, entityEnd). */
  entityStart?: number;
  entityEnd?: number;
  bytes: number;
  sha256: string;
  anomalousRows: number;
  /** True when an existing file was verified and kept. */
  reused: boolean;
  /** Where the file is now, relative to the dataset (the shard's file, or its pending name). */
  at: string;
  /** Milliseconds per phase, when the task asked for them. */
  phases?: PhaseTimes;
  /** The task's span on its worker, when the task asked for phases. */
  span?: ShardSpan;
  /** The shard's rows of the segment table, when the task asked for them. */
  segments?: ShardSegments;
  /** True when the worker had generated the shard before the task came (a head start). */
  headStart?: true;
  /** True when the file's write still finishes: its outcome comes on the task's `landed` port. */
  landing?: true;
}

export type ShardResult = ShardDone | { ok: false; index: number; error: ErrorData };

/** A worker's buffers, reused from shard to shard (columns, and the write ring its Parquet files go through). */
export interface ShardBuffers {
  columns: ColumnArena;
  /** The aligned chunks a Parquet shard is written through (write-ring.ts): no buffer of the whole file. */
  ring: WriteRing;
  /** A fleet shard's columns (`columns` then holds one entity's rows at a time). */
  fleet: ColumnArena;
}

/** A shard's columns, generated (`generateShardColumns`) and not yet encoded. */
interface GeneratedShard {
  columns: ShardColumns;
  anomalousRows: number;
  starting?: EntityStarts[];
}

/** Generates one shard's columns (into `buffers.columns` when given) and checks its values. */
function generateShardColumns(task: Omit<ShardTask, 'outDir'>, buffers?: ShardBuffers): GeneratedShard {
  const { scenario, shard } = task;
  const t = timing ? clock() : 0;
  const fleet = shard.entityStart !== undefined;
  const starting = fleet && task.segments ? ([] as EntityStarts[]) : undefined;
  // A fleet shard checks each entity's values as it generates them (with the entity's seed).
  const columns = fleet
    ? generateFleetShard(scenario, { entityStart: shard.entityStart!, entityEnd: shard.entityEnd!, rowStart: shard.rowStart, rowEnd: shard.rowEnd }, buffers?.columns, buffers?.fleet, task.entityRetries, starting)
    : generateShard(scenario, shard.rowStart, shard.rowEnd, task.retries, buffers?.columns);
  if (!fleet && !scenario.allowNonFinite) checkFinite(columns, shard.rowStart, scenario.seed);
  const anomalousRows = countOnes(columns.isAnomaly.subarray(0, columns.rows));
  if (timing) addPhase('generate', t);
  return starting ? { columns, anomalousRows, starting } : { columns, anomalousRows };
}

/**
 * A shard encoded in the task's format. A Parquet file comes as its writer's parts, some of
 * them views of the shard's columns: valid until the same buffers generate another shard.
 */
export interface EncodedShard {
  file: Uint8Array | FileParts;
  anomalousRows: number;
  starting?: EntityStarts[];
}

/** Encodes generated columns in the task's format. */
function encodeShardColumns(task: Omit<ShardTask, 'outDir'>, g: GeneratedShard): EncodedShard {
  const { scenario, shard, format } = task;
  const t = timing ? clock() : 0;
  const columns = g.columns;
  let file: Uint8Array | FileParts;
  if (format === 'csv') file = encodeCsv(columns);
  else {
    const metadata = shardMetadata(scenario, shard);
    // Arrow IPC keeps provenance in the schema metadata; Parquet in its key-value metadata
    // (an Arrow schema map would be re-ordered by parquet-wasm, see provenance.ts).
    file = format === 'arrow' ? encodeArrowIPC(shardTable(columns, metadata)) : encodeParquetParts(shardTable(columns), metadata, task.compression);
  }
  if (timing) addPhase('encode', t);
  return g.starting ? { file, anomalousRows: g.anomalousRows, starting: g.starting } : { file, anomalousRows: g.anomalousRows };
}

/**
 * Generates and encodes one shard in memory (into `buffers`' columns when given: see
 * `EncodedShard` for how long its parts are valid). A fleet shard whose task measures its
 * events also returns the entities whose events start in it (`starting`).
 */
export function encodeShardFile(task: Omit<ShardTask, 'outDir'>, buffers?: ShardBuffers): EncodedShard {
  return encodeShardColumns(task, generateShardColumns(task, buffers));
}

/** `encodeShardFile` as one buffer of the file's bytes. */
export function encodeShard(task: Omit<ShardTask, 'outDir'>): { bytes: Uint8Array; anomalousRows: number; starting?: EntityStarts[] } {
  const { file, ...rest } = encodeShardFile(task);
  return { bytes: file instanceof Uint8Array ? file : joinParts(file), ...rest };
}

export function sha256(bytes: Uint8Array): string {
  const t = timing ? clock() : 0;
  const hex = createHash('sha256').update(bytes).digest('hex');
  if (timing) addPhase('sha256', t);
  return hex;
}

/** True when `path` exists with exactly the expected size and SHA-256. */
function fileMatches(path: string, expect: { sha256: string; bytes: number }): boolean {
  return existsSync(path) && statSync(path).size === expect.bytes && sha256(readFileSync(path)) === expect.sha256;
}

/** The segment table's rows of the events that start in rows [from, to) (the same in any thread). */
export function shardSegments(scenario: Scenario, from: number, to: number): ShardSegments {
  const t = timing ? clock() : 0;
  const r = segmentsOf(scenario, eventsStartingIn(scenario.anomalies, seedKey(scenario.seed), endRow(scenario.timeline), from, to));
  if (timing) addPhase('segments', t);
  return r;
}

/** This thread's shard buffers: a worker runs one shard at a time, written before the next. */
export const workerShardBuffers: ShardBuffers = { columns: new ColumnArena(), ring: new WriteRing(), fleet: new ColumnArena() };

/**
 * The end of this worker's last direct write that answered early: until it settles, the
 * write reads the write ring (or the whole file's buffer), which the next shard may fill
 * only then (it generates and encodes its columns meanwhile).
 */
let writing: Promise<void> | null = null;

async function outputReleased(): Promise<void> {
  if (!writing) return;
  const t = timing ? clock() : 0;
  await writing;
  writing = null;
  if (timing) addPhase('write', t);
}

/** An error of a shard task as data, with the shard's coordinates (a full disk named as such). */
function shardError(task: ShardTask, err: unknown): ErrorData {
  const { shard, scenario } = task;
  const full = noRoom(err, join(task.outDir, task.writeAs ?? shard.file), 'free some space and run the same command again: it keeps the shards already written');
  return errorData(full ?? err, { seed: scenario.seed, shard: shard.index, rowStart: shard.rowStart, rowEnd: shard.rowEnd, ...(shard.entityStart !== undefined ? { entityStart: shard.entityStart, entityEnd: shard.entityEnd } : {}) });
}

/** Runs a shard task: `ready` is the shard when this worker already encoded it for the task (a head start: head-start.ts). */
export async function runShardTask(task: ShardTask, ready?: EncodedShard): Promise<ShardResult> {
  const { shard, scenario } = task;
  const base = { index: shard.index, file: shard.file, rowStart: shard.rowStart, rowEnd: shard.rowEnd, ...(shard.entityStart !== undefined ? { entityStart: shard.entityStart, entityEnd: shard.entityEnd! } : {}) };
  setWatch(task.watch);
  timePhases(task.phases === true);
  const t = timing ? clock() : 0;
  const began = timing ? { at: epochMs(), ...threadSched() } : undefined;
  try {
    const writeAs = task.writeAs ?? shard.file;
    const e = task.expect;
    if (e) {
      const at = e.at ?? writeAs;
      if (fileMatches(join(task.outDir, at), e)) return { ok: true, ...base, bytes: e.bytes, sha256: e.sha256, anomalousRows: e.anomalousRows, reused: true, at };
      if (e.refuse) {
        throw new ParanomError('DATASET_INVALID', `${at}: missing, or its size or SHA-256 differs from the manifest — the dataset was changed or damaged; nothing was changed (run 'paranom verify' for details)`, { file: at });
      }
    }
    if (!ready) await prepareScenario(scenario);
    const { file, anomalousRows, starting } = ready ?? encodeShardFile(task, workerShardBuffers);
    await outputReleased();
    // The shard is hashed as it goes to the disk, and its events measured for the segment
    // table (here, in parallel, rather than all on the main thread once every shard is
    // done) while its last chunks are written: a direct write leaves this thread free.
    const w = timing ? clock() : 0;
    let busy = 0;
    let bytes = 0;
    const hash = createHash('sha256');
    const see = (b: Uint8Array): void => {
      const d = timing ? clock() : 0;
      hash.update(b);
      bytes += b.length;
      if (timing) {
        busy += clock() - d;
        addPhase('sha256', d);
      }
    };
    const { result: segments, landing } = await writeFileAtomicAround(
      join(task.outDir, writeAs),
      file,
      () => {
        const d = timing ? clock() : 0;
        const r = task.segments ? (shard.entityStart !== undefined ? fleetShardSegments(scenario, shard, undefined, starting) : shardSegments(scenario, shard.rowStart, shard.rowEnd)) : undefined;
        if (timing) busy += clock() - d;
        return r;
      },
      { see, ring: workerShardBuffers.ring },
    );
    const done: ShardDone = { ok: true, ...base, bytes, sha256: hash.digest('hex'), anomalousRows, reused: false, at: writeAs, ...(ready ? { headStart: true as const } : {}) };
    if (landing && task.landed) {
      // Answer now; the file's last blocks, fsync and rename finish while this worker
      // generates its next shard, and the port says when it is in place.
      const port = task.landed;
      writing = landing.released;
      landing.durable.then(
        () => port.postMessage({ ok: true } satisfies LandingMessage),
        (err: unknown) => port.postMessage({ ok: false, error: shardError(task, err) } satisfies LandingMessage),
      ).finally(() => port.close());
      done.landing = true;
    } else if (landing) {
      const synced = await landing.durable;
      if (timing) {
        addMs('write', clock() - w - synced - busy);
        addMs('fsync', synced);
      }
    }
    if (segments) done.segments = segments;
    if (timing) {
      addPhase('shard', t);
      done.phases = phaseTimes();
      const now = threadSched();
      done.span = { shard: shard.index, thread: threadId, rows: shard.rowEnd - shard.rowStart, start: began!.at, end: epochMs(), cpu: now.cpu - began!.cpu, waited: now.waited - began!.waited };
    }
    return done;
  } catch (err) {
    return { ok: false, index: shard.index, error: shardError(task, err) };
  } finally {
    setWatch(undefined);
    timePhases(false);
  }
}

/**
 * Loads what a scenario's variables need (modules, files, models) and calls its callbacks
 * on a few rows (dry-run.ts), as `validate` does before saying ok.
 */
export interface LoadTask extends CarriesSources {
  type: 'load';
  scenario: Scenario;
  watch?: SharedArrayBuffer | undefined;
}

export async function runLoadTask(task: LoadTask): Promise<{ ok: true } | { ok: false; error: ErrorData }> {
  setWatch(task.watch);
  try {
    await prepareScenario(task.scenario);
    dryRunCallbacks(task.scenario);
    return { ok: true };
  } catch (err) {
    // Whatever fails while loading a scenario's inputs is a problem of the scenario's files.
    const data = errorData(err);
    return { ok: false, error: err instanceof ParanomError ? data : { ...data, code: 'SCENARIO_INVALID' } };
  } finally {
    setWatch(undefined);
  }
}



/** The first pass of uniqueness: attempt-0 fingerprints of a shard's rows. */
export interface FingerprintTask extends CarriesSources {
  type: 'fingerprint';
  scenario: Scenario;
  rowStart: number;
  rowEnd: number;
  /** Exact dense codes instead of fingerprints. */
  dense: boolean;
}

export type FingerprintResult = ({ ok: true } & ShardFingerprints) | { ok: false; error: ErrorData };

export async function runFingerprintTask(task: FingerprintTask): Promise<FingerprintResult> {
  try {
    await prepareScenario(task.scenario);
    // With min_effect an event it drops is normal rows, of the normal class (measured here as
    // the shards measure it: the outcome is a function of the event alone).
    const s = task.scenario;
    const kept = s.anomalies.mode !== 'none' && s.anomalies.minEffect ? (e: AnomalyEvent) => eventOutcome(s, e).kept : undefined;
    return { ok: true, ...fingerprintRows(s, task.rowStart, task.rowEnd, task.dense, kept) };
  } catch (err) {
    return { ok: false, error: errorData(err, { seed: task.scenario.seed, rowStart: task.rowStart, rowEnd: task.rowEnd }) };
  }
}
