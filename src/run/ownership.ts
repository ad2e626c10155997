/**
 * What paranom owns in an output directory. It removes or replaces only files that a
 * manifest or journal of its own records, by exact name — the shards they list, the files
 * their plan names, and its fixed files beside them — plus temporaries of exactly those
 * names (named as no user names a file: formats/unique-temp.ts) and, while a staged run is
 * recorded, their pending copies. Everything else is the user's: it is never removed, and
 * its presence stops a run (`--force` replaces an older paranom dataset, never a file
 * paranom did not write).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { ENTITIES_FILE, isParanomManifest, MANIFEST_FILE, SEGMENTS_FILE } from '../dataset/manifest.js';
import { temporaryOf } from '../formats/unique-temp.js';
import { shardFileName } from '../plan/planner.js';
import { LOCK_AUX_RE, LOCK_RE } from './lock.js';
import { journalFile, JOURNAL_RE, partManifestFile, PENDING_SUFFIX, readRecords, type Recorded } from './state.js';
import type { RunIdentity } from './identity.js';

/** The temporaries' suffix before they had names of their own: still paranom's after a journal's or a lock's name. */
const OLD_TEMP_SUFFIX = '.tmp';

/** A part's journal; group 1 is the part's label (`part-00002-of-00008`). */
const PART_JOURNAL_RE = /^\.paranom-run-(part-\d+-of-\d+)\.jsonl$/;

/** Shard files a plan of this identity names (they follow from rows, shard size and format). */
export function plannedFiles(id: RunIdentity): string[] {
  const n = Math.ceil(id.rows / id.shard_rows);
  return Array.from({ length: n }, (_, i) => shardFileName(i, id.format));
}

/**
 * Every name (relative to the dataset) the records and the current plan make paranom's,
 * and the pending copies of those names when a run that stages its files is recorded
 * (`staged`): a finished dataset has none, so there a `part-00000.parquet.pending` is the
 * user's.
 */
export function ownNames(records: readonly Recorded[], planned: readonly string[], staged = records.some((r) => r.staged === true)): Set<string> {
  const base = new Set<string>(planned);
  if (records.length > 0) {
    base.add(MANIFEST_FILE);
    base.add(SEGMENTS_FILE);
    base.add(ENTITIES_FILE);
  }
  for (const r of records) {
    base.add(r.source);
    // A part's journal names the part manifest that part writes when it ends.
    const part = PART_JOURNAL_RE.exec(r.source);
    if (part) base.add(`manifest-${part[1]}.json`);
    for (const s of r.shards) base.add(s.file);
    for (const f of plannedFiles(r.identity)) base.add(f);
    for (const f of r.planned ?? []) base.add(f);
  }
  if (!staged) return base;
  const own = new Set<string>(base);
  for (const name of base) own.add(name + PENDING_SUFFIX);
  return own;
}

/** True for `name` (relative to the dataset) that is one of `own`, or a temporary of one. */
export function ownOrTemporary(name: string, own: ReadonlySet<string>): boolean {
  if (own.has(name)) return true;
  const of = temporaryOf(name);
  return of !== null && own.has(of);
}

/**
 * True for a top-level name paranom writes and nothing else could mean: journals, locks and
 * the files beside them, their temporaries, and the sorted runs of a fleet's segment table
 * (temporaries of a run's own name, run/segment-sort.ts). A `.tmp` after a journal's or a
 * lock's name is an older paranom's temporary: those names are paranom's alone.
 */
function ownByName(name: string): boolean {
  const of = temporaryOf(name);
  const bare = of ?? (name.endsWith(OLD_TEMP_SUFFIX) ? name.slice(0, -OLD_TEMP_SUFFIX.length) : name);
  return of === SEGMENTS_FILE || JOURNAL_RE.test(bare) || LOCK_RE.test(bare) || LOCK_AUX_RE.test(name);
}

/**
 * Files in `out` (and `out/data`) that are not paranom's. A name the coming run would
 * write is no exception: a file is paranom's only if a record of its own names it (a run
 * writes its journal before any shard), so a user's `data/part-00000.parquet` is refused,
 * never overwritten.
 */
function foreignFiles(out: string, records: readonly Recorded[]): string[] {
  if (!existsSync(out)) return [];
  const own = ownNames(records, []);
  // A manifest is paranom's only if it is one (readRecords read it as such); a temporary of
  // one, beside a record, is a run's that was writing it.
  const manifest = records.some((r) => r.source === MANIFEST_FILE);
  const foreign: string[] = [];
  for (const name of readdirSync(out)) {
    if (name === 'data' && statSync(join(out, name)).isDirectory()) {
      for (const f of readdirSync(join(out, 'data'))) if (!ownOrTemporary(`data/${f}`, own)) foreign.push(`data/${f}`);
    } else if (name === MANIFEST_FILE ? !manifest : !ownOrTemporary(name, own) && !ownByName(name)) {
      foreign.push(name);
    }
  }
  return foreign;
}

/**
 * The records of `out`, after checking that it holds no file paranom did not write
 * (else OUTPUT_EXISTS, naming them). Parts of a split run write into one directory side
 * by side, so between reading the records and listing the files another part may have
 * started (its journal and shards appear) or ended (its part manifest replaces its
 * journal). A file is judged foreign only when the records read after the listing are
 * the records read before it: then nothing paranom runs was changing the directory.
 */
export function ownedRecords(out: string): Recorded[] {
  let records = readRecords(out);
  for (let attempt = 0; ; attempt++) {
    const foreign = foreignFiles(out, records);
    if (foreign.length === 0) return records;
    const again = readRecords(out);
    if (attempt >= 8 || sameRecords(again, records)) refuseForeign(out, foreign);
    records = again;
  }
}

function sameRecords(a: readonly Recorded[], b: readonly Recorded[]): boolean {
  const key = (rs: readonly Recorded[]) => JSON.stringify(rs.map((r) => [r.source, r.shards.length, r.committed ?? false]).sort());
  return key(a) === key(b);
}

/** Refuses a directory holding files paranom did not write, naming them. */
export function refuseForeign(out: string, foreign: readonly string[]): void {
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 4).join(', ') + (foreign.length > 4 ? `, and ${foreign.length - 4} more` : '');
  const why = foreign.includes(MANIFEST_FILE) && !isParanomManifestFile(join(out, MANIFEST_FILE)) ? `; its ${MANIFEST_FILE} is not a paranom manifest` : '';
  throw new ParanomError(
    'OUTPUT_EXISTS',
    `output directory '${out}' holds files paranom did not write (${shown})${why}; paranom never removes or replaces them, with or without --force — move them away or choose another --out`,
    { out, foreign: foreign.slice(0, 20) },
  );
}

function isParanomManifestFile(path: string): boolean {
  try {
    return isParanomManifest(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
}

/**
 * Removes the files the records own (an older dataset being replaced with --force), but
 * none of `keep`: the names the replacing run and its sibling parts write, which those
 * parts, started beside this one, may already have written (an older shard under such a
 * name is simply overwritten; no record of the new run lists it).
 */
export function removeRecorded(out: string, records: readonly Recorded[], keep: ReadonlySet<string> = new Set()): void {
  // The records go last, after the files they own: a part surveying the directory meanwhile
  // finds the older dataset with its files, or neither — never its files without it.
  const last = new Set([MANIFEST_FILE, ...records.map((r) => r.source)]);
  const names = [...ownNames(records, [])].filter((name) => !keep.has(name));
  removeTemporaries(out, names);
  for (const name of [...names.filter((n) => !last.has(n)), ...names.filter((n) => last.has(n))]) rmSync(join(out, name), { force: true });
}

/** What a run of `plan` (every shard file) writes, split into `n` parts or not: shards, its journal, and each part's journal and manifest, with their pending copies. */
export function runNames(planned: readonly string[], n: number | null, journal: string): Set<string> {
  const parts = n === null ? [] : Array.from({ length: n }, (_, i) => ({ k: i + 1, n }));
  return ownNames([], [...planned, journal, ...parts.flatMap((p) => [journalFile(p), partManifestFile(p)])], true);
}

/**
 * Removes the temporaries of exactly the given names (relative to `out`), and of their
 * pending copies: what a run killed while writing them left. The caller holds the
 * directory's lock, and no other run writes these names meanwhile.
 */
export function removeTemporaries(out: string, names: Iterable<string>): void {
  const wanted = new Set<string>();
  for (const name of names) {
    wanted.add(name);
    wanted.add(name + PENDING_SUFFIX);
  }
  for (const dir of ['', 'data/']) {
    let entries: string[];
    try {
      entries = readdirSync(join(out, dir));
    } catch {
      continue;
    }
    for (const e of entries) {
      const of = temporaryOf(e);
      const old = e.endsWith(OLD_TEMP_SUFFIX) && JOURNAL_RE.test(e.slice(0, -OLD_TEMP_SUFFIX.length));
      if ((of !== null && wanted.has(dir + of)) || (old && wanted.has(dir + e.slice(0, -OLD_TEMP_SUFFIX.length)))) rmSync(join(out, dir, e), { force: true });
    }
  }
}

/**
 * Deletes the shard files earlier runs recorded that a whole-dataset plan of `planned`
 * shards no longer has, and the pending copies of every recorded and `carried` shard.
 */
export function removeUnplanned(out: string, planned: readonly { file: string }[], carried: readonly { file: string }[]): void {
  const keep = new Set(planned.map((s) => s.file));
  for (const r of readRecords(out)) {
    for (const s of r.shards) {
      if (!keep.has(s.file)) rmSync(join(out, s.file), { force: true });
      rmSync(join(out, s.file + PENDING_SUFFIX), { force: true });
    }
  }
  for (const s of carried) rmSync(join(out, s.file + PENDING_SUFFIX), { force: true });
}
