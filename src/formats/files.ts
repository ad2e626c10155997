/** Crash-safe file writes: a complete file appears under its final name or not at all. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { addMs, clock, timing } from '../phases.js';

export const TEMP_SUFFIX = '.tmp';

/** Writes `bytes` to `path` via a temporary name, fsync, then an atomic rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const t = timing ? clock() : 0;
  let synced = 0;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = path + TEMP_SUFFIX;
  const fd = openSync(tmp, 'w');
  try {
    try {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      const f = timing ? clock() : 0;
      fsyncSync(fd);
      if (timing) synced = clock() - f;
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    if (timing) {
      addMs('write', clock() - t - synced);
      addMs('fsync', synced);
    }
  } catch (err) {
    // A full disk or an I/O error: no half-written temporary is left behind.
    rmSync(tmp, { force: true });
    throw err;
  }
}
