/** Crash-safe file writes: a complete file appears under its final name or not at all. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

/** Writes `bytes` to `path` via a temporary name, fsync, then an atomic rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = path + TEMP_SUFFIX;
  const fd = openSync(tmp, 'w');
  try {
    try {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    // A full disk or an I/O error: no half-written temporary is left behind.
    rmSync(tmp, { force: true });
    throw err;
  }
}
