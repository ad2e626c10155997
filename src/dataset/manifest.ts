/**
 * manifest.json: the dataset's provenance and index (D5). Written last and atomically, so
 * its presence means every shard it lists is complete.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { EventTally } from './event-tally.js';
import { firstRow, type AnomalyPlan, type DType, type Scenario } from '../model/types.js';
import type { EntityOrder } from '../model/entities.js';
import type { OutputFormat, ShardPlan } from '../plan/planner.js';
import type { ParquetCompression } from '../formats/parquet.js';
import type { ClassReport } from '../uniqueness/resolve.js';
import { engineFacts, recordedScenario, scenarioHash } from './provenance.js';
import { CLEAN_SUFFIX, twinnedVariables } from '../anomaly/kinds/clean-twin.js';
import { keepsGaps, nullableVariables } from '../generate/pipeline.js';
import { writeFileAtomic } from '../formats/files.js';
import { scenarioInputs } from '../variables/inputs.js';
import { ParanomError } from '../errors.js';
import { FORMAT_VERSION } from '../format.js';
import { ENGINE_VERSION } from '../version.js';

export const MANIFEST_FILE = 'manifest.json';
export const SEGMENTS_FILE = 'anomalies.parquet';
export const ENTITIES_FILE = 'entities.parquet';
/** A part manifest of a split run (`--part K/N`), which merge-manifests joins into manifest.json. */
export const PART_MANIFEST_RE = /^manifest-part-\d+-of-\d+\.json$/;

/** Rows of a dataset: the timeline's, times the entities of a fleet. */
export function datasetRows(s: Scenario): number {
  return s.timeline.rows * (s.entities?.count ?? 1);
}

export interface ManifestShard {
  index: number;
  file: string;
  row_start: number;
  row_end: number;
  rows: number;
  bytes: number;
  sha256: string;
  anomalous_rows: number;
  /** Fleets: the shard's entities [entity_start, entity_end); `rows` counts all of them. */
  entity_start?: number;
  entity_end?: number;
}

/** A fleet dataset's entities: the key column, how many, their order, rows per entity. */
export interface FleetSummary {
  key: string;
  count: number;
  order: EntityOrder;
  rows_per_entity: number;
  /** The per-entity table (entities.parquet): key, seed and drawn parameters. */
  entities_file: string;
}

export interface AnomalySummary {
  mode: AnomalyPlan['mode'];
  requested: { frequency?: number; count?: number; duration_rows?: [number, number] };
  /**
   * What the dataset holds (-1 where a part cannot know). `unchanged_rows`: labelled rows
   * whose values equal the clean series (every variable anomalies can reach).
   */
  realised: { events: number; anomalous_rows: number; fraction: number; truncated_events: number; unchanged_rows: number };
  /**
   * With `min_effect`: the threshold, attempts per event, and what the redraws did. With
   * `below: normal`, `dropped_events` counts the events kept in the values as unlabelled near misses.
   */
  min_effect?: { threshold: number; tries: number; redrawn_events: number; dropped_events: number; below?: 'normal' };
  segments_file: string;
}

export interface UniquenessSummary {
  key: string[];
  normal: ClassReport;
  anomalous: ClassReport;
}

export interface Manifest {
  format_version: number;
  engine: 'paranom';
  engine_version: string;
  prng: string;
  block_rows: number;
  scenario_hash: string;
  seed: number;
  /** Rows of the dataset (a fleet: all entities' rows; rows per entity in `entities`). */
  rows: number;
  format: OutputFormat;
  compression: ParquetCompression | null;
  shard_rows: number;
  growth_stable: boolean;
  /** Column names and types in file order; a trailing `?` marks a nullable column. */
  columns: Array<{ name: string; type: DType | `${DType}?` | 'timestamp[ms, UTC]' }>;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
  /** null when the scenario asks for no uniqueness. For one part: rows [0, part end). */
  uniqueness: UniquenessSummary | null;
  /** Present for a fleet (many series keyed by one column). */
  entities?: FleetSummary;
  /** Set on the manifest of one part of a split run; absent on a whole dataset. */
  part?: { k: number; n: number; shards: number };
  /**
   * The folder that the input files the scenario names (callback modules, source files,
   * VAE models) are relative to, relative to this dataset's folder; absent when the
   * scenario names no files.
   */
  inputs_dir?: string;
  scenario: Scenario;
}

/**
 * Requested against realised anomaly figures. `settled` tallies the dataset's kept events
 * and how many were dropped (null for one part of a split run, which cannot count them:
 * its realised figures are then -1).
 */
export function anomalySummary(s: Scenario, settled: EventTally | null, anomalousRows: number): AnomalySummary {
  const a = s.anomalies;
  const rows = datasetRows(s);
  return {
    mode: a.mode,
    requested: a.mode === 'frequency' ? { frequency: a.frequency, duration_rows: a.duration } : a.mode === 'count' ? { count: a.count, duration_rows: a.duration } : {},
    realised: settled
      ? {
          events: settled.events,
          anomalous_rows: anomalousRows,
          fraction: anomalousRows / rows,
          truncated_events: settled.truncated,
          unchanged_rows: settled.unchanged,
        }
      : { events: -1, anomalous_rows: anomalousRows, fraction: -1, truncated_events: -1, unchanged_rows: -1 },
    ...(a.mode !== 'none' && a.minEffect
      ? { min_effect: { threshold: a.minEffect.threshold, tries: a.minEffect.tries, redrawn_events: settled ? settled.redrawn : -1, dropped_events: settled ? settled.dropped : -1, ...(a.minEffect.below ? { below: a.minEffect.below } : {}) } }
      : {}),
    segments_file: SEGMENTS_FILE,
  };
}

export function buildManifest(args: {
  scenario: Scenario;
  format: OutputFormat;
  compression: ParquetCompression;
  shardRows: number;
  growthStable: boolean;
  shards: ManifestShard[];
  anomalies: AnomalySummary;
  uniqueness: UniquenessSummary | null;
  part?: { k: number; n: number; shards: number } | undefined;
}): Manifest {
  const s = args.scenario;
  const nullable = nullableVariables(s);
  const f = s.entities;
  return {
    ...engineFacts(s),
    rows: datasetRows(s),
    format: args.format,
    compression: args.format === 'parquet' ? args.compression : null,
    shard_rows: args.shardRows,
    growth_stable: args.growthStable,
    columns: [
      { name: 'timestamp', type: 'timestamp[ms, UTC]' },
      ...(f ? [{ name: f.key, type: f.names ? ('string' as const) : ('int32' as const) }] : []),
      ...s.variables.map((v) => ({ name: v.name, type: nullable.has(v.name) ? (`${v.dtype}?` as const) : v.dtype })),
      // --with-clean: each twin holds its variable without anomalies (null only at a kept source's gaps).
      ...(s.anomalies.cleanTwin ? twinnedVariables(s).map((v) => ({ name: v.name + CLEAN_SUFFIX, type: keepsGaps(v) ? (`${v.dtype}?` as const) : v.dtype })) : []),
      { name: 'is_anomaly', type: 'bool' as const },
      { name: 'anomaly_id', type: 'int64?' as const },
    ],
    shards: args.shards,
    anomalies: args.anomalies,
    uniqueness: args.uniqueness,
    ...(f ? { entities: { key: f.key, count: f.count, order: f.order, rows_per_entity: s.timeline.rows, entities_file: ENTITIES_FILE } } : {}),
    ...(args.part ? { part: args.part } : {}),
    scenario: s,
  };
}

/** True when the scenario names files (callback modules, sources, VAE models, a fleet's file of names). */
function namesFiles(s: Scenario): boolean {
  // grow --entities reads new names from entities.source, so it must resolve as the other inputs do.
  return scenarioInputs(s).length > 0 || s.entities?.source !== undefined;
}

/**
 * Writes a manifest: the recorded scenario, and where its inputs are relative to the
 * dataset (never an absolute path, D5). Returns what was written.
 */
export function writeManifest(outDir: string, m: Manifest, file = MANIFEST_FILE): Manifest {
  const { scenario, inputs_dir: _old, ...rest } = m;
  const inputs = namesFiles(scenario) ? { inputs_dir: relative(resolve(outDir), scenario.baseDir ?? process.cwd()).split(sep).join('/') || '.' } : {};
  const written: Manifest = { ...rest, ...inputs, scenario: recordedScenario(scenario) };
  writeFileAtomic(join(outDir, file), JSON.stringify(written, null, 2) + '\n');
  return written;
}

/** The fields of a manifest that identify a run (see run/state.ts). */
export type ManifestIdentity = Pick<Manifest, 'scenario_hash' | 'seed' | 'rows' | 'format' | 'compression' | 'shard_rows' | 'growth_stable'>;

export const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** True for a well-formed identity (a journal's first line, or a manifest's fields). */
export function isIdentity(x: unknown): x is ManifestIdentity {
  return (
    isObj(x) &&
    typeof x['scenario_hash'] === 'string' &&
    isCount(x['seed']) &&
    isCount(x['rows']) &&
    (x['format'] === 'parquet' || x['format'] === 'arrow' || x['format'] === 'csv') &&
    isCount(x['shard_rows']) &&
    (x['shard_rows'] as number) > 0 &&
    typeof x['growth_stable'] === 'boolean'
  );
}

/** True for a well-formed shard entry; its file must be a plain name under data/. */
export function isShardEntry(x: unknown): x is ManifestShard {
  return (
    isObj(x) &&
    isCount(x['index']) &&
    typeof x['file'] === 'string' &&
    /^data\/[A-Za-z0-9._-]+$/.test(x['file']) &&
    isCount(x['row_start']) &&
    isCount(x['row_end']) &&
    isCount(x['bytes']) &&
    typeof x['sha256'] === 'string' &&
    isCount(x['anomalous_rows'])
  );
}

/** True when parsed JSON is a paranom manifest (anything else in manifest.json is the user's). */
export function isParanomManifest(x: unknown): x is Manifest {
  return isObj(x) && x['engine'] === 'paranom' && isIdentity(x) && Array.isArray((x as Record<string, unknown>)['shards']) && ((x as Record<string, unknown>)['shards'] as unknown[]).every(isShardEntry) && isObj((x as Record<string, unknown>)['scenario']);
}

/** Refuses a manifest whose shards do not cover rows 0..rows-1 exactly once, in order (it was edited). */
export function checkCoverage(outDir: string, m: Manifest): void {
  const path = join(outDir, MANIFEST_FILE);
  if (m.entities) return checkFleetCoverage(path, m, m.entities);
  // A test split covers a later stretch of the timeline: rows [offset, offset + rows).
  const first = firstRow(m.scenario.timeline);
  let covered = first;
  for (const s of [...m.shards].sort((a, b) => a.row_start - b.row_start)) {
    if (s.row_start !== covered || s.row_end <= s.row_start || s.rows !== s.row_end - s.row_start) {
      throw new ParanomError('DATASET_INVALID', `${path}: shards do not cover rows ${first}–${first + m.rows - 1} once and in order (at ${s.file}); the manifest was edited or damaged`, { path });
    }
    covered = s.row_end;
  }
  if (covered - first !== m.rows) throw new ParanomError('DATASET_INVALID', `${path}: shards cover ${covered - first} rows, the manifest says ${m.rows}; the manifest was edited or damaged`, { path });
}

/** The index a splits run writes beside its split datasets (run/splits.ts). */
export const SPLITS_FILE = 'splits.json';

/**
 * The split `outDir` is, when the directory above it holds the splits.json of a splits run
 * that lists it (train_clean, train or test); undefined for a dataset of its own.
 */
function splitMembership(outDir: string): string | undefined {
  const abs = resolve(outDir);
  try {
    const index = JSON.parse(readFileSync(join(dirname(abs), SPLITS_FILE), 'utf8')) as { paranom_splits?: unknown; splits?: Array<{ dir?: unknown; name?: unknown }> };
    if (index.paranom_splits !== 1 || !Array.isArray(index.splits)) return undefined;
    const entry = index.splits.find((e) => e.dir === basename(abs));
    return typeof entry?.name === 'string' ? entry.name : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses to grow a splits run, or one split of it: a split grown alone would overlap the next (train into test) or part from the others. */
export function refuseSplitGrowth(outDir: string): void {
  if (existsSync(join(outDir, SPLITS_FILE))) throw new ParanomError('USAGE', `${outDir} holds splits (${SPLITS_FILE}); they grow together or not at all — generate the splits again with more rows (--rows) instead`, { path: outDir });
  const split = splitMembership(outDir);
  if (split !== undefined) throw new ParanomError('USAGE', `${outDir} is the ${split} split of ${dirname(resolve(outDir))} (${SPLITS_FILE}); growing one split would make it overlap or part from the others — generate the splits again with more rows (--rows) instead`);
}

/**
 * Why `dir`, named where a dataset was expected, has no manifest: a path that is no
 * directory, a splits run's directory (datasets, not one), a split run's parts not yet
 * merged, or an unfinished run. Each is the user's to act on (exit 2), said as what to do.
 */
function notADataset(dir: string): ParanomError {
  if (!existsSync(dir)) return new ParanomError('USAGE', `${dir}: no such dataset directory (expected a directory written by 'paranom generate')`, { path: dir });
  // A file of a dataset (its manifest, a shard) named instead of the dataset that holds it.
  if (!statSync(dir).isDirectory()) {
    const holder = dirname(resolve(dir));
    const inside = existsSync(join(holder, MANIFEST_FILE)) ? dirname(dir) : existsSync(join(dirname(holder), MANIFEST_FILE)) ? dirname(dirname(dir)) : undefined;
    return new ParanomError('USAGE', `${dir} is a file, not a dataset directory${inside !== undefined ? `; it is part of the dataset ${inside}: name that directory` : " (expected a directory written by 'paranom generate')"}`, { path: dir });
  }
  if (existsSync(join(dir, SPLITS_FILE))) return new ParanomError('USAGE', `${dir} holds splits (${SPLITS_FILE}), one dataset each: name one of them, such as ${join(dir, 'train')}`, { path: dir });
  const parts = readdirSync(dir).filter((f) => PART_MANIFEST_RE.test(f)).sort();
  // The data folder named instead of the dataset that holds it (a path completed one level too far).
  const parent = dirname(resolve(dir));
  if (basename(resolve(dir)) === 'data' && existsSync(join(parent, MANIFEST_FILE))) return new ParanomError('USAGE', `${dir}: the data folder of the dataset ${dirname(dir)}; name the dataset itself`, { path: dir });
  if (parts.length > 0) return new ParanomError('USAGE', `${dir}: holds the parts of a split run (${parts.join(', ')}), not yet one dataset; run 'paranom merge-manifests ${dir}' once every part's files are together`, { path: dir });
  return new ParanomError('USAGE', `${dir}: not a complete paranom dataset (no ${MANIFEST_FILE}; an interrupted run resumes when its command is run again)`, { path: dir });
}

/** Reads a dataset's manifest; a missing or unreadable one is a user-facing error. */
export function readManifest(outDir: string, file = MANIFEST_FILE): Manifest {
  const path = join(outDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (file === MANIFEST_FILE) throw notADataset(outDir);
    throw new ParanomError('DATASET_INVALID', `${path}: no manifest — not a complete paranom dataset (an interrupted run resumes when its command is run again)`, { path });
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new ParanomError('DATASET_INVALID', `${path}: unreadable manifest (${(err as Error).message})`, { path });
  }
  if (!isParanomManifest(m)) {
    throw new ParanomError('DATASET_INVALID', `${path}: not a paranom manifest (it lacks the engine, identity, shards or scenario a paranom dataset records); paranom reads only datasets it wrote`, { path });
  }
  // Commands regenerate from the recorded scenario: one edited by hand (a key removed, a value
  // of another type) would fail inside generation, so it must still hash to what the dataset
  // records. Only this data-format version's hash is known here.
  if (m.format_version === FORMAT_VERSION && (m.seed !== (m.scenario as { seed?: unknown }).seed || scenarioHash(m.scenario) !== m.scenario_hash)) {
    throw new ParanomError('DATASET_INVALID', `${path}: its scenario does not give its scenario_hash and seed (the manifest was edited or damaged); paranom reads only datasets it wrote`, { path });
  }
  // Input files resolve against the folder the manifest names, relative to the dataset (legacy: the working directory).
  return { ...m, scenario: { ...m.scenario, baseDir: typeof m.inputs_dir === 'string' ? resolve(outDir, m.inputs_dir) : process.cwd() } };
}

/**
 * Refuses, for a command that adds to a dataset or regenerates parts of it (grow, verify,
 * merge), a dataset written in another data-format version: its shards, provenance and
 * segment table are not what this paranom writes, and mixing them would give a dataset of
 * two formats. Reading it (report, eval) needs no such check.
 */
export function requireFormatVersion(outDir: string, m: Manifest, command: string, file = MANIFEST_FILE): void {
  if (m.format_version === FORMAT_VERSION) return;
  const path = join(outDir, file);
  const was = typeof m.format_version === 'number' ? `data-format version ${m.format_version}` : 'a data-format version it does not record';
  throw new ParanomError(
    'USAGE',
    `${path}: written in ${was} (paranom ${String(m.engine_version)}); this paranom (${ENGINE_VERSION}) can ${command} only datasets of version ${FORMAT_VERSION} — generate the dataset again into another directory with this version (report and eval still read the old one)`,
    { path, format_version: m.format_version ?? null },
  );
}

/**
 * Refuses a fleet manifest whose shards do not tile entities × rows exactly once: each
 * shard inside the fleet, rows consistent, and per elementary entity range the row
 * ranges contiguous from 0 to rows per entity.
 */
function checkFleetCoverage(path: string, m: Manifest, f: FleetSummary): void {
  const bad = (why: string) => new ParanomError('DATASET_INVALID', `${path}: shards do not cover ${f.count} entities × ${f.rows_per_entity} rows once (${why}); the manifest was edited or damaged`, { path });
  // A fleet's test split covers a later stretch of each entity's timeline: rows [first, first + rows per entity).
  const first = firstRow(m.scenario.timeline);
  const end = first + f.rows_per_entity;
  const cuts = new Set<number>([0, f.count]);
  for (const s of m.shards) {
    const es = s.entity_start;
    const ee = s.entity_end;
    if (es === undefined || ee === undefined || !(es < ee) || ee > f.count || !(first <= s.row_start && s.row_start < s.row_end) || s.row_end > end || s.rows !== (ee - es) * (s.row_end - s.row_start)) throw bad(`at ${s.file}`);
    cuts.add(es).add(ee);
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const e = bounds[i]!;
    const ranges = m.shards.filter((s) => s.entity_start! <= e && s.entity_end! > e).map((s) => [s.row_start, s.row_end] as const).sort((a, b) => a[0] - b[0]);
    let covered = first;
    for (const [a, b] of ranges) {
      if (a !== covered) throw bad(`entity ${e}, row ${covered}`);
      covered = b;
    }
    if (covered !== end) throw bad(`entity ${e} ends at row ${covered}`);
  }
}

/** A manifest's shard entry as the planner's shard. */
export function shardPlanOf(s: ManifestShard): ShardPlan {
  return { index: s.index, file: s.file, rowStart: s.row_start, rowEnd: s.row_end, ...(s.entity_start !== undefined ? { entityStart: s.entity_start, entityEnd: s.entity_end! } : {}) };
}
