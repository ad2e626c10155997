/**
 * `generate` and `grow`: scenario → plan → shard tasks on the worker pool → segment table
 * → manifest. The main thread only plans, tracks progress and writes the dataset-wide
 * files; the manifest comes last, so a directory without one is an unfinished run, which
 * the same command resumes (shards whose bytes match the journal are kept).
 */
import { runBounded, type Schedule } from './scheduler.js';
import { withCleanTwin } from '../anomaly/kinds/clean-twin.js';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { eventsStartingIn } from '../anomaly/events.js';
import { seedKey } from '../random/counter.js';
import { loadScenario, withOverrides } from '../reader/load.js';
import type { Scenario } from '../model/types.js';
import { planGeneration, type GenerationPlan, type OutputFormat, type ShardPlan } from '../plan/planner.js';
import { partLabel, selectPart, type Part } from '../plan/parts.js';
import { anomalySummary, buildManifest, MANIFEST_FILE, readManifest, SEGMENTS_FILE, writeManifest, type Manifest, type ManifestShard, type UniquenessSummary } from '../dataset/manifest.js';
import { encodeParquet, type ParquetCompression } from '../formats/parquet.js';
import { segmentTable } from '../dataset/segments.js';
import { cleanRowsOf } from '../generate/shard.js';
import { prepareScenario } from '../variables/registry.js';
import { scenarioHash, shardMetadata } from '../dataset/provenance.js';
import { writeFileAtomic } from '../formats/files.js';
import { createPool, defaultWorkers } from './pool.js';
import { isOwnEntry, Journal, partManifestFile, readRecords, removeTemporaries, reusable, type RunIdentity } from './state.js';
import type { ShardResult, ShardTask } from './shard-task.js';
import type { Piscina } from 'piscina';
import type { Resolution } from '../uniqueness/resolve.js';
import { startUniqueness } from './uniqueness-pass.js';
import { segmentsOf } from '../generate/event-outcome.js';
import type { Segment } from '../anomaly/effect.js';

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

/** Resolves a scenario (object or file path) with option overrides applied. */
function resolveScenario(scenario: Scenario | string, options: Pick<GenerateOptions, 'rows' | 'seed' | 'withClean'>): Scenario {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
  return withOverrides(options.withClean ? withCleanTwin(loaded) : loaded, { rows: options.rows, seed: options.seed });
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
  return `shard ${s.index} (rows ${s.rowStart}–${s.rowEnd - 1}), seed ${seed}`;
}

/**
 * Checks what `out` holds and returns the shards a run may reuse. A different dataset is
 * refused (or, with force, removed); foreign files are always refused.
 */
function prepareOutput(out: string, identity: RunIdentity, force: boolean, part: Part | null, own: readonly string[]): Map<number, ManifestShard> {
  const reuse = new Map<number, ManifestShard>();
  if (existsSync(out)) {
    const entries = readdirSync(out);
    const foreign = entries.filter((e) => !isOwnEntry(e));
    if (foreign.length > 0) {
      throw new ParanomError('OUTPUT_EXISTS', `output directory '${out}' holds files paranom did not write (${foreign.slice(0, 3).join(', ')}); choose an empty or paranom directory`, { out });
    }
    const records = readRecords(out);
    const compatible = records.filter((r) => reusable(r.identity, identity));
    const hasData = existsSync(join(out, 'data')) && readdirSync(join(out, 'data')).length > 0;
    if (entries.length > 0 && (compatible.length === 0 || compatible.length < records.length) && (records.length > 0 || hasData)) {
      if (!force) {
        const other = records.find((r) => !reusable(r.identity, identity));
        const why = other
          ? `holds a dataset of another scenario, seed, format or shard size (${other.source}: seed ${other.identity.seed}, ${other.identity.rows} rows, scenario ${other.identity.scenario_hash.slice(0, 12)}…)`
          : 'holds shard files without a manifest or journal';
        throw new ParanomError('OUTPUT_EXISTS', `output directory '${out}' ${why}; pass --force to replace it`, { out });
      }
      for (const e of entries) rmSync(join(out, e), { recursive: true, force: true });
    } else {
      for (const r of compatible) for (const s of r.shards) reuse.set(s.index, s);
    }
  }
  mkdirSync(join(out, 'data'), { recursive: true });
  removeTemporaries(out, part ? own : undefined);
  // This run's manifest goes away first: until it is rewritten, the directory is unfinished.
  rmSync(join(out, part ? partManifestFile(part) : MANIFEST_FILE), { force: true });
  if (!part) rmSync(join(out, SEGMENTS_FILE), { force: true });
  return reuse;
}

/** Deletes shard files of a whole-dataset run that its plan no longer has (a shrunk dataset). */
function removeStaleShards(out: string, plan: GenerationPlan): void {
  const keep = new Set(plan.shards.map((s) => s.file.slice('data/'.length)));
  for (const name of readdirSync(join(out, 'data'))) if (!keep.has(name)) rmSync(join(out, 'data', name), { force: true });
}

export async function generate(scenarioOrFile: Scenario | string, options: GenerateOptions): Promise<GenerateResult> {
  const scenario = resolveScenario(scenarioOrFile, options);
  const plan = planGeneration(scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}) });
  const compression = options.compression ?? 'snappy';
  const part = options.part ?? null;
  const shards = part ? selectPart(plan.shards, part) : plan.shards;
  const identity: RunIdentity = {
    scenario_hash: scenarioHash(scenario),
    seed: scenario.seed,
    rows: scenario.timeline.rows,
    format: plan.format,
    compression: plan.format === 'parquet' ? compression : null,
    shard_rows: plan.shardRows,
    growth_stable: plan.growthStable,
  };
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), Math.max(1, shards.length)));
  const pool = createPool(workers);
  try {
    return await runPlan(scenario, plan, shards, identity, compression, part, pool, options);
  } finally {
    // Already destroyed when a shard failed or the run was interrupted.
    await pool.destroy().catch(() => undefined);
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
): Promise<GenerateResult> {
  const out = options.out;
  const ownFiles = shards.map((s) => s.file);
  // Uniqueness resolves alongside generation; each shard waits for its rows' retries. Over
  // an existing dataset (resume, grow) it resolves first, so a hard failure leaves that
  // dataset exactly as it was; into a fresh directory it is pipelined with generation.
  const end = shards.length > 0 ? shards[shards.length - 1]!.rowEnd : 0;
  const fresh = readRecords(out).length === 0;
  const uniqueness = scenario.uniqueness && end > 0 ? startUniqueness(pool, scenario, plan.shards, end, workersOf(pool)) : undefined;
  if (uniqueness && !fresh) await uniqueness.done;
  const known = prepareOutput(out, identity, options.force ?? false, part, ownFiles);
  if (!part) removeStaleShards(out, plan);
  const carried = shards.flatMap((s) => {
    const k = known.get(s.index);
    return k && k.row_start === s.rowStart && k.row_end === s.rowEnd && k.file === s.file ? [k] : [];
  });
  const journal = Journal.start(out, part, identity, carried);

  const results: ManifestShard[] = [];
  const total = shards.reduce((a, s) => a + (s.rowEnd - s.rowStart), 0);
  let rowsDone = 0;
  let generated = 0;
  let reused = 0;
  let rowsGenerated = 0;
  if (shards.length > 0) {
    // Cancellation is cooperative (scheduler.ts): at most `workers` shard tasks are ever
    // submitted; on an error or Ctrl-C no further shard starts, the running ones finish,
    // then we clean up.
    const aborted = () => options.signal?.aborted === true;
    const runShard = async (shard: ShardPlan, _i: number, schedule: Schedule): Promise<void> => {
      const k = carried.find((c) => c.index === shard.index);
      const retries = uniqueness ? await uniqueness.retriesFor(shard) : undefined;
      if (schedule.halted()) return;
      const task: ShardTask = {
        scenario,
        shard,
        outDir: out,
        format: plan.format,
        compression,
        expect: k ? { sha256: k.sha256, bytes: k.bytes, anomalousRows: k.anomalous_rows } : undefined,
        retries,
      };
      const r = (await pool.run(task)) as ShardResult;
      if (!r.ok) throw ParanomError.fromData(r.error, describeShard(shard, scenario.seed));
      const entry: ManifestShard = { index: r.index, file: r.file, row_start: r.rowStart, row_end: r.rowEnd, rows: r.rowEnd - r.rowStart, bytes: r.bytes, sha256: r.sha256, anomalous_rows: r.anomalousRows };
      results.push(entry);
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
      removeTemporaries(out, part ? ownFiles : undefined);
      const err = failure?.error;
      if (err instanceof ParanomError && err.code === 'UNIQUENESS_FAILED') {
        // Only reachable in a fresh directory (see above): every shard file is this run's.
        for (const f of ownFiles) rmSync(join(out, f), { force: true });
        journal.remove();
      }
      if (failure) throw failure.error;
      throw new ParanomError('INTERRUPTED', `interrupted after ${results.length} of ${shards.length} shards; run the same command again to resume`, { done: results.length, shards: shards.length });
    }
  }
  results.sort((a, b) => a.index - b.index);
  const resolution = uniqueness ? await uniqueness.done : undefined;

  const manifest = await finishDataset(out, scenario, plan, compression, results, part, uniquenessSummary(scenario, resolution));
  journal.remove();
  return { plan, manifest, generated, reused, rowsGenerated, warnings: labelWarnings(manifest) };
}

/** Writes the segment table (whole datasets only) and the manifest, last. */
export async function finishDataset(out: string, scenario: Scenario, plan: GenerationPlan, compression: ParquetCompression, shards: ManifestShard[], part: Part | null, uniqueness: UniquenessSummary | null): Promise<Manifest> {
  const rows = scenario.timeline.rows;
  // Measuring events generates rows here, on the main thread: load what the variables need.
  if (!part && scenario.anomalies.mode !== 'none') await prepareScenario(scenario);
  const a = scenario.anomalies;
  // Every event is measured here, for its effect columns; a part run has no segment table.
  const { segments, dropped } = part ? { segments: [], dropped: -1 } : segmentsOf(scenario, eventsStartingIn(a, seedKey(scenario.seed), rows, 0, rows));
  if (!part) {
    const segMeta = shardMetadata(scenario, { index: -1, rowStart: 0, rowEnd: rows });
    writeFileAtomic(join(out, SEGMENTS_FILE), encodeParquet(segmentTable(scenario, segments, cleanRowsOf(scenario)), segMeta, compression));
  }
  const anomalousRows = shards.reduce((a, s) => a + s.anomalous_rows, 0);
  const manifest = buildManifest({
    scenario,
    format: plan.format,
    compression,
    shardRows: plan.shardRows,
    growthStable: plan.growthStable,
    shards,
    uniqueness,
    part: part ? { ...part, shards: plan.shards.length } : undefined,
    anomalies: anomalySummary(scenario, part ? null : { segments, dropped }, anomalousRows),
  });
  writeManifest(out, manifest, part ? partManifestFile(part) : MANIFEST_FILE);
  return manifest;
}

/** The manifest's uniqueness section: the key and, per class, what resolution did. */
function uniquenessSummary(s: Scenario, r: Resolution | undefined): UniquenessSummary | null {
  if (!s.uniqueness) return null;
  const none = (cls: 'normal' | 'anomalous') => ({ mode: s.uniqueness![cls].mode, tries: s.uniqueness![cls].tries, rows: 0, retried_rows: 0, non_unique_rows: 0, distinct_tuples: 0, domain: null });
  return { key: s.uniqueness.key, normal: r?.normal ?? none('normal'), anomalous: r?.anomalous ?? none('anomalous') };
}

/** `grow`: extends a complete dataset to `rows`; complete shards are kept as they are. */
export async function grow(out: string, rows: number, options: Omit<GenerateOptions, 'out' | 'rows' | 'seed' | 'format' | 'compression' | 'shardRows' | 'part'> = {}): Promise<GenerateResult> {
  const m = readManifest(out);
  if (m.part) throw new ParanomError('USAGE', `${out} holds one part (${partLabel(m.part)}); merge the parts first`);
  if (!m.growth_stable) {
    throw new ParanomError('USAGE', `${out} was generated with anomalies.count, which places events over the whole timeline; it cannot grow with its rows unchanged — generate it again with --rows ${rows}`);
  }
  if (!Number.isSafeInteger(rows) || rows <= m.rows) throw new ParanomError('USAGE', `grow needs more rows than the dataset has (${m.rows}), got ${rows}`);
  return generate(m.scenario, { ...options, out, rows, format: m.format, ...(m.compression ? { compression: m.compression } : {}), shardRows: m.shard_rows });
}

