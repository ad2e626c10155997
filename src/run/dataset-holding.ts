/**
 * Which paranom dataset a folder belongs to. Files paranom writes outside a dataset (a
 * merge, a stream's segment table) must not land in one: a dataset's shards and segment
 * table carry the same provenance those files do, so the check that lets paranom replace
 * its own earlier output would let it replace them, and a new file there is one the
 * dataset's readers, `verify` and `grow` would meet among its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isParanomManifest, MANIFEST_FILE, PART_MANIFEST_RE } from '../dataset/manifest.js';
import { JOURNAL_RE } from './state.js';

/**
 * The dataset `folder` belongs to — the folder itself or, for its `data/`, the parent — by
 * a paranom manifest, part manifest or run journal there; undefined for any other folder.
 */
export function datasetHolding(folder: string): string | undefined {
  for (const dir of [folder, dirname(folder)]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    if (names.some((n) => JOURNAL_RE.test(n) || PART_MANIFEST_RE.test(n))) return dir;
    if (!names.includes(MANIFEST_FILE)) continue;
    try {
      if (isParanomManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')))) return dir;
    } catch {
      // Not JSON: a user's file of that name, not a dataset.
    }
  }
  return undefined;
}
