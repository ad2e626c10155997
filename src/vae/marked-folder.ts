/**
 * Marked hidden folders beside a model's place (`.NAME.paranom-KIND-PID`), which
 * `train-vae` makes while it writes a model: each holds a marker file recording the kind,
 * the process (pid, host) and the place. A later training recognises the ones an ended
 * process of this host left for the same place, and touches no other folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { processAlive } from '../process-alive.js';
import { fittedStem } from '../formats/fitted-name.js';

/** What a marker records. */
export interface FolderMarker {
  paranom: string;
  pid: number;
  host: string;
  out: string;
}

/** The most bytes a marked folder's name adds to its place's name (a pid has at most 10 digits). */
const extraOf = (kind: string): number => `..paranom-${kind}-`.length + 10;

/** The start of the name of a `kind` folder of `out`: the name, shortened where the folder's would not fit. */
const prefixOf = (out: string, kind: string): string => `.${fittedStem(basename(out), extraOf(kind))}.paranom-${kind}-`;

/** The name of the `kind` folder of `out` made by process `pid`. */
export function markedFolderName(out: string, kind: string, pid: number): string {
  return `${prefixOf(out, kind)}${pid}`;
}

/** Writes the marker `file` into `dir`, saying this process made it for `out`. */
export function writeMarker(dir: string, file: string, tag: string, out: string): void {
  writeFileSync(join(dir, file), JSON.stringify({ paranom: tag, pid: process.pid, host: hostname(), out: basename(out) } satisfies FolderMarker) + '\n');
}

/**
 * Creates `dir` (new) with its marker. A marker that cannot be written (a full disk)
 * takes the folder with it: a half-written marker is no one's, and no later run would
 * ever remove the folder it is in.
 */
export function createMarkedFolder(dir: string, file: string, tag: string, out: string): void {
  mkdirSync(dir);
  try {
    writeMarker(dir, file, tag, out);
  } catch (err) {
    rmSync(join(dir, file), { force: true });
    rmdirSync(dir);
    throw err;
  }
}

function readMarker(dir: string, file: string, tag: string): FolderMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<FolderMarker>;
    return m.paranom === tag && Number.isSafeInteger(m.pid) && typeof m.host === 'string' && typeof m.out === 'string' ? (m as FolderMarker) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `kind` folders beside `out` (by name order), each with its pid and whether its
 * marker shows an ended process of this host left it for this place. A folder with this
 * process's pid counts as left (an earlier process's, the pid reused) when the caller has
 * made none of that kind yet; a caller that may have says otherwise for it.
 */
export function markedFolders(out: string, kind: string, file: string, tag: string): Array<{ dir: string; pid: number; abandoned: boolean }> {
  const parent = dirname(resolve(out));
  if (!existsSync(parent)) return [];
  const prefix = prefixOf(out, kind);
  const found: Array<{ dir: string; pid: number; abandoned: boolean }> = [];
  for (const name of readdirSync(parent).sort()) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (!Number.isSafeInteger(pid) || name !== markedFolderName(out, kind, pid)) continue;
    const dir = join(parent, name);
    const m = readMarker(dir, file, tag);
    // Another host's process, or one still running here, is never guessed about.
    const abandoned = m !== undefined && m.pid === pid && m.host === hostname() && m.out === basename(out) && (pid === process.pid || !processAlive(pid));
    found.push({ dir, pid, abandoned });
  }
  return found;
}
