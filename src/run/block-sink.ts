/**
 * The ordered block sink: writes encoded stream blocks to a byte stream (stdout) with
 * backpressure and optional pacing. A write that returns false is followed by waiting for
 * 'drain', so a slow reader holds the producer instead of filling memory; a reader that
 * goes away (EPIPE) ends the stream quietly, like any Unix filter.
 */
import type { Writable } from 'node:stream';
import { ParanomError, SYSTEM_ERRORS } from '../errors.js';
import type { Pacer } from './pacer.js';
import type { StreamBlock } from './stream-task.js';

/** Thrown by the sink once its reader has gone away; the stream stops, not an error. */
export class StreamClosed extends Error {
  constructor() {
    super('the reader closed the stream');
  }
}

/**
 * A write to the stream that failed (a full disk behind a redirect, an I/O error), said as
 * such: the error of a write names no file, and the stream goes to standard output.
 */
function writeFailed(err: NodeJS.ErrnoException): Error {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (!code || !SYSTEM_ERRORS[code]) return err;
  return new ParanomError('IO_FAILED', `writing the stream to standard output: ${SYSTEM_ERRORS[code]} (${code}); the rows it holds end part-way`, { errno: code });
}

export class BlockSink {
  private headWritten = false;
  private closed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
    else this.failure ??= writeFailed(err);
    this.wake?.();
  };
  private readonly onWake = (): void => this.wake?.();

  /** `unitRows`: the rows of each unit a block's `ends` delimit (the pacing granularity). */
  constructor(
    private readonly out: Writable,
    private readonly unitRows: number,
    private readonly pacer?: Pacer,
  ) {
    out.on('error', this.onError);
    out.on('drain', this.onWake);
    out.on('close', this.onWake);
  }

  /** True once the reader has gone away. */
  get isClosed(): boolean {
    return this.closed || this.out.destroyed;
  }

  /**
   * Writes a block's rows (its head too if it is the first block), paced and in order;
   * returns one past the last row written. A paced block stops at a unit boundary (a whole
   * line, a whole Arrow batch) once `signal` aborts, so an interrupted stream ends on a row
   * instead of finishing a block that may take hours at the requested pace.
   */
  async write(block: StreamBlock, signal?: AbortSignal): Promise<number> {
    if (!this.headWritten) {
      this.headWritten = true;
      if (block.headLength > 0) await this.put(block.bytes.subarray(0, block.headLength));
    }
    const body = block.bytes.subarray(block.headLength);
    const units = block.ends.length;
    if (!this.pacer) {
      if (body.length > 0) await this.put(body);
      return block.rowEnd;
    }
    const lastRow = (k: number) => Math.min(block.rowEnd, block.rowStart + (k + 1) * this.unitRows) - 1;
    let i = 0;
    while (i < units) {
      if (!(await this.pacer.waitFor(lastRow(i), signal))) return i === 0 ? block.rowStart : lastRow(i - 1) + 1;
      // Everything due by now goes out in one write.
      let j = i + 1;
      while (j < units && this.pacer.untilDue(lastRow(j)) <= 0) j++;
      await this.put(body.subarray(i === 0 ? 0 : block.ends[i - 1]!, block.ends[j - 1]!));
      i = j;
    }
    return block.rowEnd;
  }

  /** Writes `tail` (a format's end marker), then resolves once every byte has been handed to the reader. */
  async finish(tail?: Uint8Array): Promise<void> {
    if (tail && tail.length > 0) await this.put(tail);
    if (this.isClosed) return;
    await new Promise<void>((resolve) => this.out.write(new Uint8Array(0), () => resolve()));
    this.check();
  }

  /** Stops listening to the stream. */
  detach(): void {
    this.out.off('error', this.onError);
    this.out.off('drain', this.onWake);
    this.out.off('close', this.onWake);
    // A late EPIPE after detaching must not become an uncaught exception.
    this.out.on('error', () => undefined);
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.isClosed) throw new StreamClosed();
  }

  private async put(bytes: Uint8Array): Promise<void> {
    this.check();
    if (this.out.write(bytes)) return;
    while (this.out.writableNeedDrain && !this.isClosed && !this.failure) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    this.check();
  }
}
