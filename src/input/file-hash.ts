/** A file's content hash, read from the disk a piece at a time. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** SHA-256 of a file's bytes (hex), read 16 MiB at a time (a source file may be larger than memory allows at once). */
export function fileSha256(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = new Uint8Array(16 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}
