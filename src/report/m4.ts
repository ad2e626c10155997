/**
 * M4 downsampling, streamed: the timeline is cut into a fixed number of buckets and each
 * keeps the first, smallest, largest and last value with their rows. Drawn as a line in
 * row order, those four points give the same pixels as every row would at one bucket per
 * pixel column (Jugel et al., "M4", VLDB 2014), in memory fixed by the bucket count.
 */

/** An M4's running state per bucket (NaN rows: no value yet). */
export interface M4State {
  firstRow: Float64Array;
  firstVal: Float64Array;
  lastRow: Float64Array;
  lastVal: Float64Array;
  minRow: Float64Array;
  minVal: Float64Array;
  maxRow: Float64Array;
  maxVal: Float64Array;
}

/** Running M4 state of one column over a timeline of `rows` rows. */
export class M4 {
  /** First row of each bucket, and one past the last row (length buckets + 1). */
  readonly edges: Float64Array;
  private readonly firstRow: Float64Array;
  private readonly firstVal: Float64Array;
  private readonly lastRow: Float64Array;
  private readonly lastVal: Float64Array;
  private readonly minRow: Float64Array;
  private readonly minVal: Float64Array;
  private readonly maxRow: Float64Array;
  private readonly maxVal: Float64Array;

  constructor(
    readonly rows: number,
    readonly buckets: number,
  ) {
    this.edges = new Float64Array(buckets + 1);
    for (let b = 0; b <= buckets; b++) this.edges[b] = Math.ceil((b * rows) / buckets);
    const f = () => new Float64Array(buckets).fill(NaN);
    this.firstRow = f();
    this.firstVal = f();
    this.lastRow = f();
    this.lastVal = f();
    this.minRow = f();
    this.minVal = f().fill(Infinity);
    this.maxRow = f();
    this.maxVal = f().fill(-Infinity);
  }

  /** The bucket holding `row`. */
  bucketOf(row: number): number {
    let b = Math.min(this.buckets - 1, Math.floor((row * this.buckets) / this.rows));
    while (b > 0 && this.edges[b]! > row) b--;
    while (b < this.buckets - 1 && this.edges[b + 1]! <= row) b++;
    return b;
  }

  /** Adds rows [rowStart, rowStart + n) with values v[0..n); NaN is a missing value. */
  add(rowStart: number, v: Float64Array, n: number): void {
    if (n <= 0) return;
    let b = this.bucketOf(rowStart);
    let i = 0;
    while (i < n) {
      const end = Math.min(n, this.edges[b + 1]! - rowStart);
      let fr = this.firstRow[b]!;
      let fv = this.firstVal[b]!;
      let lr = this.lastRow[b]!;
      let lv = this.lastVal[b]!;
      let mnr = this.minRow[b]!;
      let mn = this.minVal[b]!;
      let mxr = this.maxRow[b]!;
      let mx = this.maxVal[b]!;
      for (; i < end; i++) {
        const x = v[i]!;
        if (x !== x) continue;
        const r = rowStart + i;
        if (fr !== fr) {
          fr = r;
          fv = x;
        }
        lr = r;
        lv = x;
        if (x < mn) {
          mn = x;
          mnr = r;
        }
        if (x > mx) {
          mx = x;
          mxr = r;
        }
      }
      this.firstRow[b] = fr;
      this.firstVal[b] = fv;
      this.lastRow[b] = lr;
      this.lastVal[b] = lv;
      this.minRow[b] = mnr;
      this.minVal[b] = mn;
      this.maxRow[b] = mxr;
      this.maxVal[b] = mx;
      b++;
    }
  }

  /** The running state, as plain arrays (to send between threads). */
  state(): M4State {
    return { firstRow: this.firstRow, firstVal: this.firstVal, lastRow: this.lastRow, lastVal: this.lastVal, minRow: this.minRow, minVal: this.minVal, maxRow: this.maxRow, maxVal: this.maxVal };
  }

  /** Folds in the state of another M4 over the same timeline and buckets (other rows). */
  absorb(o: M4State): void {
    for (let b = 0; b < this.buckets; b++) {
      const r = o.firstRow[b]!;
      if (r !== r) continue;
      if (!(this.firstRow[b]! <= r)) {
        this.firstRow[b] = r;
        this.firstVal[b] = o.firstVal[b]!;
      }
      if (!(this.lastRow[b]! >= o.lastRow[b]!)) {
        this.lastRow[b] = o.lastRow[b]!;
        this.lastVal[b] = o.lastVal[b]!;
      }
      // Ties keep the earlier row, as one pass in row order would.
      if (o.minVal[b]! < this.minVal[b]! || (o.minVal[b] === this.minVal[b] && o.minRow[b]! < this.minRow[b]!)) {
        this.minVal[b] = o.minVal[b]!;
        this.minRow[b] = o.minRow[b]!;
      }
      if (o.maxVal[b]! > this.maxVal[b]! || (o.maxVal[b] === this.maxVal[b] && o.maxRow[b]! < this.maxRow[b]!)) {
        this.maxVal[b] = o.maxVal[b]!;
        this.maxRow[b] = o.maxRow[b]!;
      }
    }
  }

  /**
   * The points to draw, in row order: per bucket its first, min, max and last (fewer when
   * they share a row). A bucket with no value ends the line with a NaN point at its start,
   * so a gap in the data shows as a gap.
   */
  points(): { x: Float64Array; y: Float64Array } {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let b = 0; b < this.buckets; b++) {
      if (this.firstRow[b] !== this.firstRow[b]) {
        if (this.edges[b + 1]! > this.edges[b]! && (ys.length === 0 || ys[ys.length - 1] === ys[ys.length - 1])) {
          xs.push(this.edges[b]!);
          ys.push(NaN);
        }
        continue;
      }
      const pts: Array<[number, number]> = [
        [this.firstRow[b]!, this.firstVal[b]!],
        [this.minRow[b]!, this.minVal[b]!],
        [this.maxRow[b]!, this.maxVal[b]!],
        [this.lastRow[b]!, this.lastVal[b]!],
      ];
      pts.sort((p, q) => p[0] - q[0]);
      let prev = -1;
      for (const [r, y] of pts) {
        if (r === prev) continue;
        prev = r;
        xs.push(r);
        ys.push(y);
      }
    }
    return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
  }
}
