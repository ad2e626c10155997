/**
 * The head start of a run whose pool starts with one worker (one shard, or `--workers 1`):
 * while the main thread is still loading the command line and planning, the worker the
 * binary prestarted (cli/prestart.ts) reads the same scenario file and generates and
 * encodes the first shard in memory. When the run's
 * shard task arrives, the worker writes those bytes (hashing them and measuring their
 * events while they go to the disk) if the task asks for exactly what was generated
 * (the same resolved scenario, shard, format and compression);
 * anything else discards them and the task runs as usual. Generation is a pure function
 * of the task (D1), so the file is the same either way; only when it is ready differs.
 *
 * A head start writes nothing and reports nothing: any failure (a bad scenario, a value
 * that does not fit) is left to the run itself, which meets it again and says so.
 * Scenarios with user code (callback modules), uniqueness retries, entities or splits get
 * no head start: user code runs only under the run's watchdog, and the others need what
 * only the main thread decides. Nor does a scenario replaying a large source file: the
 * main thread parses it once for the workers, and a head start would parse it beside it.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import type { ParquetCompression } from '../formats/parquet.js';
import type { Scenario } from '../model/types.js';
import { planGeneration, type OutputFormat, type ShardPlan } from '../plan/planner.js';
import { prepareScenario } from '../variables/registry.js';
import { resolveScenario, type ScenarioOptions } from './resolve-scenario.js';
import { encodeShardFile, workerShardBuffers, type ShardTask } from './shard-task.js';
import type { FileParts } from '../formats/files.js';

/** What the binary read from its raw arguments: a scenario file and the options that shape its first shard. */
export interface HeadStartTask extends ScenarioOptions {
  type: 'head-start';
  /** The scenario file, as given on the command line (the worker shares the process's working directory). */
  scenario: string;
  format: OutputFormat;
  compression: ParquetCompression;
}

/** A shard generated ahead of its task. */
export interface EarlyShard {
  scenario: Scenario;
  shard: ShardPlan;
  format: OutputFormat;
  compression: ParquetCompression;
  /**
   * The encoded file (a Parquet file as its writer's parts, views of the worker's column
   * buffers among them): valid until this worker generates another shard.
   */
  file: Uint8Array | FileParts;
  anomalousRows: number;
}

/** This worker's shard generated ahead, if any. */
let early: EarlyShard | null = null;

/** The head start under way in this worker, if any: settles once `early` is set or given up. */
let pending: Promise<void> | null = null;

/** Whether a head start may run this scenario: no user code, nothing the main thread must decide first. */
function headStartAllowed(s: Scenario): boolean {
  return !s.uniqueness && !s.entities && !s.splits && s.variables.every((v) => v.type !== 'callback');
}

/** Source files above this size are left to the main thread (see the module comment). */
const HEAD_START_SOURCE_BYTES = 8 << 20;

/**
 * Whether a scenario file names a source file above that size: a glance at the raw document,
 * before validation would parse the file. A document without the word `source` declares no
 * source variable, and is not parsed here: on the head start's path, in a worker that has
 * run no YAML yet, that parse was the slowest step before generation.
 */
function namesLargeSource(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('source')) return false;
    const doc = parse(text) as { variables?: Record<string, { type?: unknown; file?: unknown } | null> } | null;
    return Object.values(doc?.variables ?? {}).some((v) => v?.type === 'source' && typeof v.file === 'string' && statSync(resolve(dirname(file), v.file)).size > HEAD_START_SOURCE_BYTES);
  } catch {
    // Whatever is wrong with the file, the run reports it.
    return false;
  }
}

/**
 * Starts a head start in this worker (see the module comment) after the current task has
 * returned, so that the pool's first task ends at once and the run's shard task, which
 * meanwhile reaches this worker, waits here (`headStartSettled`) instead of going back
 * through the main thread's queue. The pool must not park its idle worker in
 * `Atomics.wait` (run/pool.ts), or the head start would wait for the next task.
 */
export function startHeadStart(task: HeadStartTask): void {
  early = null;
  pending = new Promise<void>((resolve) => setImmediate(resolve)).then(() => generateAhead(task));
}

/** Runs a head start here and now; resolves once the shard is ready or given up. */
export async function runHeadStart(task: HeadStartTask): Promise<void> {
  startHeadStart(task);
  await headStartSettled();
}

/** Settles once no head start is under way in this worker (at once when none was started). */
export function headStartSettled(): Promise<void> {
  return pending ?? Promise.resolve();
}

async function generateAhead(task: HeadStartTask): Promise<void> {
  try {
    if (namesLargeSource(task.scenario)) return;
    const scenario = resolveScenario(task.scenario, task);
    if (!headStartAllowed(scenario)) return;
    const shard = planGeneration(scenario, { format: task.format }).shards[0];
    if (!shard) return;
    await prepareScenario(scenario);
    const { file, anomalousRows } = encodeShardFile({ scenario, shard, format: task.format, compression: task.compression }, workerShardBuffers);
    // Its hash and its events for the segment table are left to the shard task, which
    // computes them while the shard goes to the disk.
    early = { scenario, shard, format: task.format, compression: task.compression, file, anomalousRows };
  } catch {
    // The run meets the same problem on the main thread or in its own task, and reports it there.
    early = null;
  } finally {
    pending = null;
  }
}

/**
 * The shard generated ahead when `task` asks for exactly it, else undefined. Either way
 * the head start is used up: its file lives in buffers the next shard reuses.
 */
export function takeHeadStart(task: ShardTask): EarlyShard | undefined {
  const e = early;
  early = null;
  if (!e || task.phases || task.retries || task.entityRetries) return undefined;
  if (task.format !== e.format || task.compression !== e.compression) return undefined;
  return isDeepStrictEqual(task.shard, e.shard) && isDeepStrictEqual(task.scenario, e.scenario) ? e : undefined;
}
