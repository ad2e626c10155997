/**
 * Checking and creating an output directory before anything is written. Paths that cannot
 * hold a dataset (a file, a file as parent, a name too long, a pseudo-filesystem such as
 * /proc, where Node's own mkdir can spin) are refused as user mistakes; the directories a
 * run creates are remembered so a run that writes nothing leaves nothing behind.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ParanomError } from '../errors.js';
import { unwritableReason } from '../writable.js';

/** Pseudo-filesystems that hold no user data; outputs under them are refused. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function usage(message: string, path: string): never {
  throw new ParanomError('USAGE', message, { path });
}

/** The real path of `p` (symlinks resolved), or its absolute path when it does not exist. */
export function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Where `abs` points when it is a symbolic link to nothing (mkdir would fail with a bare ENOENT). */
function danglingLink(abs: string): string | undefined {
  try {
    return lstatSync(abs).isSymbolicLink() && !existsSync(abs) ? readlinkSync(abs) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file a file option (`merge --to`, `--labels-to`, a report's `--out`) names, absolute:
 * where a symbolic link leads, so that it is checked there (inside a dataset, an earlier
 * file of paranom's) and written there, and the link, the user's file, stays a link rather
 * than being renamed over. A link to nothing is refused naming it, as `--out` is.
 */
export function followedFile(path: string, option: string): string {
  const abs = resolve(path);
  const link = danglingLink(abs);
  if (link !== undefined) usage(`${option} '${path}' is a symbolic link to ${link}, which does not exist; name that file itself or another place`, path);
  return existsSync(abs) ? realpathSync(abs) : abs;
}

/** The nearest existing ancestor of an absolute path (the path itself if it exists). */
function existingAncestor(abs: string): string {
  let p = abs;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Checks `path` can be (or is) a directory paranom writes into; `option` names it in
 * messages. Returns the absolute path.
 */
export function checkOutputPath(path: string, option: string): string {
  if (typeof path !== 'string' || path.trim() === '') usage(`${option} must name a directory, got an empty string`, String(path));
  if (path.length > 4000 || path.split(/[\\/]/).some((part) => Buffer.byteLength(part) > 255)) usage(`${option} '${path.slice(0, 80)}…' is too long a path (a name may have at most 255 bytes)`, path);
  const abs = resolve(path);
  const link = danglingLink(abs);
  if (link !== undefined) usage(`${option} '${path}' is a symbolic link to ${link}, which does not exist; create that directory or choose another place`, path);
  const anc = existingAncestor(abs);
  let real: string;
  try {
    real = realpathSync(anc);
  } catch {
    real = anc;
  }
  const target = real + abs.slice(anc.length);
  for (const root of SYSTEM_ROOTS) {
    if (under(target, root) || under(abs, root)) usage(`${option} '${path}' is under ${root}, which holds no files of yours; choose a directory on a real filesystem`, path);
  }
  if (anc === abs) {
    if (!statSync(abs).isDirectory()) usage(`${option} '${path}' is a file, not a directory`, path);
  } else if (!statSync(anc).isDirectory()) {
    usage(`${option} '${path}' cannot be created: ${anc} is a file, not a directory`, path);
  }
  const why = unwritableReason(anc);
  if (why) usage(anc === abs ? `${option} '${path}' cannot be written (${why}); choose another place` : `${option} '${path}' cannot be created: ${anc} cannot be written (${why}); choose another place`, path);
  return abs;
}

/** Creates `path` (checked) and its missing parents; returns the directories it created, deepest last. */
export function createOutputDir(path: string, option: string): string[] {
  const abs = checkOutputPath(path, option);
  const missing: string[] = [];
  for (let p = abs; !existsSync(p); p = dirname(p)) missing.unshift(p);
  const created: string[] = [];
  try {
    for (const d of missing) if (makeDir(d)) created.push(d);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    removeIfEmpty(created);
    usage(`${option} '${path}' cannot be created (${e.code ?? e.message}${e.code === 'EACCES' || e.code === 'EPERM' ? ': permission denied' : e.code === 'EROFS' ? ': read-only filesystem' : ''})`, path);
  }
  return created;
}

/**
 * Makes one directory; false when it already exists as a directory. Parts of a split run
 * start side by side on one directory, so another process may make it between our look
 * and our mkdir: that one is theirs, never ours to remove.
 */
function makeDir(d: string): boolean {
  try {
    mkdirSync(d);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) return false;
    throw err;
  }
}

/** Removes the given directories, deepest first, where they are empty. */
export function removeIfEmpty(dirs: readonly string[]): void {
  for (const d of [...dirs].reverse()) {
    try {
      if (readdirSync(d).length === 0) rmdirSync(d);
    } catch {
      // Gone already, or not ours to judge.
    }
  }
}

/**
 * Refuses a `data/` in `out` that cannot be written (read-only, or not this user's) where
 * `out` itself can be: known before any work, not from a worker at its first shard.
 */
export function checkDataDir(out: string): void {
  const d = join(out, 'data');
  if (!existsSync(d) || !statSync(d).isDirectory()) return;
  const why = unwritableReason(d);
  if (why) usage(`'${d}' cannot be written (${why}): paranom writes the dataset's shards there; make it writable or choose another --out`, d);
}

/** `data/` inside a dataset, remembered in `created` when this run makes it. */
export function ensureDataDir(out: string, created: string[]): void {
  const d = join(out, 'data');
  if (existsSync(d) && !statSync(d).isDirectory()) {
    usage(`'${join(basename(out), 'data')}' in the output directory is a file, not paranom's data folder`, d);
  }
  if (!existsSync(d) && makeDir(d)) created.push(d);
}
