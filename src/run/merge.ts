/**
 * Bringing a dataset together: `mergeManifests` joins the part manifests of a split run
 * into one dataset manifest; `mergeToFile` streams a whole dataset into one Parquet file
 * with bounded memory (one shard read at a time, row groups flushed as they fill).
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { parquetWasm } from '../formats/parquet-wasm.js';
import { basename, dirname, join, sep } from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { noRoom, ParanomError } from '../errors.js';
import { planGeneration } from '../plan/planner.js';
import { checkCoverage, ENTITIES_FILE, MANIFEST_FILE, PART_MANIFEST_RE, readManifest, requireFormatVersion, SEGMENTS_FILE, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import { ROW_GROUP_ROWS } from '../formats/parquet.js';
import { readArrowRows } from '../formats/read.js';
import { removeAbandonedTemps, uniqueTempName } from '../formats/unique-temp.js';
import { linkNew } from '../formats/files.js';
import { shardMetadata, writtenByParanom } from '../dataset/provenance.js';
import { sha256 } from './shard-task.js';
import { acquireLock, type Lock } from './lock.js';
import { checkOutputPath, followedFile, realPath } from './output-dir.js';
import { refuseForeign, removeTemporaries } from './ownership.js';
import { finishDataset } from './finish.js';
import { otherFormatExtension } from '../formats/parquet-name.js';
import { addReports, type ClassReport } from '../uniqueness/resolve.js';
import { rollForward } from './commit.js';
import { readRecords } from './state.js';
import { datasetHolding } from './dataset-holding.js';
import { differences, identityOf, nameDifference } from './identity.js';


/**
 * Joins manifest-part-K-of-N.json files in `out` into manifest.json (and the segment table).
 * With `checkFiles: false` only the manifests need to be present — for shards that already
 * sit in object storage beside them.
 */
export async function mergeManifests(out: string, options: { checkFiles?: boolean } = {}): Promise<Manifest> {
  // A wrong directory is the user's mistake (exit 2), as verify, grow and merge say of a missing dataset.
  if (!existsSync(out)) throw new ParanomError('USAGE', `${out}: no such directory`);
  if (!statSync(out).isDirectory()) throw new ParanomError('USAGE', `${out} is a file; merge-manifests takes the directory holding the part manifests`);
  checkOutputPath(out, 'merge-manifests');
  try {
    const lock = acquireLock(out, null, 'merge-manifests');
    try {
      return await mergeLocked(out, options);
    } finally {
      lock.release();
    }
  } catch (err) {
    throw noRoom(err, out, 'free some space and run merge-manifests again; the part manifests are as they were') ?? err;
  }
}

async function mergeLocked(out: string, options: { checkFiles?: boolean }): Promise<Manifest> {
  if (existsSync(join(out, MANIFEST_FILE)) && !readRecords(out).some((r) => r.source === MANIFEST_FILE)) refuseForeign(out, [MANIFEST_FILE]);
  // What a merge killed while writing left (its lock is ours now; the parts write none of these).
  removeTemporaries(out, [MANIFEST_FILE, SEGMENTS_FILE, ENTITIES_FILE]);
  const files = readdirSync(out).filter((f) => PART_MANIFEST_RE.test(f)).sort();
  // Merged already (the part manifests go once manifest.json is written): a pipeline that
  // runs this step again gets the dataset, not an error.
  if (files.length === 0 && readRecords(out).some((r) => r.source === MANIFEST_FILE)) return readManifest(out);
  if (files.length === 0) throw new ParanomError('USAGE', `${out}: no part manifests (manifest-part-K-of-N.json) to merge`);
  const parts = files.map((f) => ({ file: f, m: readManifest(out, f) }));
  for (const { file, m } of parts) requireFormatVersion(out, m, 'merge', file);
  const first = parts[0]!.m;
  const firstFile = parts[0]!.file;
  for (const { file, m } of parts) {
    if (!m.part) throw new ParanomError('DATASET_INVALID', `${file}: named as a part manifest, but it describes no part (no "part" entry); it was not written by paranom --part`, { file });
    // Parts of two runs are the user's to sort out (exit 2), said as each side's file and field.
    const what = partDifferences(first, firstFile, m, file);
    if (what.length > 0) throw new ParanomError('USAGE', `${file}: belongs to another run than ${firstFile} (${what.join('; ')}); merge only the part manifests of one split run`, { file, first: firstFile });
  }
  const n = first.part!.n;
  const seen = new Set(parts.map((p) => p.m.part!.k));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new ParanomError('USAGE', `${out}: ${missing.length === 1 ? `part ${missing[0]} of ${n} is` : `parts ${missing.join(', ')} of ${n} are`} missing; run ${missing.length === 1 ? 'it' : 'them'}, then merge again`);

  const plan = planGeneration(first.scenario, { format: first.format, shardRows: first.shard_rows });
  const shards = parts.flatMap((p) => p.m.shards).sort((a, b) => a.index - b.index);
  const expected = plan.shards.map((s) => `${s.index}:${s.rowStart}-${s.rowEnd}`).join(',');
  if (shards.map((s) => `${s.index}:${s.row_start}-${s.row_end}`).join(',') !== expected) {
    throw new ParanomError('DATASET_INVALID', `${out}: the parts' shards do not cover the dataset exactly once`);
  }
  for (const s of options.checkFiles === false ? [] : shards) {
    const path = join(out, s.file);
    if (!existsSync(path) || statSync(path).size !== s.bytes) throw new ParanomError('DATASET_INVALID', `${s.file}: missing or of the wrong size; copy every part's data/ into ${out}/data, or pass --no-check-files`);
  }
  const manifest = await finishDataset(out, first.scenario, plan, first.compression ?? 'snappy', shards, null, partsUniqueness(parts.map((p) => p.m)));
  for (const f of files) rmSync(join(out, f), { force: true });
  return manifest;
}

/**
 * The dataset's uniqueness figures from its parts': one series' last part resolved every
 * row, so its figures are the dataset's; a fleet's parts each count the entities whose
 * first shard they wrote (run-plan.ts), so theirs add up.
 */
function partsUniqueness(parts: Manifest[]): Manifest['uniqueness'] {
  const last = parts.reduce((a, p) => (p.part!.k > a.part!.k ? p : a));
  if (!last.scenario.entities || !last.uniqueness) return last.uniqueness;
  // A part without shards resolved nothing: its figures are zeros, its domain unknown (null).
  const add = (x: ClassReport, y: ClassReport): ClassReport => ({ ...addReports(x, y), domain: x.domain ?? y.domain });
  return parts.map((p) => p.uniqueness!).reduce((a, b) => ({ ...a, normal: add(a.normal, b.normal), anomalous: add(a.anomalous, b.anomalous) }));
}

/**
 * How part manifest `m` (file `file`) differs from `first` (file `firstFile`), field by
 * field: what the run's identity holds (seed, format, shard size, inputs, a fleet's names,
 * the scenario), the rows, and the number of parts. Empty when they are parts of one run.
 */
function partDifferences(first: Manifest, firstFile: string, m: Manifest, file: string): string[] {
  const id = identityOf(first);
  const other = identityOf(m);
  const sides = { there: `in ${firstFile}`, now: `in ${file}` };
  const what: string[] = [];
  if (JSON.stringify(other) !== JSON.stringify(id)) {
    // A fleet's names, for one, by the first entity that differs.
    const [a, b] = [first.scenario.entities?.names, m.scenario.entities?.names];
    what.push(...differences(id, other, b ?? null, a ?? null, sides));
    // A run may grow a fleet's names (a prefix is kept); the parts of one run name the same entities.
    const names = a && b ? nameDifference(a, b, sides) : undefined;
    if (names && !what.includes(names)) what.unshift(names);
    // differences() leaves out rows where growth may keep files; the parts of one run have the same rows.
    if (id.rows !== other.rows && id.growth_stable && other.growth_stable) what.push(`${id.rows} rows ${sides.there}, ${other.rows} ${sides.now}`);
    if (what.length === 0) {
      const fields = (Object.keys({ ...id, ...other }) as Array<keyof typeof id>).filter((k) => JSON.stringify(id[k]) !== JSON.stringify(other[k]));
      what.push(`${fields.join(', ')} differ`);
    }
  }
  if (m.part!.n !== first.part!.n) what.push(`part ${m.part!.k} of ${m.part!.n} ${sides.now}, part ${first.part!.k} of ${first.part!.n} ${sides.there}`);
  return what;
}

/** Checks `to` for `merge`: outside the dataset, not a directory, and new — or, with `force`, an earlier merge. */
function checkMergeTarget(out: string, to: string, force: boolean): string {
  if (typeof to !== 'string' || to.trim() === '') throw new ParanomError('USAGE', '--to must name a file, got an empty string');
  // Parquet bytes under another format's name would be misread by every tool that trusts the name.
  const ext = otherFormatExtension(to);
  if (ext !== undefined) throw new ParanomError('USAGE', `--to ${to} names a .${ext} file, but merge writes Parquet; name it .parquet`, { to });
  // A link is followed: checked and written where it leads, and stays a link.
  const abs = followedFile(to, '--to');
  const dataset = realPath(out);
  // Through symlinks too: a link to the dataset's data/ would put the merged file among its shards.
  const landing = join(realPath(dirname(abs)), basename(abs));
  if (landing === dataset || landing.startsWith(dataset + sep)) {
    throw new ParanomError('USAGE', `--to ${to} is inside the dataset ${out}; merging into the dataset would change it — write the merged file elsewhere`, { to });
  }
  // Nor into another dataset (its folder or its data/): --force would replace its shards
  // and segment table, which carry paranom's provenance as a merge does.
  const host = datasetHolding(dirname(landing));
  if (host !== undefined) {
    throw new ParanomError('USAGE', `--to ${to} is inside the dataset ${host}; merging into a dataset would change it — write the merged file elsewhere`, { to });
  }
  checkOutputPath(dirname(abs), '--to');
  if (!existsSync(dirname(abs))) throw new ParanomError('USAGE', `--to ${to}: the folder ${dirname(abs)} does not exist`, { to });
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw new ParanomError('USAGE', `--to ${to} is a directory; name the Parquet file to write`, { to });
    // --force replaces an earlier merge (a Parquet file with paranom's provenance), never a user's file.
    if (!writtenByParanom(abs)) throw new ParanomError('OUTPUT_EXISTS', `--to ${to} already exists and paranom did not write it; paranom never replaces it, with or without --force — choose another name or remove it`, { to });
    if (!force) throw new ParanomError('OUTPUT_EXISTS', `--to ${to} already exists; pass --force to replace it`, { to });
  }
  return abs;
}

/**
 * The dataset's lock for `merge`, which only reads it: none where the dataset is on a
 * read-only file system (an archive, a read-only mount), which no run can change either.
 */
function readersLock(out: string): Lock {
  try {
    return acquireLock(out, null, 'merge');
  } catch (err) {
    if (err instanceof ParanomError && err.details['errno'] === 'EROFS') return { release: () => undefined };
    throw err;
  }
}

/** The bytes of a shard, after checking they are what the manifest recorded (size, then SHA-256). */
function verifiedShard(out: string, s: ManifestShard): Uint8Array {
  const path = join(out, s.file);
  let bytes: Buffer;
  try {
    if (statSync(path).size !== s.bytes) throw new ParanomError('DATASET_INVALID', `${s.file}: ${statSync(path).size} bytes, the manifest says ${s.bytes}; the dataset is damaged — run 'paranom verify ${out}'`, { file: s.file });
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof ParanomError) throw err;
    throw new ParanomError('DATASET_INVALID', `${s.file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the dataset is incomplete — run 'paranom verify ${out}'`, { file: s.file });
  }
  if (sha256(bytes) !== s.sha256) throw new ParanomError('DATASET_INVALID', `${s.file}: SHA-256 differs from the manifest (the file was changed or corrupted); nothing was merged — run 'paranom verify ${out}'`, { file: s.file });
  return bytes;
}

/**
 * Streams the whole dataset in `out` into one Parquet file `to`. Every shard is checked
 * against the manifest before it is read, a read error fails the merge, and the rows
 * actually written are counted and must equal the dataset's.
 */
export async function mergeToFile(out: string, to: string, options: { force?: boolean } = {}): Promise<{ rows: number; bytes: number }> {
  const m = readManifest(out);
  requireFormatVersion(out, m, 'merge');
  if (m.format === 'csv') throw new ParanomError('USAGE', `${out} holds CSV shards; merge writes Parquet from Parquet or Arrow datasets`);
  const target = checkMergeTarget(out, to, options.force ?? false);
  const lock = readersLock(out);
  try {
    // Read again under the lock: a grow may have committed since, or been killed while
    // putting its committed files in place (completed first: they are the dataset).
    rollForward(out);
    const now = readManifest(out);
    checkCoverage(out, now);
    return await writeMerged(out, now, target, to, options.force ?? false);
  } finally {
    lock.release();
  }
}

async function writeMerged(out: string, m: Manifest, target: string, to: string, force: boolean): Promise<{ rows: number; bytes: number }> {
  const pw = parquetWasm();
  // Manifest order is the layout's order (a fleet's rectangles too).
  const shards = [...m.shards].sort((a, b) => a.index - b.index);
  let i = 0;
  let written = 0;
  // The first error while reading, kept: the writer reports a stream error only vaguely.
  let failure: unknown;
  const input = new ReadableStream({
    pull(ctrl) {
      try {
        const s = shards[i++];
        if (!s) {
          ctrl.close();
          return;
        }
        const bytes = verifiedShard(out, s);
        const table = m.format === 'parquet' ? pw.readParquet(bytes, { batchSize: 65536 }) : pw.Table.fromIPCStream(tableToIPC(readArrowRows(bytes, 0, s.rows), 'stream'));
        const batches = table.recordBatches();
        // The batches are copies: the table's own WebAssembly memory is let go now, not at
        // some later collection (held, it grew the merge by every shard it had read).
        table.free();
        const rows = batches.reduce((a, b) => a + b.numRows, 0);
        if (rows !== s.rows) throw new ParanomError('DATASET_INVALID', `${s.file}: holds ${rows} rows, the manifest says ${s.rows}`, { file: s.file });
        for (const b of batches) ctrl.enqueue(b);
        written += rows;
      } catch (err) {
        failure ??= err;
        throw err;
      }
    },
  });
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(m.compression === 'zstd' ? pw.Compression.ZSTD : m.compression === 'none' ? pw.Compression.UNCOMPRESSED : pw.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy('paranom')
    .setKeyValueMetadata(shardMetadata(m.scenario, { index: -1, rowStart: 0, rowEnd: m.rows }))
    .build();
  // This merge's own temporary beside the target: another merge writing the same target at
  // the same time has its own; what a killed merge left is removed here.
  removeAbandonedTemps(target);
  const tmp = uniqueTempName(target);
  let created = false;
  try {
    const stream = await pw.transformParquetStream(input, props);
    // Written as the encoder hands each piece over, synchronously: a piped file stream
    // queued the pieces faster than the disk took them, so memory grew with the output.
    const fd = openSync(tmp, 'wx');
    created = true;
    try {
      for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) writeAll(fd, piece);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (failure) throw failure;
    if (written !== m.rows) throw new ParanomError('DATASET_INVALID', `merge read ${written} rows, the manifest says ${m.rows}; nothing was written to ${to}`);
  } catch (err) {
    if (created) rmSync(tmp, { force: true });
    const e = failure ?? err;
    if (e instanceof ParanomError) throw e;
    throw new ParanomError('IO_FAILED', `merge into ${to} failed: ${(e as Error)?.message ?? String(e)}; nothing was written`, { to });
  }
  placeMerged(tmp, target, to, force);
  return { rows: written, bytes: statSync(target).size };
}

/** Writes all of `bytes` at `fd`'s position (a write may take fewer bytes than asked). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Puts the finished merge `tmp` at `target`. Without --force only where nothing is (a
 * hard link fails if a file appeared meanwhile, say another merge's); with it, over an
 * earlier merge only — checked again now, not just before the merge began.
 */
function placeMerged(tmp: string, target: string, to: string, force: boolean): void {
  try {
    if (force && existsSync(target) && !writtenByParanom(target)) {
      throw new ParanomError('OUTPUT_EXISTS', `--to ${to} was replaced while merging by a file paranom did not write; paranom never replaces it — nothing was written`, { to });
    }
    if (force) renameSync(tmp, target);
    else linkOrRefuse(tmp, target, to);
  } catch (err) {
    // The temporary goes: the message names the file asked for (a mount point there: EBUSY).
    const e = err as NodeJS.ErrnoException;
    if (e?.path === tmp) e.path = target;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function linkOrRefuse(tmp: string, target: string, to: string): void {
  if (!linkNew(tmp, target)) throw new ParanomError('OUTPUT_EXISTS', `--to ${to} appeared while merging (another merge into it?); nothing was written — pass --force to replace an earlier merge`, { to });
}
