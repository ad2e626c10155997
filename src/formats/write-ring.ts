/**
 * A file given as parts (an encoder's pieces, in order) written with O_DIRECT through a
 * small ring of aligned chunks: each chunk is filled from the parts, handed to the disk on
 * libuv's thread pool, and shown to the caller (who hashes it) while the disk writes it and
 * the next chunks are filled. A writer thus never holds its file in one buffer: a shard's
 * 40 MB file buffer was some 10,000 pages, each paid for with a page fault at its first
 * touch, where the ring is RING_CHUNKS × RING_CHUNK_BYTES, reused from file to file.
 * Chunks are written one after another, in file order, each a whole number of blocks but
 * the last, which is written padded (the file is cut to its length afterwards).
 */
import { write } from 'node:fs';
import { alignedBytes, DIRECT_ALIGN, isAligned, padded } from './aligned-bytes.js';

/** A file's bytes as consecutive parts, in order. */
export type FileParts = readonly Uint8Array[];

/** Bytes of one chunk of a ring: a whole number of DIRECT_ALIGN blocks. */
export const RING_CHUNK_BYTES = 2 << 20;
/** Chunks of a ring: while one is written, the others are filled and hashed. */
export const RING_CHUNKS = 4;

/** The aligned chunks a writer's files go through, allocated on first use and then reused. */
export class WriteRing {
  private memory: Uint8Array | null = null;

  constructor(
    readonly chunkBytes = RING_CHUNK_BYTES,
    readonly chunks = RING_CHUNKS,
  ) {
    if (!(chunkBytes > 0 && chunkBytes % DIRECT_ALIGN === 0 && Number.isInteger(chunks) && chunks >= 1)) {
      throw new RangeError(`a write ring needs chunks of whole ${DIRECT_ALIGN}-byte blocks, at least one (got ${chunks} of ${chunkBytes} bytes)`);
    }
  }

  /** Chunk `i` (0 ≤ i < chunks); a page of it is first touched when a file fills it. */
  chunk(i: number): Uint8Array {
    this.memory ??= alignedBytes(this.chunkBytes * this.chunks);
    return this.memory.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes);
  }

  /** True when its chunks can be written with O_DIRECT (aligned memory could be had). */
  aligned(): boolean {
    return isAligned(this.chunk(this.chunks - 1));
  }
}

/** Writes all of `buf` at offset `at` of `fd` on libuv's thread pool. */
export function writeAllAt(fd: number, buf: Uint8Array, at: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (off: number): void =>
      write(fd, buf, off, buf.length - off, at + off, (err, n) => {
        if (err) reject(err);
        else if (off + n < buf.length) from(off + n);
        else resolve();
      });
    from(0);
  });
}

/** A ring write whose parts are all in the ring, its last chunks' writes still under way. */
export interface RingWrite {
  /** Settles with the write of the first chunk: whether the file system takes direct writes. */
  first: Promise<void>;
  /** Resolves once every chunk is written (the ring may then be reused); rejects with the first failed write, after which no chunk is written. */
  written: Promise<void>;
}

const ignore = (): void => undefined;

/**
 * Writes `parts` from offset 0 of `fd` (opened with O_DIRECT) through `ring`, calling `see`
 * with each chunk's bytes once its write is queued. Resolves once every part has been
 * copied into the ring (the parts may change from then on). A failed write stops the
 * filling, as does an error of `see`: rejects with it once no write is under way.
 */
export async function writeThroughRing(fd: number, parts: FileParts, ring: WriteRing, see: (bytes: Uint8Array) => void): Promise<RingWrite> {
  // free[i]: the write of what chunk i last held (it may be filled again once that settles).
  const free: Array<Promise<void>> = Array.from({ length: ring.chunks }, () => Promise.resolve());
  let queue = Promise.resolve();
  let first: Promise<void> | null = null;
  let at = 0;
  let p = 0;
  let o = 0;
  try {
    for (let k = 0; p < parts.length; k++) {
      const i = k % ring.chunks;
      await free[i];
      const chunk = ring.chunk(i);
      let n = 0;
      while (n < chunk.length && p < parts.length) {
        const part = parts[p]!;
        const take = Math.min(chunk.length - n, part.length - o);
        chunk.set(o === 0 && take === part.length ? part : part.subarray(o, o + take), n);
        n += take;
        o += take;
        if (o === part.length) {
          p++;
          o = 0;
        }
      }
      if (n === 0) break;
      const from = at;
      queue = queue.then(() => writeAllAt(fd, chunk.subarray(0, padded(n)), from));
      // Its outcome is awaited (free[i], the caller's `written`), maybe not before it settles.
      queue.catch(ignore);
      free[i] = queue;
      first ??= queue;
      see(chunk.subarray(0, n));
      at += n;
    }
  } catch (err) {
    await queue.catch(ignore);
    throw err;
  }
  return { first: first ?? queue, written: queue };
}
