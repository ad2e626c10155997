/**
 * A Gaussian random walk under D1–D3: x_i = Σ_{j ≤ i} e_j with e_j iid N(0, σ²), computed
 * without ever running over the rows before a shard.
 *
 * Three levels, each drawn directly and then tied to the level above by a discrete
 * Brownian bridge (iid normals minus their mean plus the drawn total / n — which gives
 * exactly iid normals again, because z − z̄ is independent of z̄ and the drawn total / n
 * has z̄'s distribution):
 *
 *   superblock s (G = 65,536 blocks):  T_s ~ N(0, G·B·σ²), a running sum from 0;
 *   block b in s:                      S_b = z_b − (Σ_{b∈s} z_b − T_s)/G,  z_b ~ N(0, B·σ²);
 *   row i in b:                        e_i = σ·z_i − (Σ_{i∈b} σ·z_i − S_b)/B.
 *
 * The value at the start of block b is Σ_{s'<s} T_s' + Σ_{b'<b in s} S_b', summed in the
 * same order by whoever asks, so every shard agrees to the bit. A shard pays at most one
 * superblock (65,536 normal draws) and the superblock totals before it (at most 233 for
 * 10^12 rows), however far along the timeline it is.
 */
import { BLOCK_ROWS } from '../format.js';
import { fillRowUniforms, type SeedKey } from '../random/counter.js';
import { toStandardNormals } from '../distribution/standard-normals.js';

/** Blocks per superblock. */
export const SUPERBLOCK_BLOCKS = 65536;

function normals(key: SeedKey, stream: number, from: number, count: number, out: Float64Array): void {
  fillRowUniforms(key, stream, 0, 0, from, count, out);
  toStandardNormals(out, 0, count);
}

/** Blocks and superblocks computed by random walks in this thread: the work a test can count. */
export const walkWork = { blocks: 0, superblocks: 0 };

/** The arrays a walk caches its block and superblock in: 1.5 MB of doubles. */
interface WalkArrays {
  values: Float64Array;
  /** Start value of every block of the cached superblock, and the superblock's end. */
  starts: Float64Array;
  sums: Float64Array;
}

/**
 * Arrays given back by walks no longer kept (`release`), for the next walk. A fleet makes a
 * walk per entity: fresh arrays each cost ~380 first page touches, ~7 ms on a machine where
 * a first touch costs 18 µs — more than generating a short entity's rows.
 */
const spare: WalkArrays[] = [];
const SPARE_KEPT = 2;

/** A random-walk component: values of any fixed block, the last block and superblock cached. */
export class WalkBlocks {
  private cachedBlock = -1;
  private cachedSuper = -1;
  private arrays: WalkArrays | null = null;

  /**
   * @param rowStream per-row innovations; @param blockStream per-block draws (indexed by
   * block); @param superStream per-superblock totals (indexed by superblock).
   */
  constructor(
    private readonly key: SeedKey,
    private readonly rowStream: number,
    private readonly blockStream: number,
    private readonly superStream: number,
    private readonly sd: number,
  ) {}

  /** This walk's arrays: its own, or spare ones (then nothing is cached in them for it). */
  private own(): WalkArrays {
    if (this.arrays) return this.arrays;
    this.cachedBlock = -1;
    this.cachedSuper = -1;
    this.arrays = spare.pop() ?? { values: new Float64Array(BLOCK_ROWS), starts: new Float64Array(SUPERBLOCK_BLOCKS + 1), sums: new Float64Array(SUPERBLOCK_BLOCKS) };
    return this.arrays;
  }

  /**
   * Gives this walk's arrays to the next walk: its caches are dropped, and a later `block`
   * computes again in arrays of its own. The array a `block` call returned is then no longer
   * this walk's.
   */
  release(): void {
    const a = this.arrays;
    if (!a) return;
    this.arrays = null;
    this.cachedBlock = -1;
    this.cachedSuper = -1;
    if (spare.length < SPARE_KEPT) spare.push(a);
  }

  private superblock(s: number): void {
    if (s === this.cachedSuper) return;
    walkWork.superblocks++;
    const G = SUPERBLOCK_BLOCKS;
    const { starts, sums } = this.own();
    const totals = new Float64Array(s + 1);
    normals(this.key, this.superStream, 0, s + 1, totals);
    const superSd = this.sd * Math.sqrt(G * BLOCK_ROWS);
    let base = 0;
    for (let k = 0; k < s; k++) base += superSd * totals[k]!;
    const total = superSd * totals[s]!;
    const z = sums;
    normals(this.key, this.blockStream, s * G, G, z);
    const blockSd = this.sd * Math.sqrt(BLOCK_ROWS);
    let sum = 0;
    for (let j = 0; j < G; j++) {
      z[j] = blockSd * z[j]!;
      sum += z[j]!;
    }
    const adjust = (sum - total) / G;
    let x = base;
    for (let j = 0; j < G; j++) {
      starts[j] = x;
      z[j] = z[j]! - adjust;
      x += z[j]!;
    }
    starts[G] = x;
    this.cachedSuper = s;
  }

  /** The walk's values on fixed block b (rows bB .. bB + B − 1). */
  block(b: number): Float64Array {
    if (b === this.cachedBlock && this.arrays) return this.arrays.values;
    walkWork.blocks++;
    const s = Math.floor(b / SUPERBLOCK_BLOCKS);
    this.superblock(s);
    const { values, starts, sums } = this.own();
    const j = b - s * SUPERBLOCK_BLOCKS;
    const start = starts[j]!;
    const blockSum = sums[j]!;
    const B = BLOCK_ROWS;
    const e = values;
    normals(this.key, this.rowStream, b * B, B, e);
    let p = 0;
    for (let i = 0; i < B; i++) {
      e[i] = this.sd * e[i]!;
      p += e[i]!;
    }
    const adjust = (p - blockSum) / B;
    let x = start;
    for (let i = 0; i < B; i++) {
      x += e[i]! - adjust;
      e[i] = x;
    }
    this.cachedBlock = b;
    return e;
  }
}
