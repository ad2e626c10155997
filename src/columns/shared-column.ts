/**
 * A column of doubles built in shared memory, for data read once on the main thread and
 * then read by every worker without a copy (a source file's columns): a
 * `SharedArrayBuffer` travels to a worker thread as a handle to the same memory.
 */

/** A shared column whose final length is known only at the end (rows parsed piece by piece). */
export class SharedColumnBuilder {
  private data = new Float64Array(new SharedArrayBuffer(0));
  /** Values written so far. */
  length = 0;

  /**
   * The column's memory with room for `needed` values in all; when it must grow, it grows
   * to `expected` (an estimate of the final length) if that is larger, so that a good
   * estimate means one allocation and no copy. Write values at `length` onward, then `advance`.
   */
  reserve(needed: number, expected = needed): Float64Array {
    if (needed > this.data.length) {
      const next = new Float64Array(new SharedArrayBuffer(8 * Math.max(needed, Math.ceil(expected))));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    return this.data;
  }

  /** Counts `n` values written after the current ones. */
  advance(n: number): void {
    this.length += n;
  }

  /** The column: its values over shared memory (which may hold unused room after them). */
  done(): Float64Array {
    return new Float64Array(this.data.buffer, 0, this.length);
  }
}
