/**
 * The previous model while a new one takes its place. `train-vae` moves the model at
 * `--out` into a marked hidden folder beside it, renames the new model into `--out`, then
 * removes that folder. A kill -9 between the two renames leaves `--out` missing and the
 * previous model in the folder: the next training of the same `--out` puts it back (an
 * interrupted training leaves `--out` as it was), and a loader of the missing path names
 * it. Only a folder whose marker names this place and a process of this host that no
 * longer runs is touched; anything else is never guessed about.
 */
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createMarkedFolder, markedFolderName, markedFolders } from './marked-folder.js';

/** The kind of marked folder (marked-folder.ts) the previous model waits in. */
const PREVIOUS = 'previous';
/** The marker file in the previous-model folder. */
const MARKER = '.paranom-previous.json';
const TAG = 'vae-previous';
/** Where, inside the folder, the previous model itself is. */
const MODEL = 'model';

/**
 * Moves the model at `out` into this process's marked previous-model folder and returns
 * the folder (removed with `dropPrevious` once the new model is in place); undefined when
 * `out` went meanwhile (another training of the same place set it aside first).
 */
export function setAsidePrevious(out: string): string | undefined {
  const dir = join(dirname(resolve(out)), markedFolderName(out, PREVIOUS, process.pid));
  createMarkedFolder(dir, MARKER, TAG, out);
  try {
    renameSync(out, join(dir, MODEL));
  } catch (err) {
    dropPrevious(dir);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return dir;
}

/** Removes a previous-model folder: the model in it, then the marker (the folder never sits unmarked with a model in it). */
export function dropPrevious(dir: string): void {
  rmSync(join(dir, MODEL), { recursive: true, force: true });
  unlinkSync(join(dir, MARKER));
  rmdirSync(dir);
}

/** The previous-model folders beside `out` that an ended process of this host left for this place, with their pids. */
export function abandonedPrevious(out: string): Array<{ dir: string; pid: number; holdsModel: boolean }> {
  return markedFolders(out, PREVIOUS, MARKER, TAG)
    // Only the marker and the model: a folder someone added files to is left alone. This
    // process's own folder is too: a caller in the same process may be placing a model.
    .filter((f) => f.abandoned && f.pid !== process.pid && !readdirSync(f.dir).some((e) => e !== MARKER && e !== MODEL))
    .map(({ dir, pid }) => ({ dir, pid, holdsModel: existsSync(join(dir, MODEL)) }));
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
