/**
 * Where `train-vae` writes a model: a directory that is new, empty, or holds an earlier
 * paranom model (which a new training replaces). Anything else — a file, or a directory
 * with files paranom did not write — is refused before training starts, not hours later.
 * The model is written beside its place and renamed into it at the end, so an interrupted
 * or failed training leaves the directory as it was; the staging folder carries a marker
 * (pid, host), so a later training of the same place removes one a killed run left.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ParanomError } from '../errors.js';
import { unwritableReason } from '../writable.js';
import { MODEL_JSON, WEIGHTS_BIN } from './layers-format.js';
import { VAE_FORMAT, VAE_META_FILE } from './model.js';
import { createMarkedFolder, markedFolderName, markedFolders } from './marked-folder.js';
import { dropPrevious, setAsidePrevious, settlePrevious } from './previous-model.js';

/** What a model directory holds (model.ts writes these names, files.encoder/decoder). */
const MODEL_ENTRIES = new Set([VAE_META_FILE, 'encoder', 'decoder']);
/** What a layers model directory holds (layers-format.ts). */
const LAYERS_FILES = new Set([MODEL_JSON, WEIGHTS_BIN]);

function isPriorModel(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, VAE_META_FILE), 'utf8')) as { format?: unknown }).format === VAE_FORMAT;
  } catch {
    return false;
  }
}

/** Whether the directory `dir` is where a file system is mounted (a volume, or a folder bind-mounted there). */
function isMountPoint(dir: string): boolean {
  const real = realpathSync(dir);
  if (statSync(real).dev !== statSync(dirname(real)).dev) return true;
  // A bind mount of a folder of the same file system keeps its device; Linux lists it here
  // (the mount point is the fifth field, with space, tab, newline and backslash as octal escapes).
  try {
    const unescape = (p: string) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => unescape(line.split(' ')[4] ?? '') === real);
  } catch {
    return false;
  }
}

/** Refuses an `--out` that is a file, or a directory holding anything but an earlier paranom model. */
export function checkModelOut(out: string): void {
  // The model is staged beside --out and renamed into place: that folder must be writable.
  // Missing folders are made: the nearest that exists is the one that must be a writable folder.
  let parent = dirname(resolve(out));
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new ParanomError('USAGE', `--out ${out} cannot be created: ${parent} is a file, not a directory`);
  const why = unwritableReason(parent);
  if (why) throw new ParanomError('USAGE', `--out ${out} cannot be written: ${parent} cannot be written (${why}); choose another place`);
  if (!existsSync(out)) return;
  const st = statSync(out);
  if (!st.isDirectory()) throw new ParanomError('USAGE', `--out ${out} is a file; a model is a directory — name a new or empty directory`);
  // A file system of its own (a volume mounted there) cannot be renamed away or into: the
  // model, staged beside it, could never take its place, and the training would be lost.
  if (isMountPoint(out)) throw new ParanomError('USAGE', `--out ${out} is a mount point (a file system of its own); the model is written beside its place and moved into it, which a mount point cannot take — name a folder inside it, such as ${join(out, 'model')}`);
  const entries = readdirSync(out);
  const foreign = entries.filter((e) => !MODEL_ENTRIES.has(e));
  if (entries.length > 0 && (foreign.length > 0 || !isPriorModel(out))) {
    const listed = foreign.length > 0 ? foreign : entries;
    throw new ParanomError('USAGE', `--out ${out} holds files that are not a paranom VAE model (${listed.slice(0, 5).join(', ')}${listed.length > 5 ? ', …' : ''}); paranom replaces only a model it wrote — name a new or empty directory`);
  }
}

/** The kind of marked folder (marked-folder.ts) a model is written into before it takes its place. */
const STAGING = 'training';
/** The file in a staging directory that says paranom made it, and which process. */
const STAGING_MARKER = '.paranom-staging.json';
const STAGING_TAG = 'vae-staging';

/** The sibling directory a model is written into before it takes its place. */
function stagingDir(out: string): string {
  return join(dirname(out), markedFolderName(out, STAGING, process.pid));
}

/** True when `dir` holds only what training writes there: the marker, vae.json, and the two layers models. */
function holdsOnlyStaging(dir: string): boolean {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === STAGING_MARKER || e.name === VAE_META_FILE) {
      if (!e.isFile()) return false;
    } else if (e.name === 'encoder' || e.name === 'decoder') {
      if (!e.isDirectory() || readdirSync(join(dir, e.name), { withFileTypes: true }).some((f) => !f.isFile() || !LAYERS_FILES.has(f.name))) return false;
    } else return false;
  }
  return true;
}

/**
 * Removes the staging directories beside `out` that an interrupted training of the same
 * `--out` left (kill -9, a crash): only those whose marker names this place and a process
 * of this host that no longer runs, and that hold nothing but what training writes.
 * Returns what it removed, and what it left (a marked folder holding other files).
 * `vouched`: pids whose previous-model folder (previous-model.ts) showed they were placing
 * their model, so their staging folder — its marker already taken off — is theirs.
 */
function removeStaleStaging(out: string, vouched: ReadonlySet<number> = new Set()): { removed: string[]; kept: string[] } {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const { dir, pid, abandoned } of markedFolders(out, STAGING, STAGING_MARKER, STAGING_TAG)) {
    const unmarkedOfVouched = vouched.has(pid) && !existsSync(join(dir, STAGING_MARKER));
    if (!abandoned && !unmarkedOfVouched) continue;
    if (holdsOnlyStaging(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } else kept.push(dir);
  }
  return { removed, kept };
}

/** Creates the staging directory of `out`, marked as this process's. */
export function createStaging(out: string): string {
  mkdirSync(dirname(resolve(out)), { recursive: true });
  const staged = stagingDir(out);
  // Left by an earlier process with this pid, and not provably paranom's (removeStaleStaging ran first).
  if (existsSync(staged)) throw new ParanomError('USAGE', `${staged} is in the way of training's staging folder and holds files paranom did not write; move it away`);
  createMarkedFolder(staged, STAGING_MARKER, STAGING_TAG, out);
  return staged;
}

/**
 * Settles what an interrupted training of `out` left beside it: a previous model set aside
 * goes back (previous-model.ts), then stale staging folders go. Returns a line for each.
 */
export function settleInterrupted(out: string): { settled: string[]; removed: string[]; kept: string[] } {
  const { lines, pids } = settlePrevious(out);
  return { settled: lines, ...removeStaleStaging(out, pids) };
}

/**
 * Moves the model written in `staged` to `out`, replacing an empty directory or an earlier
 * model there. Two trainings of one `--out` may finish together: one whose rename finds
 * `--out` taken again by the other's model (or gone, set aside by the other) sets that
 * model aside in turn, so the last to place its model wins and neither fails.
 */
export function placeModel(staged: string, out: string): void {
  for (let attempt = 0; ; attempt++) {
    checkModelOut(out);
    // The earlier model waits in a marked folder: a kill before the new one is in place leaves it for the next run to put back.
    const previous = existsSync(out) ? setAsidePrevious(out) : undefined;
    // The model goes without the marker (a kill between the two leaves an unmarked folder, which the previous model's marker vouches for).
    rmSync(join(staged, STAGING_MARKER), { force: true });
    try {
      renameSync(staged, out);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 8) throw err;
      // Another training's model took --out meanwhile: the model set aside is older than it.
      if (previous) dropPrevious(previous);
      continue;
    }
    if (previous) dropPrevious(previous);
    return;
  }
}
