/**
 * `verify`: proves a dataset on disk is what its manifest says. Every shard is re-hashed;
 * a sample of blocks is regenerated from the scenario and compared value by value with
 * the file (D2/D3 on the user's own data); the segment table is regenerated and compared.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { BLOCK_ROWS } from '../format.js';
import { endRow, firstRow } from '../model/types.js';
import { generateShard, retriesIn, type Retries } from '../generate/shard.js';
import { planGeneration } from '../plan/planner.js';
import { createPool, defaultWorkers } from './pool.js';
import { startUniqueness, type UniquenessRun } from './uniqueness-pass.js';
import { startFleetUniqueness } from './fleet-uniqueness.js';
import { shardTable } from '../formats/arrow-table.js';
import { readArrowTable } from '../formats/read.js';
import { readParquetRange } from '../formats/parquet-batches.js';
import { shardMetadata } from '../dataset/provenance.js';
import { ENTITIES_FILE, MANIFEST_FILE, readManifest, requireFormatVersion, SEGMENTS_FILE, shardPlanOf, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import { entityTable } from '../dataset/entities.js';
import { segmentTableChunks } from './labels.js';
import { cell, compareTableFile } from './table-check.js';
import { encodeShard, sha256 } from './shard-task.js';
import { prepareScenario } from '../variables/registry.js';
import { checkInputs } from '../variables/inputs.js';
import { ownNames, ownOrTemporary } from './ownership.js';
import { checkCount, MAX_SAMPLE_BLOCKS } from './run-counts.js';
import { journalFile, JOURNAL_RE, readRecords } from './state.js';
import { lockHolder } from './lock.js';
import { ParanomError } from '../errors.js';
import { fileSha256 } from '../input/file-hash.js';

export interface VerifyOptions {
  /** Blocks to regenerate and compare (default 8, spread over the dataset; 0 for none). */
  sampleBlocks?: number;
  /** Rows of the segment and entity tables regenerated and read at a time (default TABLE_PIECE_ROWS). */
  tableRows?: number;
}

export interface VerifyReport {
  ok: boolean;
  shardsChecked: number;
  blocksCompared: number;
  /** The most rows of the segment or entity table held at once (regenerated or read): what their comparison's memory grows with. */
  tableRowsAtOnce: number;
  problems: string[];
  /** What the dataset's folder holds beside it that is no problem of the dataset's: an unfinished run over it. */
  notes: string[];
}

/** Block starts to sample: evenly spread, always including the first and the last block. */
function sampleBlockStarts(rows: number, count: number): number[] {
  const blocks = Math.ceil(rows / BLOCK_ROWS);
  if (count <= 0 || blocks === 0) return [];
  const n = Math.min(count, blocks);
  const picks = new Set<number>();
  for (let i = 0; i < n; i++) picks.add(n === 1 ? 0 : Math.round((i * (blocks - 1)) / (n - 1)));
  return [...picks].sort((a, b) => a - b).map((b) => b * BLOCK_ROWS);
}

/** Names the first differing row of each column, or returns nothing when tables agree. */
function compareTables(expected: Table, actual: Table, rowStart: number, file: string): string[] {
  const problems: string[] = [];
  if (actual.numRows !== expected.numRows) return [`${file}: block at row ${rowStart} has ${actual.numRows} rows, expected ${expected.numRows}`];
  for (const f of expected.schema.fields) {
    const e = expected.getChild(f.name);
    const a = actual.getChild(f.name);
    if (!a || !e) {
      problems.push(`${file}: column '${f.name}' is missing`);
      continue;
    }
    for (let i = 0; i < expected.numRows; i++) {
      const x = cell(e.get(i));
      const y = cell(a.get(i));
      if (x !== y) {
        problems.push(`${file}: column '${f.name}' differs at row ${rowStart + i}: file has ${y}, the scenario gives ${x}`);
        break;
      }
    }
  }
  return problems;
}

function checkShardFile(out: string, s: ManifestShard): string | undefined {
  const path = join(out, s.file);
  if (!existsSync(path)) return `${s.file}: missing`;
  const size = statSync(path).size;
  if (size !== s.bytes) return `${s.file}: ${size} bytes, the manifest says ${s.bytes}`;
  // Hashed 16 MiB at a time: a shard may be larger than memory allows at once.
  if (fileSha256(path) !== s.sha256) return `${s.file}: SHA-256 differs from the manifest (the file was changed or corrupted)`;
  return undefined;
}

/** An unquoted field holding a whole number written with ".0", as CSV now writes a whole float. */
const WHOLE_FLOAT_MARK = /(^|,)(-?\d+)\.0(?=,|$)/gm;

/** An unquoted negative zero ("-0" once its ".0" is gone), which CSV wrote as "0" before it kept the sign. */
const NEGATIVE_ZERO = /(^|,)-0(?=,|$)/gm;

/**
 * CSV shards written before floats kept their ".0" hold a whole float as "3": the same
 * values, so such a dataset is not reported as changed; nor one written before a negative
 * zero kept its sign. Both sides lose the marks alike.
 */
function sameWithoutWholeFloatMarks(regenerated: Uint8Array, file: Uint8Array): boolean {
  const plain = (b: Uint8Array) => Buffer.from(b).toString('utf8').replace(WHOLE_FLOAT_MARK, '$1$2').replace(NEGATIVE_ZERO, (_, at: string) => `${at}0`);
  return plain(regenerated) === plain(file);
}

/** Compares one block of a Parquet or Arrow shard, read by `read(offset, limit)`, with the scenario's rows. */
function compareBlock(s: ManifestShard, blockStart: number, m: Manifest, retries: Retries | undefined, read: (offset: number, limit: number) => Table): string[] {
  const blockEnd = Math.min(blockStart + BLOCK_ROWS, s.row_end);
  const expected = shardTable(generateShard(m.scenario, blockStart, blockEnd, retriesIn(retries, blockStart, blockEnd)));
  let actual: Table;
  try {
    actual = read(blockStart - s.row_start, blockEnd - blockStart);
  } catch (err) {
    return [`${s.file}: cannot be read (${(err as Error).message})`];
  }
  return compareTables(expected, actual, blockStart, s.file);
}

/**
 * Compares the sampled blocks starting at `blockStarts` (rows of shard `s`) with the
 * scenario's rows. A shard is read once however many blocks it holds; of a Parquet shard
 * only the row groups holding a block are read, from disk, so memory is a row group.
 */
function compareShard(out: string, m: Manifest, s: ManifestShard, blockStarts: readonly number[], retries: Retries | undefined): string[] {
  const path = join(out, s.file);
  if (!existsSync(path)) return [];
  if (m.format === 'csv') {
    // CSV holds no typed values to compare: regenerate the whole shard and compare bytes.
    // With uniqueness the shard's rows take their resolved attempts, as when it was written.
    const { bytes } = encodeShard({ scenario: m.scenario, shard: { index: s.index, rowStart: s.row_start, rowEnd: s.row_end, file: s.file }, format: 'csv', compression: 'snappy', retries: retriesIn(retries, s.row_start, s.row_end) });
    const file = readFileSync(path);
    if (sha256(bytes) === sha256(file) || sameWithoutWholeFloatMarks(bytes, file)) return [];
    return [`${s.file}: regenerated rows ${s.row_start}–${s.row_end - 1} differ from the file`];
  }
  let read: (offset: number, limit: number) => Table;
  if (m.format === 'arrow') {
    // An Arrow IPC shard is read whole, once: its batches are found by reading it.
    let whole: Table;
    try {
      whole = readArrowTable(readFileSync(path));
    } catch (err) {
      return [`${s.file}: cannot be read (${(err as Error).message})`];
    }
    read = (offset, limit) => whole.slice(offset, offset + limit);
  } else {
    read = (offset, limit) => readParquetRange(path, offset, limit);
  }
  return blockStarts.flatMap((start) => compareBlock(s, start, m, retries, read));
}

/** Rows of a dataset-wide table regenerated and read at a time (a Parquet page of the segment table). */
export const TABLE_PIECE_ROWS = 65_536;

/**
 * The segment table (and a fleet's entity table): regenerated from the scenario a piece at
 * a time and compared value by value with the file, read a few pages at a time, with the
 * provenance it must carry. Returns the problems and the most rows held at once.
 */
function checkTables(out: string, m: Manifest, pieceRows: number): { problems: string[]; mostRows: number } {
  const meta = shardMetadata(m.scenario, { index: -1, rowStart: firstRow(m.scenario.timeline), rowEnd: endRow(m.scenario.timeline) });
  const problems: string[] = [];
  let mostRows = 0;
  // A CSV or Arrow manifest names no compression: the CLI writes their tables with snappy.
  const compressions = m.compression === 'zstd' ? [] : m.compression ? [m.compression] : (['snappy', 'none'] as const);
  const check = (file: string, what: string, pieces: () => Iterable<Table>, rowLabel?: (t: Table, row: number) => string) => {
    const path = join(out, file);
    if (!existsSync(path)) return problems.push(`${file}: missing`);
    const r = compareTableFile(path, pieces(), { pieceRows, metadata: meta, compressions, ...(rowLabel ? { rowLabel } : {}) });
    mostRows = Math.max(mostRows, r.mostRows);
    // One line a file, its differences after it.
    return r.differences.length > 0 ? problems.push(`${file}: differs from the ${what} the scenario gives: ${r.differences.join('; ')}`) : 0;
  };
  const f = m.scenario.entities;
  // A differing row of the segment table is said with its event (and its entity, in a fleet).
  check(SEGMENTS_FILE, 'events', () => segmentTableChunks(m.scenario, pieceRows), (t, row) => {
    const key = f ? t.getChild(f.key)?.get(row) : undefined;
    return ` (event ${cell(t.getChild('id')?.get(row))}${f ? (key === null ? ', a fleet outage' : ` of ${f.key} ${cell(key)}`) : ''})`;
  });
  if (m.entities && f) {
    check(ENTITIES_FILE, 'entities and parameters', function* () {
      for (let e = 0; e < f.count; e += pieceRows) yield entityTable(m.scenario, e, Math.min(f.count, e + pieceRows));
      if (f.count === 0) yield entityTable(m.scenario, 0, 0);
    });
  }
  return { problems, mostRows };
}

async function resolvePrefix(m: Manifest, end: number): Promise<Retries> {
  const plan = planGeneration(m.scenario, { format: m.format, shardRows: m.shard_rows });
  const workers = Math.max(1, Math.min(defaultWorkers(), plan.shards.length));
  const pool = createPool(workers);
  try {
    return await startUniqueness(pool, m.scenario, plan.shards, plan.shards.find((s) => s.rowEnd >= end)?.rowEnd ?? endRow(m.scenario.timeline), workers).done;
  } finally {
    await pool.destroy();
  }
}

/** Uniqueness of the sampled fleet shards' entities, resolved on a pool of its own. */
async function fleetRetries(m: Manifest, shards: ManifestShard[]): Promise<UniquenessRun> {
  const plans = shards.map(shardPlanOf);
  const workers = Math.max(1, defaultWorkers());
  const pool = createPool(workers);
  const run = startFleetUniqueness(pool, m.scenario, plans, m.shard_rows, workers);
  try {
    await run.done;
  } finally {
    await pool.destroy();
  }
  return run;
}

/**
 * Verifies the dataset in `out`. `verify` takes no lock (a dataset may sit on a read-only
 * disk), so a grow committing beside it, or one killed while committing, changes files
 * under it: problems found then are said as that, never as damage.
 */
export async function verify(out: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  // As `--sample` is checked: NaN, −1 or 1.5 from a library caller would sample no block, or a wrong number, without a word.
  checkCount('sampleBlocks', options.sampleBlocks, MAX_SAMPLE_BLOCKS, 0);
  const before = manifestText(out);
  let report: VerifyReport;
  try {
    report = await verifyOnce(out, options);
  } catch (err) {
    throw (err instanceof ParanomError && err.code !== 'DATASET_INVALID' ? undefined : changing(out, before)) ?? err;
  }
  if (!report.ok) {
    const e = changing(out, before);
    if (e) throw e;
  }
  return report;
}

function manifestText(out: string): string | undefined {
  try {
    return readFileSync(join(out, MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

/** Why `out` is not what its manifest says without being damaged: a run is changing it, or a commit was left unfinished. */
function changing(out: string, before: string | undefined): ParanomError | undefined {
  const holder = lockHolder(out);
  if (holder || manifestText(out) !== before) {
    const who = holder?.pid ? `process ${holder.pid} on host ${holder.host}${holder.command ? ` (${holder.command})` : ''}` : 'another run';
    return new ParanomError('OUTPUT_LOCKED', `${out} was being changed by ${who} while verify read it; verify again once that run has ended`, { out });
  }
  if (readRecords(out).some((r) => r.source === journalFile(null) && r.committed)) {
    return new ParanomError('DATASET_INVALID', `${out}: a grow (or rerun) was stopped while putting its committed files in place (${journalFile(null)} records them); run the same command again to complete it, then verify`, { out });
  }
  return undefined;
}

async function verifyOnce(out: string, options: VerifyOptions): Promise<VerifyReport> {
  const m = readManifest(out);
  requireFormatVersion(out, m, 'verify');
  // Inputs first: a changed module or file must be named, not reported as differing values.
  checkInputs(m.scenario);
  const starts = sampleBlockStarts(m.rows, options.sampleBlocks ?? 8).map((r) => r + firstRow(m.scenario.timeline));
  // Sampled blocks and the segment table's effect figures are generated from the variables.
  if (starts.length > 0 || m.scenario.anomalies.mode !== 'none') await prepareScenario(m.scenario);
  const problems: string[] = [];
  for (const s of m.shards) {
    const p = checkShardFile(out, s);
    if (p) problems.push(p);
  }
  const listed = new Set(m.shards.map((s) => s.file.slice('data/'.length)));
  // Files of an unfinished run over this dataset (an interrupted grow) are not the dataset's yet.
  const journals = readRecords(out).filter((r) => JOURNAL_RE.test(r.source));
  const unfinished = ownNames(journals, []);
  // A grow (or rerun) killed before its commit left the dataset as it was: said, not a problem.
  const notes = journals
    .filter((r) => r.staged && !r.committed)
    .map((r) => `${r.source} records an unfinished run over this dataset (to ${r.identity.rows.toLocaleString('en-US')} rows, ${r.shards.length} shard(s) written); until it completes the dataset is as its manifest says — run the same grow again to complete it`);
  if (existsSync(join(out, 'data'))) {
    for (const name of readdirSync(join(out, 'data'))) if (!listed.has(name) && !ownOrTemporary(`data/${name}`, unfinished)) problems.push(`data/${name}: not listed in the manifest`);
  }
  const covered = m.shards.reduce((a, s) => a + s.rows, 0);
  if (covered !== m.rows) problems.push(`manifest: shards cover ${covered} rows, the dataset has ${m.rows}`);

  let blocksCompared = 0;
  if (m.entities) {
    // A fleet: sampled shards are regenerated whole and compared byte for byte.
    const sampled = sampleBlockStarts(m.shards.length * BLOCK_ROWS, options.sampleBlocks ?? 8).map((i) => m.shards[i / BLOCK_ROWS]!);
    const retries = m.scenario.uniqueness && sampled.length > 0 ? await fleetRetries(m, sampled) : undefined;
    for (const s of sampled) {
      if (!existsSync(join(out, s.file))) continue;
      const { bytes } = encodeShard({ scenario: m.scenario, shard: shardPlanOf(s), format: m.format, compression: m.compression ?? 'snappy', entityRetries: await retries?.entityRetriesFor?.(shardPlanOf(s)) });
      if (sha256(bytes) !== s.sha256) problems.push(`${s.file}: regenerated entities ${s.entity_start}–${s.entity_end! - 1}, rows ${s.row_start}–${s.row_end - 1} differ from the manifest's hash`);
      blocksCompared++;
    }
  }
  // Uniqueness retries depend on every earlier row: resolve them up to the last sampled block.
  const retries = m.scenario.uniqueness && !m.entities && starts.length > 0 ? await resolvePrefix(m, Math.min(endRow(m.scenario.timeline), starts[starts.length - 1]! + BLOCK_ROWS)) : undefined;
  const byShard = new Map<ManifestShard, number[]>();
  for (const start of m.entities ? [] : starts) {
    const s = m.shards.find((x) => start >= x.row_start && start < x.row_end);
    if (s) byShard.set(s, [...(byShard.get(s) ?? []), start]);
  }
  for (const [s, blockStarts] of byShard) {
    problems.push(...compareShard(out, m, s, blockStarts, retries));
    blocksCompared += blockStarts.length;
  }

  const tables = checkTables(out, m, options.tableRows ?? TABLE_PIECE_ROWS);
  problems.push(...tables.problems);
  return { ok: problems.length === 0, shardsChecked: m.shards.length, blocksCompared, tableRowsAtOnce: tables.mostRows, problems, notes };
}
