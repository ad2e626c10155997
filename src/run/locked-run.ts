/**
 * One run at a time per directory: a run holds the lock of its output directory (lock.ts)
 * for its whole length, creates the directory if needed and removes it again if the run
 * left it empty; a whole-dataset run first rolls a commit a killed run left forward.
 */
import type { Part } from '../plan/parts.js';
import { noRoom } from '../errors.js';
import { rollForward } from './commit.js';
import { acquireLock } from './lock.js';
import { checkDataDir, createOutputDir, removeIfEmpty } from './output-dir.js';

/**
 * Runs `body` holding the lock of `out`, which it creates if needed (removed again if left
 * empty), after completing a committed run a killed one left unfinished.
 */
export async function lockedRun<T>(out: string, part: Part | null, command: string, body: () => Promise<T>): Promise<T> {
  // Messages name the option the user gave: grow takes the dataset itself, not --out.
  const created = createOutputDir(out, command === 'grow' ? 'grow' : '--out');
  let lock;
  try {
    checkDataDir(out);
    lock = acquireLock(out, part, command);
  } catch (err) {
    // Refused (its data/ or its lock), or its lock could not be written (a full disk): the directory it made goes too.
    removeIfEmpty(created);
    throw err;
  }
  try {
    if (!part) rollForward(out);
    return await body();
  } catch (err) {
    // A full disk met past the shards (the segment table, the manifest) is said as a shard's is.
    throw noRoom(err, (err as NodeJS.ErrnoException).path ?? out, 'free some space and run the same command again') ?? err;
  } finally {
    lock.release();
    removeIfEmpty(created);
  }
}
