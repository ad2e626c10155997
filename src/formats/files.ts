/**
 * Crash-safe file writes: a complete file appears under its final name or not at all.
 *
 * Large shard files are written with O_DIRECT where the file system allows it: straight
 * from the writer's memory to the disk, not through the page cache. Measured on the
 * development machine, a buffered 42 MB shard cost ~100 ms of kernel CPU once the page
 * cache was full (every new page reclaimed one first), a direct one ~2 ms and 40 ms of
 * waiting on the disk, which the other workers use. O_DIRECT needs the buffer's address,
 * the file offset and the length aligned to the disk's blocks: a file given as one buffer
 * is written from it when `alignedBytes` gave it, a file given as parts (an encoder's
 * pieces) through a small ring of aligned chunks (write-ring.ts); the last block is
 * written padded and the file truncated to its length. Where O_DIRECT is refused (tmpfs,
 * some network file systems, other platforms), the write is buffered, as for every other
 * file.
 */
import { closeSync, constants, existsSync, fsync, fsyncSync, ftruncateSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { addMs, clock, timing } from '../phases.js';
import { removeAbandonedTemps, uniqueTempName } from './unique-temp.js';
import { isAligned, padded } from './aligned-bytes.js';
import { writeAllAt, writeThroughRing, type FileParts, type RingWrite, type WriteRing } from './write-ring.js';

export { alignedBytes, DIRECT_ALIGN } from './aligned-bytes.js';
export type { FileParts } from './write-ring.js';

/** Files smaller than this are written buffered: the page cache costs them little. */
const DIRECT_MIN_BYTES = 1 << 20;
/** False once this process saw a direct write refused; then every write is buffered. */
let directAllowed = constants.O_DIRECT !== undefined && process.env['PARANOM_NO_DIRECT_IO'] !== '1';

/** True when `bytes` can be written with O_DIRECT: aligned start, padding room, large. */
function direct(bytes: Uint8Array): boolean {
  return directAllowed && bytes.length >= DIRECT_MIN_BYTES && isAligned(bytes);
}

/** A file given whole or in parts, as parts. */
const partsOf = (file: Uint8Array | FileParts): FileParts => (file instanceof Uint8Array ? [file] : file);

function writeAll(fd: number, buf: Uint8Array, length: number): void {
  let off = 0;
  while (off < length) off += writeSync(fd, buf, off, length - off);
}

/** Opens `tmp`, a new file, for a direct write; -1 (no file left) when the file system refuses O_DIRECT. */
function openDirect(tmp: string): number {
  try {
    return openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    // Linux checks O_DIRECT after creating the file: the name was new (O_EXCL), so a file
    // there now is the one this open made.
    rmSync(tmp, { force: true });
    directAllowed = false;
    return -1;
  }
}

/** `bytes` with its last block whole (the bytes past the end are the buffer's; cut off later). */
const paddedView = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes.buffer, bytes.byteOffset, padded(bytes.length));

/** True for the error of a direct write the file system refuses (alignment). */
function refused(err: unknown, fd: number): boolean {
  closeSync(fd);
  if ((err as NodeJS.ErrnoException).code !== 'EINVAL') return false;
  directAllowed = false;
  return true;
}

/** Opens `tmp` and writes `bytes` with O_DIRECT; the open fd, or -1 (nothing open) when the file system refuses it. */
function openWrittenDirect(tmp: string, bytes: Uint8Array): number {
  const fd = openDirect(tmp);
  if (fd < 0) return -1;
  try {
    writeAll(fd, paddedView(bytes), padded(bytes.length));
    ftruncateSync(fd, bytes.length);
    return fd;
  } catch (err) {
    // The file is this open's (O_EXCL): it goes, refused or failed.
    const wasRefused = refused(err, fd);
    rmSync(tmp, { force: true });
    if (wasRefused) return -1;
    throw err;
  }
}

/** A direct write still under way: its buffer is in use until `released`, its file in place once `durable`. */
export interface Landing {
  /** Settles, never rejecting, once the bytes are written: the buffer may be reused. */
  released: Promise<void>;
  /** Resolves (the ms fsync took) once the file is fsynced and renamed into place; rejects, its temporary removed, if the write failed. */
  durable: Promise<number>;
}

/** What `writeFileAtomicAround` does beside the write. */
export interface WriteAround {
  /**
   * Called with the file's bytes in order, each once, before `during` (a worker hashes its
   * shard here): where the write is direct, while they go to the disk.
   */
  see?: ((bytes: Uint8Array) => void) | undefined;
  /** The ring a file given in parts goes through with O_DIRECT (a writer's, reused); without it, parts are written buffered. */
  ring?: WriteRing | undefined;
}

const ignore = (): void => undefined;

/**
 * Starts `writeFileAtomic` of `file` (one buffer, or parts in order) and runs `around.see`
 * and `during` on this thread while a direct write goes to the disk on libuv's thread pool
 * (a worker hashes its shard and measures its events while the shard is written); returns
 * `during`'s result, with the write's `landing` (null when the file was written before
 * `during` ran: no direct write). A worker thus goes on to its next shard's rows while this
 * one's last blocks, fsync and rename finish. A buffer must not change before
 * `landing.released`, nor the ring; parts may change once this resolves (they are in the
 * ring or on the disk by then). A failing `during` leaves no file (its error, once the
 * write has stopped and the temporary is removed).
 */
export async function writeFileAtomicAround<T>(path: string, file: Uint8Array | FileParts, during: () => T, around: WriteAround = {}): Promise<{ result: T; landing: Landing | null }> {
  const see = around.see ?? ignore;
  const buffered = (): { result: T; landing: null } => {
    writeFileAtomic(path, file);
    for (const b of partsOf(file)) see(b);
    return { result: during(), landing: null };
  };
  const length = partsOf(file).reduce((n, b) => n + b.length, 0);
  const ring = file instanceof Uint8Array ? null : around.ring;
  if (file instanceof Uint8Array ? !direct(file) : !directAllowed || length < DIRECT_MIN_BYTES || !ring?.aligned()) return buffered();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = uniqueTempName(path);
  const fd = openDirect(tmp);
  if (fd < 0) return buffered();
  const stop = async (written: Promise<void>): Promise<void> => {
    await written.catch(ignore);
    closeSync(fd);
    rmSync(tmp, { force: true });
  };
  let write: RingWrite;
  let result: T;
  if (file instanceof Uint8Array) {
    const written = writeAllAt(fd, paddedView(file), 0);
    write = { first: written, written };
    try {
      see(file);
      result = during();
    } catch (err) {
      await stop(written);
      throw err;
    }
  } else {
    try {
      write = await writeThroughRing(fd, file, ring!, see);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    try {
      result = during();
    } catch (err) {
      await stop(write.written);
      throw err;
    }
    // The first chunk's write shows whether the file system takes direct writes. Where it
    // is refused, the parts (as they were: nothing has returned yet) are written buffered.
    if (await write.first.then(() => false, (err: unknown) => (err as NodeJS.ErrnoException).code === 'EINVAL')) {
      await stop(write.written);
      directAllowed = false;
      writeFileAtomic(path, file);
      return { result, landing: null };
    }
  }
  const { written } = write;
  // true: the direct write is done and its fd open; false: refused, written buffered instead.
  const done = (async (): Promise<boolean> => {
    try {
      await written;
      ftruncateSync(fd, length);
      return true;
    } catch (err) {
      rmSync(tmp, { force: true });
      // A whole buffer is still as it was: refused, it is written buffered.
      if (!refused(err, fd) || !(file instanceof Uint8Array)) throw err;
      writeFileAtomic(path, file);
      return false;
    }
  })();
  const durable = done.then(async (open) => {
    if (!open) return 0;
    try {
      return await syncAndRenameAsync(fd, tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  });
  return { result, landing: { released: done.then(ignore, ignore), durable } };
}

/** `syncAndRename` with the fsync on libuv's thread pool, leaving this thread free. */
async function syncAndRenameAsync(fd: number, tmp: string, path: string): Promise<number> {
  const f = clock();
  try {
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    closeSync(fd);
  }
  const synced = clock() - f;
  renameSync(tmp, path);
  return synced;
}

/**
 * Makes the written data and the file's size durable (fsync), closes `fd` and renames `tmp`
 * to `path`; the ms fsync took when phases are timed.
 */
function syncAndRename(fd: number, tmp: string, path: string): number {
  let synced = 0;
  try {
    const f = timing ? clock() : 0;
    fsyncSync(fd);
    if (timing) synced = clock() - f;
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return synced;
}

/** Where `writeFileAtomic` writes. */
export interface AtomicWriteOptions {
  /**
   * A file among the user's own, where no lock makes this run the only writer and no run's
   * survey cleans up: what killed runs of this host left beside it is removed first.
   */
  amongUserFiles?: boolean;
}

/**
 * Writes `bytes` (or parts, in order) to `path` via a temporary of this run's own name
 * (created only if new: never an existing file, never through a symlink), fsync, then an
 * atomic rename.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string | FileParts, options: AtomicWriteOptions = {}): void {
  const t = timing ? clock() : 0;
  mkdirSync(dirname(path), { recursive: true });
  if (options.amongUserFiles) removeAbandonedTemps(path);
  const tmp = uniqueTempName(path);
  // The temporary is removed on failure only once this run has created it.
  let ours = false;
  try {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let fd = buf instanceof Uint8Array && direct(buf) ? openWrittenDirect(tmp, buf) : -1;
    if (fd >= 0) ours = true;
    else {
      fd = openSync(tmp, 'wx');
      ours = true;
      try {
        for (const b of partsOf(buf)) writeAll(fd, b, b.length);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    }
    // Direct or not, the data and the file's size reach the disk before the rename.
    const synced = syncAndRename(fd, tmp, path);
    if (timing) {
      addMs('write', clock() - t - synced);
      addMs('fsync', synced);
    }
  } catch (err) {
    // A full disk or an I/O error: no half-written temporary is left behind.
    if (ours) rmSync(tmp, { force: true });
    throw naming(err, tmp, path);
  }
}

/**
 * Puts the finished temporary `tmp` at `target` only where nothing is: false, `tmp` left
 * as it was, when a file is there (a hard link fails if one appeared since the caller
 * last looked). On a file system without hard links, a file there now is checked for and
 * the temporary renamed.
 */
export function linkNew(tmp: string, target: string): boolean {
  try {
    linkSync(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (existsSync(target)) return false;
    renameSync(tmp, target);
    return true;
  }
  rmSync(tmp, { force: true });
  return true;
}

/**
 * Writes `text` to `path`, a file that must not exist yet: false, nothing written, when one
 * does (or appears meanwhile). Complete or absent, as `writeFileAtomic`.
 */
export function writeNewFile(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  removeAbandonedTemps(path);
  const tmp = uniqueTempName(path);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      writeAll(fd, Buffer.from(text), Buffer.byteLength(text));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return linkNew(tmp, path);
  } catch (err) {
    throw naming(err, tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * A failed write's system error, naming `path`, the file asked for: a write's own error
 * names no file, and one naming the temporary `tmp` names a file that is gone (the message
 * of an error that reaches the user shows its path).
 */
function naming(err: unknown, tmp: string, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && (e.path === undefined || e.path === tmp)) e.path = path;
  return err;
}

/**
 * A file written a piece at a time under a temporary of this run's own name (as
 * `writeFileAtomic` names it), then fsynced and renamed into place by `commit`; `abandon`
 * removes the temporary. Until `commit` nothing appears under the file's own name, so a
 * run that fails or is killed part-way leaves no file that looks complete.
 */
export class AtomicFile {
  private fd: number;
  private readonly tmp: string;
  /** Bytes written so far. */
  length = 0;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = uniqueTempName(path);
    try {
      this.fd = openSync(this.tmp, 'wx');
    } catch (err) {
      throw naming(err, this.tmp, path);
    }
  }

  write(bytes: Uint8Array): void {
    if (this.fd < 0) throw new Error(`${this.path} is already closed`);
    try {
      writeAll(this.fd, bytes, bytes.length);
    } catch (err) {
      this.abandon();
      throw naming(err, this.tmp, this.path);
    }
    this.length += bytes.length;
  }

  /** Makes the file durable and puts it in place. */
  commit(): void {
    const fd = this.fd;
    this.fd = -1;
    try {
      syncAndRename(fd, this.tmp, this.path);
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw naming(err, this.tmp, this.path);
    }
  }

  /** Closes and removes the temporary (nothing is left under either name); idempotent. */
  abandon(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}
