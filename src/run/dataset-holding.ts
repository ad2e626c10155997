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
import { realPath } from './output-dir.js';
import { ParanomError } from '../errors.js';

/** Whether `dir` holds a paranom dataset: a paranom manifest, part manifest or run journal. */
function holdsDataset(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  if (names.some((n) => JOURNAL_RE.test(n) || PART_MANIFEST_RE.test(n))) return true;
  if (!names.includes(MANIFEST_FILE)) return false;
  try {
    return isParanomManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
  } catch {
    // Not JSON: a user's file of that name, not a dataset.
    return false;
  }
}

/**
 * The dataset `folder` belongs to — the folder itself or, for its `data/`, the parent — by
 * a paranom manifest, part manifest or run journal there; undefined for any other folder.
 */
export function datasetHolding(folder: string): string | undefined {
  return [folder, dirname(folder)].find(holdsDataset);
}

/**
 * The dataset an output directory `out` would lie inside — any folder above it, symlinks
 * followed — or undefined. A directory made there is an entry the dataset's manifest does
 * not list: `verify` would report the dataset as not what its manifest says, and `grow`
 * and `generate --force` would refuse it as holding files paranom did not write.
 */
export function datasetAbove(out: string): string | undefined {
  let dir = realPath(out);
  for (let up = dirname(dir); up !== dir; dir = up, up = dirname(up)) {
    if (holdsDataset(up)) return up;
  }
  return undefined;
}

/** Refuses `--out` inside another dataset (see `datasetAbove`), before anything is made. */
export function refuseInsideDataset(out: string): void {
  // An empty --out is refused as such by checkOutputPath.
  if (typeof out !== 'string' || out.trim() === '') return;
  const host = datasetAbove(out);
  if (host !== undefined) {
    throw new ParanomError('USAGE', `--out '${out}' is inside the dataset ${host}; a directory there is not one its manifest lists, so verify would report that dataset as changed and grow would refuse it — choose a place outside it`, { out });
  }
}
