/**
 * The temporaries paranom writes a file under until it is complete. Each run's temporary
 * has a name of its own — host, pid and random digits after the file's name (shortened where
 * the whole would pass the file-name limit: fitted-name.ts) — created only if new (O_EXCL:
 * never an existing file, never through a symlink), so two runs writing side by side, even
 * to one target, never write into one file, and a run's clean-up removes its own temporary
 * only. A name of this form is never a user's: a file the user happens to call
 * `part-00000.parquet.tmp` is not taken for a temporary of `part-00000.parquet`. Among the
 * user's own files (a merged file, a report page, a stream's labels), where no lock makes
 * paranom the only writer, what a killed run (kill -9) left is removed by the next run
 * writing that file, and only when its pid names a process of this host that no longer
 * runs; in a dataset, the run holding its lock removes them (run/ownership.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { processAlive } from '../process-alive.js';
import { fittedStem } from './fitted-name.js';

/** This host, shortened (a name stays far below 255 bytes). */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const TEMP_RE = /^\.paranom-([0-9a-f]{8})-(\d+)-[0-9a-f]{12}\.tmp$/;
/** The most bytes the suffix adds (a pid has at most 10 digits): the same for every run, so each finds the others'. */
const SUFFIX_MAX = '.paranom-'.length + 8 + 1 + 10 + 1 + 12 + '.tmp'.length;

/** The start of the temporaries' names of the file named `file`: the name, shortened if a temporary would not fit. */
const stemOf = (file: string): string => fittedStem(file, SUFFIX_MAX);

/** A name for this run's temporary of `path`, beside it: `FILE.paranom-<host>-<pid>-<random>.tmp`. */
export function uniqueTempName(path: string): string {
  return join(dirname(path), `${stemOf(basename(path))}.paranom-${HOST}-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** Whether `name` is a temporary of `file` (a name in the same folder) as `uniqueTempName` makes it, of any run. */
export function isUniqueTempOf(name: string, file: string): boolean {
  return temporaryOf(name) === stemOf(file);
}

/**
 * The file name `name` (in the same folder) is a temporary of, or null when it is not one.
 * A name so long that its temporaries shorten it (fitted-name.ts) gives the shortened stem.
 */
export function temporaryOf(name: string): string | null {
  const at = name.lastIndexOf('.paranom-');
  return at > 0 && TEMP_RE.test(name.slice(at)) ? name.slice(0, at) : null;
}

/** The temporaries of `path` that runs of this host which no longer run left behind. */
export function abandonedTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = stemOf(basename(path));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => {
      const m = n.startsWith(prefix) ? TEMP_RE.exec(n.slice(prefix.length)) : null;
      return m !== null && m[1] === HOST && Number(m[2]) !== process.pid && !processAlive(Number(m[2]));
    })
    .map((n) => join(dir, n));
}

/** Removes the temporaries of `path` that ended runs of this host left (see `abandonedTemps`). */
export function removeAbandonedTemps(path: string): void {
  for (const t of abandonedTemps(path)) rmSync(t, { force: true });
}
