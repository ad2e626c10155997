/**
 * The refusal of an input file that changed under a dataset (INPUT_CHANGED): a dataset is
 * made from one version of each input, named by its content hash, never silently mixed.
 */
import { existsSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { fileSha256 } from '../input/file-hash.js';

/** INPUT_CHANGED: an input the dataset recorded is gone (`now` undefined) or hashes to `now`. */
export function inputChanged(variable: string, what: string, file: string, abs: string, recorded: string, now: string | undefined): ParanomError {
  const state = now === undefined ? `is missing (looked for ${abs})` : `changed: its SHA-256 is now ${now}, the dataset recorded ${recorded}`;
  return new ParanomError(
    'INPUT_CHANGED',
    `variable '${variable}': ${what} ${file} ${state}; a dataset is generated from one version of each input — restore that file, or generate a new dataset into another directory`,
    { variable, file, path: abs, recorded, now: now ?? null },
  );
}

/** Throws INPUT_CHANGED when the file at `abs` is gone or no longer hashes to `recorded`. */
export function checkInputFile(variable: string, what: string, file: string, abs: string, recorded: string): void {
  const now = existsSync(abs) ? fileSha256(abs) : undefined;
  if (now !== recorded) throw inputChanged(variable, what, file, abs, recorded, now);
}

