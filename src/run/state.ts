/**
 * What an output directory already holds, and the run journal that makes runs resumable.
 *
 * A dataset directory is complete iff it has manifest.json (or, for one part of a split
 * run, its part manifest). While a run is going on, `.paranom-run*.jsonl` records the
 * run's identity (first line), for a fleet the shard files its plan names (a fleet's plan
 * is not a function of its identity: growth keeps earlier rectangles), and each finished
 * shard (one line each, appended). Shard files appear only by atomic rename, so a file
 * under its final name is complete; it is reused only when its bytes hash to what a
 * manifest or the journal recorded.
 *
 * A run over a complete dataset (grow, or a rerun) is *staged*: every file it writes gets
 * the `.pending` suffix, so the old manifest stays true until the new one is complete.
 * The journal then ends with a commit line, after which the pending files are renamed
 * into place (see commit.ts); a run that dies in between is completed by the next one.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isIdentity, isObj, isParanomManifest, isShardEntry, MANIFEST_FILE, PART_MANIFEST_RE, type ManifestShard } from '../dataset/manifest.js';
import { writeFileAtomic } from '../formats/files.js';
import { partLabel, type Part } from '../plan/parts.js';
import { identityOf, type RunIdentity } from './identity.js';

export const JOURNAL_RE = /^\.paranom-run(-part-\d+-of-\d+)?\.jsonl$/;
/** Suffix of the files a staged run writes before its commit. */
export const PENDING_SUFFIX = '.pending';

export function partManifestFile(part: Part): string {
  return `manifest-${partLabel(part)}.json`;
}

export function journalFile(part: Part | null): string {
  return part ? `.paranom-run-${partLabel(part)}.jsonl` : '.paranom-run.jsonl';
}

/** A shard as a journal records it: pending while its run is staged and uncommitted. */
export type JournalShard = ManifestShard & { pending?: true };

export interface Recorded {
  identity: RunIdentity;
  shards: JournalShard[];
  source: string;
  /** For a complete manifest of a fleet with named entities: their names. */
  names?: string[];
  /** For journals: the run stages its files; and whether it reached its commit. */
  staged?: boolean;
  committed?: boolean;
  /**
   * For a fleet's journal: the shard files its run may write. A file lands under its name
   * before the journal records it, so a run killed in between leaves a file only this
   * list names as paranom's.
   */
  planned?: string[];
}

/** A shard file name as records hold them: a plain name under data/. */
const SHARD_FILE_RE = /^data\/[A-Za-z0-9._-]+$/;

function readJournal(path: string, source: string): Recorded | undefined {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  let first: unknown;
  try {
    first = JSON.parse(lines[0] ?? 'null');
  } catch {
    return undefined;
  }
  if (!isIdentity(first)) return undefined;
  const shards: JournalShard[] = [];
  const planned: string[] = [];
  let committed = false;
  for (const line of lines.slice(1)) {
    try {
      const x = JSON.parse(line) as unknown;
      if (isObj(x) && x['commit'] === true) committed = true;
      else if (isObj(x) && Array.isArray(x['planned'])) {
        for (const f of x['planned'] as unknown[]) if (typeof f === 'string' && SHARD_FILE_RE.test(f)) planned.push(f);
      } else if (isShardEntry(x)) shards.push(x);
    } catch {
      // A line torn by a crash: that shard is simply regenerated.
    }
  }
  const line = first as unknown as Record<string, unknown>;
  const names = line['entity_names'];
  const inputs = line['inputs'];
  const identity: RunIdentity = {
    scenario_hash: first.scenario_hash,
    seed: first.seed,
    rows: first.rows,
    format: first.format,
    compression: first.compression ?? null,
    shard_rows: first.shard_rows,
    growth_stable: first.growth_stable,
    ...(typeof line['format_version'] === 'number' ? { format_version: line['format_version'] } : {}),
    ...(isObj(names) && typeof names['count'] === 'number' && typeof names['sha256'] === 'string' ? { entity_names: { count: names['count'], sha256: names['sha256'] } } : {}),
    ...(isObj(inputs) && Object.values(inputs).every((v) => typeof v === 'string') ? { inputs: inputs as Record<string, string> } : {}),
  };
  return { identity, shards, source, staged: line['staged'] === true, committed, ...(planned.length > 0 ? { planned } : {}) };
}

/** Every identity and shard list found in a directory: manifests, part manifests, journals. */
export function readRecords(out: string): Recorded[] {
  if (!existsSync(out)) return [];
  const records: Recorded[] = [];
  for (const name of readdirSync(out)) {
    const path = join(out, name);
    try {
      if (name === MANIFEST_FILE || PART_MANIFEST_RE.test(name)) {
        const m = JSON.parse(readFileSync(path, 'utf8')) as unknown;
        if (isParanomManifest(m)) {
          const names = m.scenario.entities?.names;
          records.push({ identity: identityOf(m), shards: m.shards, source: name, ...(names ? { names } : {}) });
        }
      } else if (JOURNAL_RE.test(name)) {
        const r = readJournal(path, name);
        if (r) records.push(r);
      }
    } catch {
      // An unreadable record gives no reuse; the run regenerates what it needs.
    }
  }
  return records;
}

/** The append-only journal of one run. */
export class Journal {
  constructor(readonly path: string) {}

  /** `planned`: a fleet run's shard files (see `Recorded.planned`); none for a single series. */
  static start(out: string, part: Part | null, identity: RunIdentity, carried: JournalShard[], staged: boolean, planned: readonly string[] = []): Journal {
    const path = join(out, journalFile(part));
    const lines: unknown[] = [{ ...identity, ...(staged ? { staged: true } : {}) }, ...(planned.length > 0 ? [{ planned }] : []), ...carried];
    writeFileAtomic(path, lines.map((x) => JSON.stringify(x)).join('\n') + '\n');
    return new Journal(path);
  }

  record(shard: JournalShard): void {
    appendFileSync(this.path, JSON.stringify(shard) + '\n');
  }

  /** Marks a staged run complete: from here on its pending files replace the old ones. */
  commit(): void {
    appendFileSync(this.path, JSON.stringify({ commit: true }) + '\n');
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
