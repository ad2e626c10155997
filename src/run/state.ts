/**
 * What an output directory already holds, and the run journal that makes runs resumable.
 *
 * A dataset directory is complete iff it has manifest.json (or, for one part of a split
 * run, its part manifest). While a run is going on, `.paranom-run*.jsonl` records the
 * run's identity (first line) and each finished shard (one line each, appended). Shard
 * files appear only by atomic rename, so a file under its final name is complete; it is
 * reused only when its bytes hash to what a manifest or the journal recorded.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, SEGMENTS_FILE, type Manifest, type ManifestShard } from '../dataset/manifest.js';
import { TEMP_SUFFIX, writeFileAtomic } from '../formats/files.js';
import { partLabel, type Part } from '../plan/parts.js';

/** The facts that decide whether existing shards can be reused by a run. */
export type RunIdentity = Pick<Manifest, 'scenario_hash' | 'seed' | 'rows' | 'format' | 'compression' | 'shard_rows' | 'growth_stable'>;

export const PART_MANIFEST_RE = /^manifest-part-\d+-of-\d+\.json$/;
const JOURNAL_RE = /^\.paranom-run(-part-\d+-of-\d+)?\.jsonl$/;

export function partManifestFile(part: Part): string {
  return `manifest-${partLabel(part)}.json`;
}

export function journalFile(part: Part | null): string {
  return part ? `.paranom-run-${partLabel(part)}.jsonl` : '.paranom-run.jsonl';
}

/** True for names paranom writes at the top of a dataset directory. */
export function isOwnEntry(name: string): boolean {
  return name === 'data' || name === MANIFEST_FILE || name === SEGMENTS_FILE || PART_MANIFEST_RE.test(name) || JOURNAL_RE.test(name) || name.endsWith(TEMP_SUFFIX);
}

export function identityOf(m: Manifest): RunIdentity {
  return { scenario_hash: m.scenario_hash, seed: m.seed, rows: m.rows, format: m.format, compression: m.compression, shard_rows: m.shard_rows, growth_stable: m.growth_stable };
}

/** Whether shards recorded under `old` may be reused by a run with identity `now`. */
export function reusable(old: RunIdentity, now: RunIdentity): boolean {
  const same = old.scenario_hash === now.scenario_hash && old.seed === now.seed && old.format === now.format && old.compression === now.compression && old.shard_rows === now.shard_rows;
  // Count-mode datasets change everywhere when the row count does.
  return same && (old.rows === now.rows || (old.growth_stable && now.growth_stable));
}

export interface Recorded {
  identity: RunIdentity;
  shards: ManifestShard[];
  source: string;
}

/** Every identity and shard list found in a directory: manifests, part manifests, journals. */
export function readRecords(out: string): Recorded[] {
  if (!existsSync(out)) return [];
  const records: Recorded[] = [];
  for (const name of readdirSync(out)) {
    const path = join(out, name);
    try {
      if (name === MANIFEST_FILE || PART_MANIFEST_RE.test(name)) {
        const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
        records.push({ identity: identityOf(m), shards: m.shards, source: name });
      } else if (JOURNAL_RE.test(name)) {
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        const identity = JSON.parse(lines[0] ?? 'null') as RunIdentity | null;
        if (!identity) continue;
        const shards: ManifestShard[] = [];
        for (const line of lines.slice(1)) {
          try {
            shards.push(JSON.parse(line) as ManifestShard);
          } catch {
            // A line torn by a crash: that shard is simply regenerated.
          }
        }
        records.push({ identity, shards, source: name });
      }
    } catch {
      // An unreadable record gives no reuse; the run regenerates what it needs.
    }
  }
  return records;
}

/**
 * Removes temporary files left by an interrupted run. A part run passes its own shard files:
 * other parts may be writing into the same directory at the same time.
 */
export function removeTemporaries(out: string, own?: readonly string[]): void {
  if (own) {
    for (const file of own) rmSync(join(out, file + TEMP_SUFFIX), { force: true });
    return;
  }
  for (const dir of [out, join(out, 'data')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.endsWith(TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });
  }
}

/** The append-only journal of one run. */
export class Journal {
  constructor(readonly path: string) {}

  static start(out: string, part: Part | null, identity: RunIdentity, carried: ManifestShard[]): Journal {
    const path = join(out, journalFile(part));
    writeFileAtomic(path, [identity, ...carried].map((x) => JSON.stringify(x)).join('\n') + '\n');
    return new Journal(path);
  }

  record(shard: ManifestShard): void {
    appendFileSync(this.path, JSON.stringify(shard) + '\n');
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
