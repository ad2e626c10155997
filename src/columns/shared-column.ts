/**
 * A column of doubles built in shared memory, for data read once on the main thread and
 * then read by every worker without a copy (a source file's columns): a
 * `SharedArrayBuffer` travels to a worker thread as a handle to the same memory.
 */

/**
 * A shared column whose final length is known only at the end (rows parsed piece by
 * piece); in private memory when `shared` is false (a column that stays on its thread,
 * such as training data).
 */
export class SharedColumnBuilder {
  private data: Float64Array;
  /** Values written so far. */
  length = 0;

  constructor(private readonly shared = true) {
    this.data = this.alloc(0);
  }

  private alloc(n: number): Float64Array {
    return new Float64Array(this.shared ? new SharedArrayBuffer(8 * n) : new ArrayBuffer(8 * n));
  }

  /**
   * The column's memory with room for `needed` values in all; when it must grow, it grows
   * to `expected` (an estimate of the final length) if that is larger, so that a good
   * estimate means one allocation and no copy. Write values at `length` onward, then `advance`.
   */
  reserve(needed: number, expected = needed): Float64Array {
    if (needed > this.data.length) {
      const next = this.alloc(Math.max(needed, Math.ceil(expected)));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    return this.data;
  }

  /**
   * Room for `n` more values of a file read `bytesRead` of `fileBytes` bytes so far: the
   * rows per byte so far, over the whole file, estimate the final length.
   */
  reserveRead(n: number, bytesRead: number, fileBytes: number): Float64Array {
    return this.reserve(this.length + n, ((this.length + n) * fileBytes) / Math.max(1, bytesRead) * 1.05);
  }

  /** Counts `n` values written after the current ones. */
  advance(n: number): void {
    this.length += n;
  }

  /** The column: its values over its memory (which may hold unused room after them). */
  done(): Float64Array {
    return new Float64Array(this.data.buffer, 0, this.length);
  }
}
