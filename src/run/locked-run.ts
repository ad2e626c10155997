/**
 * One run at a time per directory: a run holds the lock of its output directory (lock.ts)
 * for its whole length, creates the directory if needed and removes it again if the run
 * left it empty; a whole-dataset run first rolls a commit a killed run left forward.
 */
import type { Part } from '../plan/parts.js';
import { rollForward } from './commit.js';
import { acquireLock } from './lock.js';
import { createOutputDir, removeIfEmpty } from './output-dir.js';

/**
 * Runs `body` holding the lock of `out`, which it creates if needed (removed again if left
 * empty); `body` learns whether a committed run left unfinished was completed first.
 */
export async function lockedRun<T>(out: string, part: Part | null, command: string, body: (rolledForward: boolean) => Promise<T>): Promise<T> {
  const created = createOutputDir(out, '--out');
  const lock = acquireLock(out, part, command);
  try {
    return await body(!part && rollForward(out));
  } finally {
    lock.release();
    removeIfEmpty(created);
  }
}
