/**
 * The previous model while a new one takes its place. `train-vae` moves the model at
 * `--out` into a marked hidden folder beside it, renames the new model into `--out`, then
 * removes that folder. A kill -9 between the two renames leaves `--out` missing and the
 * previous model in the folder: the next training of the same `--out` puts it back (an
 * interrupted training leaves `--out` as it was), and a loader of the missing path names
 * it. Only a folder whose marker names this place and a process of this host that no
 * longer runs is touched; anything else is never guessed about.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { processAlive } from '../process-alive.js';

/** The marker file in the previous-model folder. */
const MARKER = '.paranom-previous.json';
/** Where, inside the folder, the previous model itself is. */
const MODEL = 'model';

interface PreviousMarker {
  paranom: 'vae-previous';
  pid: number;
  host: string;
  out: string;
}

function folderName(out: string, pid: number): string {
  return `.${basename(out)}.paranom-previous-${pid}`;
}

/**
 * Moves the model at `out` into this process's marked previous-model folder and returns
 * the folder (removed with `dropPrevious` once the new model is in place).
 */
export function setAsidePrevious(out: string): string {
  const dir = join(dirname(resolve(out)), folderName(out, process.pid));
  mkdirSync(dir);
  writeFileSync(join(dir, MARKER), JSON.stringify({ paranom: 'vae-previous', pid: process.pid, host: hostname(), out: basename(out) } satisfies PreviousMarker) + '\n');
  renameSync(out, join(dir, MODEL));
  return dir;
}

/** Removes a previous-model folder: the model in it, then the marker (the folder never sits unmarked with a model in it). */
export function dropPrevious(dir: string): void {
  rmSync(join(dir, MODEL), { recursive: true, force: true });
  unlinkSync(join(dir, MARKER));
  rmdirSync(dir);
}

function readMarker(dir: string): PreviousMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Partial<PreviousMarker>;
    return m.paranom === 'vae-previous' && Number.isSafeInteger(m.pid) && typeof m.host === 'string' && typeof m.out === 'string' ? (m as PreviousMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** The previous-model folders beside `out` that an ended process of this host left for this place, with their pids. */
export function abandonedPrevious(out: string): Array<{ dir: string; pid: number; holdsModel: boolean }> {
  const parent = dirname(resolve(out));
  if (!existsSync(parent)) return [];
  const prefix = `.${basename(out)}.paranom-previous-`;
  const found: Array<{ dir: string; pid: number; holdsModel: boolean }> = [];
  for (const name of readdirSync(parent).sort()) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (!Number.isSafeInteger(pid) || name !== folderName(out, pid)) continue;
    const dir = join(parent, name);
    const m = readMarker(dir);
    if (!m || m.pid !== pid || m.host !== hostname() || m.out !== basename(out) || pid === process.pid || processAlive(pid)) continue;
    // Only the marker and the model: a folder someone added files to is left alone.
    if (readdirSync(dir).some((e) => e !== MARKER && e !== MODEL)) continue;
    found.push({ dir, pid, holdsModel: existsSync(join(dir, MODEL)) });
  }
  return found;
}

/**
 * Settles what an interrupted placement of `out` left: with `out` missing, the previous
 * model goes back to it (the lowest pid's, when several — only one can have been there);
 * otherwise the previous model was already replaced, and its folder goes. Returns one
 * line per folder settled, and the pids of the trainings they belonged to (whose staging
 * folder, unmarked just before its rename, is theirs too).
 */
export function settlePrevious(out: string): { lines: string[]; pids: Set<number> } {
  const lines: string[] = [];
  const pids = new Set<number>();
  for (const { dir, pid, holdsModel } of abandonedPrevious(out)) {
    pids.add(pid);
    if (holdsModel && !existsSync(out)) {
      renameSync(join(dir, MODEL), out);
      lines.push(`restored ${out} from ${dir}, where an interrupted train-vae had set the previous model aside`);
    } else lines.push(`removed ${dir}, ${holdsModel ? 'the previous model an interrupted train-vae had already replaced' : 'the empty previous-model folder of an interrupted train-vae'}`);
    dropPrevious(dir);
  }
  return { lines, pids };
}
