/**
 * Committing a staged run (grow, or a rerun over a complete dataset). Until its journal
 * holds the commit line, the old manifest and every file it lists stay untouched, so the
 * dataset is valid and a failed run can be undone by removing its pending files. After the
 * commit line, the pending files replace the old ones in an order any later run can
 * repeat: shards, then the segment table, then shards the new manifest no longer lists are
 * removed, then the manifest itself, then the journal.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParanomError } from '../errors.js';
import { ENTITIES_FILE, MANIFEST_FILE, SEGMENTS_FILE } from '../dataset/manifest.js';
import { journalFile, PENDING_SUFFIX, readRecords, type Recorded } from './state.js';
import { plannedFiles } from './ownership.js';

function renamePending(out: string, name: string): void {
  const from = join(out, name + PENDING_SUFFIX);
  if (existsSync(from)) renameSync(from, join(out, name));
}

/** Completes the committed staged run recorded in `journal` (idempotent). */
export function completeCommit(out: string, journal: Recorded, old: Recorded | undefined): void {
  for (const s of journal.shards) if (s.pending) renamePending(out, s.file);
  renamePending(out, SEGMENTS_FILE);
  renamePending(out, ENTITIES_FILE);
  if (existsSync(join(out, MANIFEST_FILE + PENDING_SUFFIX))) {
    // The old manifest is still in place: its shards the new plan no longer has go first
    // (a fleet's plan is not a function of its identity: the journal lists its shards).
    const keep = new Set([...plannedFiles(journal.identity), ...(journal.planned ?? []), ...journal.shards.map((s) => s.file)]);
    for (const s of old?.shards ?? []) if (!keep.has(s.file)) rmSync(join(out, s.file), { force: true });
    renamePending(out, MANIFEST_FILE);
  }
  rmSync(join(out, journalFile(null)), { force: true });
}

/**
 * Finishes a staged run that reached its commit but died before renaming everything.
 * Returns true when there was one. The caller holds the directory's lock.
 */
export function rollForward(out: string): boolean {
  const records = readRecords(out);
  const journal = records.find((r) => r.source === journalFile(null));
  if (!journal?.committed) return false;
  completeCommit(out, journal, records.find((r) => r.source === MANIFEST_FILE));
  return true;
}

/** Undoes an uncommitted staged run: its pending files and journal go, the old dataset stays. */
export function discardStaged(out: string, names: Iterable<string>): void {
  for (const name of names) rmSync(join(out, name + PENDING_SUFFIX), { force: true });
  rmSync(join(out, SEGMENTS_FILE + PENDING_SUFFIX), { force: true });
  rmSync(join(out, ENTITIES_FILE + PENDING_SUFFIX), { force: true });
  rmSync(join(out, MANIFEST_FILE + PENDING_SUFFIX), { force: true });
  rmSync(join(out, journalFile(null)), { force: true });
}

/**
 * A staged run's failure after its commit line (a rename or removal refused): the run can
 * no longer be undone — some new files may already be in place — so its journal stays, and
 * the next run over the directory completes the commit (`rollForward`).
 */
export function unfinishedCommit(out: string, command: string, err: unknown): ParanomError {
  const e = err as NodeJS.ErrnoException;
  const why = e instanceof ParanomError ? e.message : `${e?.path ? `${e.path}: ` : ''}${e?.code ?? e?.message ?? String(err)}`;
  return new ParanomError('IO_FAILED', `${out}: the ${command} was committed, but putting its files in place failed (${why}); its journal ${journalFile(null)} records the rest — run the same ${command} again to complete it`, { out });
}
