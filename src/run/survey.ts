/**
 * What an output directory holds, read before a run changes anything: files paranom did
 * not write and another dataset are refused (or, with force, that dataset's own files are
 * marked for removal); the shards an earlier run left that this run may keep are found.
 */
import { relative, sep } from 'node:path';
import { ParanomError } from '../errors.js';
import type { Scenario } from '../model/types.js';
import { inputPath } from '../model/input-path.js';
import { scenarioInputs } from '../variables/inputs.js';
import { MANIFEST_FILE } from '../dataset/manifest.js';
import type { Part } from '../plan/parts.js';
import type { ShardPlan } from '../plan/planner.js';
import { differences, reusable, type RunIdentity } from './identity.js';
import { ownedRecords } from './ownership.js';
import { realPath } from './output-dir.js';
import type { JournalShard, Recorded } from './state.js';

/** What a run found in its directory and decided about it. */
export interface Prepared {
  /** Shards a run may keep, by index, and where their bytes are now. */
  carried: JournalShard[];
  /** A complete dataset is there: this run stages its files and commits at the end. */
  staged: boolean;
  /** The complete manifest's record (staged runs). */
  old: Recorded | undefined;
  /** Nothing reusable was found. */
  fresh: boolean;
  /** With force: the records of another dataset, whose files go before this run writes. */
  replace: Recorded[];
}

/**
 * Reads what `out` holds: refuses files paranom did not write and (without force) another
 * dataset, and finds the shards this run may keep. Changes nothing.
 */
export function survey(out: string, identity: RunIdentity, names: string[] | null, force: boolean, part: Part | null, shards: ShardPlan[], command: 'generate' | 'grow'): Prepared {
  const records = ownedRecords(out);
  const other = records.find((r) => !reusable(r.identity, identity, names));
  if (other && !force) {
    const what = differences(other.identity, identity, names, other.names).join('; ');
    throw new ParanomError(
      'OUTPUT_EXISTS',
      `output directory '${out}' holds a dataset of another scenario, seed, format or shard size (${other.source}: ${what}); ${command === 'grow' ? 'grow extends only the dataset its manifest describes — remove the other run\'s files, or grow a copy' : 'pass --force to replace it, or generate into another directory'}`,
      { out },
    );
  }
  // Only the other dataset's records: a sibling part of this run may have written its journal already.
  if (other) return { carried: [], staged: false, old: undefined, fresh: true, replace: records.filter((r) => !reusable(r.identity, identity, names)) };
  const old = part ? undefined : records.find((r) => r.source === MANIFEST_FILE);
  if (old && command === 'generate' && !force && identity.rows < old.identity.rows) refuseShrinking(out, old.identity.rows, identity.rows);
  const staged = old !== undefined;
  const carried: JournalShard[] = [];
  // A complete manifest's shards first (their files are final), then journals' shards.
  const ordered = [...records].sort((a, b) => Number(b.source === MANIFEST_FILE) - Number(a.source === MANIFEST_FILE));
  for (const s of shards) {
    for (const r of ordered) {
      // A fleet shard is its rectangle (growth may move it in the manifest's order).
      const k = r.shards.find((x) => (s.entityStart !== undefined ? x.entity_start === s.entityStart && x.entity_end === s.entityEnd : x.index === s.index) && x.row_start === s.rowStart && x.row_end === s.rowEnd && x.file === s.file);
      // Pending files belong to a staged run; without a complete dataset they are redone.
      if (k && (!k.pending || (staged && r.staged))) {
        carried.push(k);
        break;
      }
    }
  }
  return { carried, staged, old, fresh: records.length === 0, replace: [] };
}

/**
 * Refuses a rerun that would end a complete dataset sooner than it does now: the rows past
 * the new end would go. Rerunning the first command over a grown dataset (a script's
 * `generate --rows 1000000` after a `grow` to a billion) must not cut it back unasked.
 */
function refuseShrinking(out: string, has: number, wanted: number): never {
  const n = (x: number) => x.toLocaleString('en-US');
  throw new ParanomError(
    'OUTPUT_EXISTS',
    `output directory '${out}' holds ${n(has)} rows of this scenario; generating ${n(wanted)} would remove the last ${n(has - wanted)} — pass --force to cut the dataset to ${n(wanted)} rows, or generate into another directory`,
    { out, rows: has, requested: wanted },
  );
}

/**
 * Refuses a scenario that reads a file inside `out` (a source replaying an earlier
 * dataset's shard, say): a run there may replace that file, and the dataset it makes would
 * then name an input that no longer hashes to what it recorded — never verifiable again.
 * Symlinks are followed, so a link into `out` is found too.
 */
export function refuseInputsInside(out: string, scenario: Scenario): void {
  const dir = realPath(out);
  for (const i of scenarioInputs(scenario)) {
    const abs = realPath(inputPath(scenario.baseDir, i.file));
    if (abs !== dir && !abs.startsWith(dir + sep)) continue;
    throw new ParanomError(
      'USAGE',
      `variable '${i.variable}': ${i.what} ${i.file} is inside the output directory '${out}' (${relative(dir, abs) || '.'}); a run there may replace it, and the dataset would no longer match its inputs — copy it out of '${out}', or generate into another directory`,
      { out, file: i.file },
    );
  }
}
