/**
 * AR(p) under D1–D3. The timeline is cut into the fixed 65,536-row blocks of the data
 * format; block b is computed by starting the recursion from a zero state W rows before
 * the block (at row bB − W, with the true innovations of those rows) and running it through
 * the block. A row's value therefore depends only on its index — never on the shard it
 * falls in — and growing the timeline cannot change it.
 *
 * The price is that the state entering a block is not exactly the state the previous
 * block ended with: the zero start state's influence after W steps is bounded by
 * ‖C^W‖∞ (C the companion matrix) relative to the process's own scale. W is the smallest
 * power of two with ‖C^W‖∞ ≤ 1e-20 — four orders of magnitude below double precision
 * (2.2e-16), so no stored bit can tell — and a process that needs more than MAX_WARMUP rows
 * to get there (a unit root or one very close to it) is refused by validation.
 * Innovations of rows before 0 come from a separate "pre-history" stream, so block 0 is
 * warmed up like every other block.
 */
import { BLOCK_ROWS } from '../format.js';
import { fillRowUniforms, type SeedKey } from '../random/counter.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';
import { toStandardNormals } from '../distribution/standard-normals.js';

/** Largest warm-up accepted: four blocks. */
export const MAX_WARMUP = 4 * BLOCK_ROWS;
/** Bound on the start state's relative influence that the warm-up must reach. */
export const WARMUP_TOLERANCE = 1e-20;

function matMul(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let k = 0; k < p; k++) {
    const x = a[i * p + k]!;
    if (x === 0) continue;
    for (let j = 0; j < p; j++) out[i * p + j]! += x * b[k * p + j]!;
  }
  return out;
}

function normInf(a: Float64Array, p: number): number {
  let m = 0;
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += Math.abs(a[i * p + j]!);
    m = Math.max(m, s);
  }
  return m;
}

/**
 * The warm-up of an AR process: the smallest power of two W with ‖C^W‖∞ ≤ 1e-20, and that
 * norm (the residual), or `ok: false` with an estimate of the spectral radius.
 */
export function arWarmup(phi: readonly number[]): { ok: true; warmup: number; residual: number } | { ok: false; radius: number } {
  const p = phi.length;
  let m: Float64Array = new Float64Array(p * p);
  phi.forEach((x, j) => (m[j] = x));
  for (let i = 1; i < p; i++) m[i * p + i - 1] = 1;
  let w = 1;
  let n = normInf(m, p);
  while (!(n <= WARMUP_TOLERANCE)) {
    if (w >= MAX_WARMUP || !Number.isFinite(n)) return { ok: false, radius: Number.isFinite(n) ? Math.pow(n, 1 / w) : Infinity };
    m = matMul(m, m, p);
    w *= 2;
    n = normInf(m, p);
  }
  return { ok: true, warmup: w, residual: n };
}

/** Standard normal innovations of rows [from, from + count), `from` possibly negative. */
export function innovations(key: SeedKey, stream: number, preStream: number, from: number, count: number, out: Float64Array): void {
  let i = 0;
  if (from < 0) {
    // Row r < 0 takes row −r−1 of the pre-history stream.
    const n = Math.min(count, -from);
    const tmp = new Float64Array(n);
    fillRowUniforms(key, preStream, 0, 0, -from - n, n, tmp);
    for (; i < n; i++) out[i] = normalQuantile(openUniform(tmp[n - 1 - i]!));
  }
  if (i < count) {
    const rest = out.subarray(i, count);
    fillRowUniforms(key, stream, 0, 0, from + i, count - i, rest);
    toStandardNormals(rest, 0, rest.length);
  }
}

/** `a`'s elements at the start of a zeroed array of `n`. */
function grown(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  out.set(a);
  return out;
}

/**
 * Blocks computed by AR components in this thread: the work a test can count (a block is
 * at most 65,536 rows and the warm-up; rows added to the block last computed do not count again).
 */
export const arWork = { blocks: 0 };

/**
 * An AR(p) component: values of any fixed block, the last one cached. A block's row t
 * depends only on the innovations up to t (the recursion runs forward from the warm-up),
 * so the first `rows` rows of a block are computed without the rest: a fleet entity of
 * 1,000 rows pays for those and the warm-up, not for 65,536.
 */
export class ArBlocks {
  private cachedBlock = -1;
  /** How many of the cached block's first rows hold values. */
  private cachedRows = 0;
  // Grown to the rows asked for (kept across blocks): a fleet makes one ArBlocks per entity,
  // and 1 MB of fresh arrays each for 1,000 rows cost more than the rows.
  private values: Float64Array = new Float64Array(0);
  private eps: Float64Array;

  constructor(
    private readonly key: SeedKey,
    private readonly stream: number,
    private readonly preStream: number,
    private readonly phi: readonly number[],
    private readonly sd: number,
    private readonly warmup: number,
  ) {
    this.eps = new Float64Array(0);
  }

  /** The values of fixed block b (rows bB .. bB + B − 1), of which the first `rows` are filled. */
  block(b: number, rows: number = BLOCK_ROWS): Float64Array {
    if (b === this.cachedBlock && rows <= this.cachedRows) return this.values;
    const { phi, sd, warmup: w } = this;
    const p = phi.length;
    const n = w + rows;
    if (this.values.length < rows) {
      // Doubling, so that a block extended in small steps is not copied at each.
      const size = Math.min(BLOCK_ROWS, Math.max(rows, 2 * this.values.length));
      this.values = grown(this.values, size);
      this.eps = grown(this.eps, w + size);
    }
    const x = this.eps;
    // More rows of the cached block carry its recursion on from where it stopped (the same
    // steps in the same order as in one go); another block starts from its warm-up.
    const t0 = b === this.cachedBlock ? w + this.cachedRows : 0;
    if (t0 === 0) arWork.blocks++;
    innovations(this.key, this.stream, this.preStream, b * BLOCK_ROWS - w + t0, n - t0, t0 === 0 ? x : x.subarray(t0, n));
    // In place: x[t] becomes the process value at row bB − W + t; the state before t = 0 is zero.
    for (let t = t0; t < n; t++) {
      let s = sd * x[t]!;
      const kmax = Math.min(p, t);
      for (let k = 1; k <= kmax; k++) s += phi[k - 1]! * x[t - k]!;
      x[t] = s;
    }
    const v0 = Math.max(t0, w);
    this.values.set(x.subarray(v0, n), v0 - w);
    this.cachedBlock = b;
    this.cachedRows = rows;
    return this.values;
  }
}
