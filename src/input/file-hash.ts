/** A file's content hash, read from the disk a piece at a time, and whether it changed while it was read. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

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

/**
 * `read()` of a file that must not change while it runs — a read in two passes (a hash,
 * then the columns), or one whose pieces are hashed as they pass, which a change in the
 * middle would make a mix of two versions — or else `changed()` is thrown: the file's
 * size or modification time differs after the read from before it.
 */
export function readUnchanged<T>(path: string, read: () => T, changed: () => Error): T {
  const stamp = () => {
    const s = statSync(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}`;
  };
  const before = stamp();
  const out = read();
  if (stamp() !== before) throw changed();
  return out;
}
