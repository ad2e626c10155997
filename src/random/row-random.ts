/**
 * The random source a callback receives: the draws of one (variable, row, attempt), in the
 * counter layout of counter.ts — draw d of row r is exactly `rowUniform(key, stream, r,
 * attempt, d)`, so a callback's values are pure functions of (seed, stream, row, attempt,
 * draw) whatever order rows are visited in (D1, D2).
 *
 * Rows of a block are visited in order, so the first few draws of every row of the block
 * are computed together on first use (fillRowUniforms, the stochastic variables' fast
 * path); further draws use one Philox call per row pair, the odd row's words cached.
 */
import { philox4x32 } from './philox.js';
import { fillRowUniforms, MAX_DRAWS, wordsToUniform, type SeedKey } from './counter.js';
import { normalQuantile, openUniform } from './normal-quantile.js';

const TWO32 = 4294967296;

/** Thrown when a row asks for more than MAX_DRAWS draws; the caller names the variable. */
export class DrawsExhausted extends Error {
  constructor(readonly row: number) {
    super(`asked for more than ${MAX_DRAWS} random draws in one row`);
  }
}

/** What callbacks see as `ctx.random`. */
export interface RandomSource {
  /** A uniform double in [0, 1). */
  uniform(): number;
  /** A normal deviate (inversion, so one draw each). */
  normal(mean?: number, sd?: number): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/** Draws per row served from block-wide buffers (filled on first use in a block). */
const BUFFERED_DRAWS = 4;

/** The draws of one variable, positioned on a row and attempt with `at`. */
export class RowRandom implements RandomSource {
  private row = 0;
  private attempt = 0;
  private draw = 0;
  /** The block being visited in order: draws 0..BUFFERED_DRAWS-1 of its rows at attempt 0. */
  private blockStart = 0;
  private blockCount = 0;
  private readonly buffers: Float64Array[] = [];
  private readonly filled = new Uint8Array(BUFFERED_DRAWS);
  private readonly w = new Uint32Array(4);
  /** Cached uniforms of the pair last computed for each draw index. */
  private readonly cachedPair = new Float64Array(MAX_DRAWS).fill(-1);
  private readonly cachedAttempt = new Float64Array(MAX_DRAWS).fill(-1);
  private readonly even = new Float64Array(MAX_DRAWS);
  private readonly odd = new Float64Array(MAX_DRAWS);

  constructor(
    private readonly key: SeedKey,
    private readonly stream: number,
  ) {}

  /**
   * Announces that rows [rowStart, rowStart + count) will be visited: their first draws are
   * then computed a block at a time (bit-identical to the per-row path, only faster).
   */
  beginBlock(rowStart: number, count: number): void {
    this.blockStart = rowStart;
    this.blockCount = count;
    this.filled.fill(0);
  }

  /** Positions the source on a row; its next draw is draw 0 of that row. */
  at(row: number, attempt: number): this {
    this.row = row;
    this.attempt = attempt;
    this.draw = 0;
    return this;
  }

  /** Draws used by the current row so far. */
  get draws(): number {
    return this.draw;
  }

  uniform(): number {
    const d = this.draw;
    if (d >= MAX_DRAWS) throw new DrawsExhausted(this.row);
    this.draw = d + 1;
    const i = this.row - this.blockStart;
    if (d < BUFFERED_DRAWS && this.attempt === 0 && i >= 0 && i < this.blockCount) {
      if (this.filled[d] === 0) {
        const buf = (this.buffers[d] ??= new Float64Array(this.blockCount));
        const out = buf.length >= this.blockCount ? buf : (this.buffers[d] = new Float64Array(this.blockCount));
        fillRowUniforms(this.key, this.stream, 0, d, this.blockStart, this.blockCount, out);
        this.filled[d] = 1;
      }
      return this.buffers[d]![i]!;
    }
    const pair = Math.floor(this.row / 2);
    if (this.cachedPair[d] !== pair || this.cachedAttempt[d] !== this.attempt) {
      const w = philox4x32(pair % TWO32, Math.floor(pair / TWO32), this.stream, this.attempt * 256 + d, this.key.k0, this.key.k1, this.w);
      this.even[d] = wordsToUniform(w[0]!, w[1]!);
      this.odd[d] = wordsToUniform(w[2]!, w[3]!);
      this.cachedPair[d] = pair;
      this.cachedAttempt[d] = this.attempt;
    }
    return (this.row & 1) === 0 ? this.even[d]! : this.odd[d]!;
  }

  normal(mean = 0, sd = 1): number {
    return mean + sd * normalQuantile(openUniform(this.uniform()));
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`random.int(${min}, ${max}): expected integers with min <= max`);
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('random.pick([]): expected a non-empty array');
    return items[Math.floor(this.uniform() * items.length)]!;
  }
}
