/**
 * The counter layout that turns Philox into per-row random values (D1).
 *
 * Every uniform is a pure function of (seed, stream, row, attempt, draw):
 *
 *   key  = [seed mod 2^32, floor(seed / 2^32)]
 *   ctr0 = pair mod 2^32          pair = floor(row / 2)
 *   ctr1 = floor(pair / 2^32)
 *   ctr2 = stream                 32-bit hash of the variable's name
 *   ctr3 = attempt · 256 + draw   attempt < 2^24, draw < 256
 *
 * One Philox call yields four 32-bit words; words 0–1 make the 53-bit uniform of the even
 * row of the pair and words 2–3 that of the odd row, so block generation uses every word.
 * Changing this layout changes every output byte: it is pinned by golden tests (D6).
 */
import { philox4x32 } from './philox.js';
import { WASM_MAX_PAIRS, wasmPairUniforms, wasmPhiloxAvailable } from './philox-wasm.js';

/** Draw indices available to one row, per attempt. */
export const MAX_DRAWS = 256;
/** Attempts available to one row (uniqueness retries). */
export const MAX_ATTEMPTS = 1 << 24;

const TWO32 = 4294967296;
const INV53 = 1 / 9007199254740992;

/** Philox key words of a seed (an integer in [0, 2^53)). */
export interface SeedKey {
  readonly k0: number;
  readonly k1: number;
}

export function seedKey(seed: number): SeedKey {
  return { k0: seed % TWO32 >>> 0, k1: Math.floor(seed / TWO32) >>> 0 };
}

/** A 53-bit uniform double in [0, 1) from two 32-bit words. */
export function wordsToUniform(hi: number, lo: number): number {
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) * INV53;
}

const scratch = new Uint32Array(4);

/** The uniform of one row at (stream, attempt, draw). */
export function rowUniform(key: SeedKey, stream: number, row: number, attempt: number, draw: number): number {
  const pair = Math.floor(row / 2);
  const w = philox4x32(pair % TWO32, Math.floor(pair / TWO32), stream, attempt * 256 + draw, key.k0, key.k1, scratch);
  return (row & 1) === 0 ? wordsToUniform(w[0]!, w[1]!) : wordsToUniform(w[2]!, w[3]!);
}

/**
 * Fills out[0..count) with the uniforms of rows rowStart..rowStart+count-1 at one
 * (stream, attempt, draw); bit-identical to calling rowUniform per row. Uses the
 * WebAssembly kernel (philox-wasm.ts) where available, else fillRowUniformsJs.
 */
export function fillRowUniforms(
  key: SeedKey,
  stream: number,
  attempt: number,
  draw: number,
  rowStart: number,
  count: number,
  out: Float64Array,
): void {
  if (!wasmPhiloxAvailable || count < 8) {
    fillRowUniformsJs(key, stream, attempt, draw, rowStart, count, out);
    return;
  }
  const c3 = attempt * 256 + draw;
  // Rows are visited by pairs; an odd first row takes the odd half of its pair.
  const skip = rowStart & 1;
  let pair = (rowStart - skip) / 2;
  let i = 0;
  let from = skip;
  while (i < count) {
    const nPairs = Math.min(WASM_MAX_PAIRS, (from + count - i + 1) >> 1);
    const u = wasmPairUniforms(key.k0, key.k1, stream, c3, pair, nPairs);
    const take = Math.min(2 * nPairs - from, count - i);
    out.set(from === 0 && take === u.length ? u : u.subarray(from, from + take), i);
    i += take;
    pair += nPairs;
    from = 0;
  }
}

/** The plain-JS block path: the reference the WebAssembly kernel is tested against. */
export function fillRowUniformsJs(
  key: SeedKey,
  stream: number,
  attempt: number,
  draw: number,
  rowStart: number,
  count: number,
  out: Float64Array,
): void {
  const c3 = attempt * 256 + draw;
  let i = 0;
  let row = rowStart;
  if ((row & 1) === 1 && count > 0) {
    out[i++] = rowUniform(key, stream, row++, attempt, draw);
  }
  let pair = row / 2;
  while (i + 1 < count) {
    const w = philox4x32(pair % TWO32, Math.floor(pair / TWO32), stream, c3, key.k0, key.k1, scratch);
    out[i] = wordsToUniform(w[0]!, w[1]!);
    out[i + 1] = wordsToUniform(w[2]!, w[3]!);
    i += 2;
    pair++;
  }
  if (i < count) out[i] = rowUniform(key, stream, rowStart + i, attempt, draw);
}

/**
 * A cursor over the extra draws of one row: distributions that need more than one uniform
 * (rejection samplers) ask for draw 1, 2, ... of the row they are sampling.
 */
export class RowDraws {
  row = 0;
  attempt = 0;
  constructor(
    readonly key: SeedKey,
    readonly stream: number,
  ) {}

  at(row: number, attempt: number): this {
    this.row = row;
    this.attempt = attempt;
    return this;
  }

  uniform(draw: number): number {
    return rowUniform(this.key, this.stream, this.row, this.attempt, draw);
  }
}
