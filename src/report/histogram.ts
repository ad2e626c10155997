/**
 * Histograms of normal against anomalous values, streamed with no first pass: the bin
 * width starts from the first values seen and doubles (merging neighbouring bins) whenever
 * a value falls outside, so memory is fixed and no value is ever dropped or clipped.
 */

const BINS = 512;

/** A histogram's running state (lattice width and base, counts per bin, range, nulls). */
export interface HistogramState {
  width: number;
  base: number;
  normal: Float64Array;
  anomalous: Float64Array;
  min: number;
  max: number;
  nulls: [number, number];
}

/**
 * One variable's two histograms (normal and anomalous rows), sharing their bins. Bins lie
 * on a fixed lattice: widths are powers of two and edges multiples of the width (offset by
 * one half for integer columns, so each bin holds whole integers). Widening merges whole
 * bins, and the result is rebinned onto the lattice width its range calls for, so the
 * counts do not depend on how the values were chunked.
 */
export class GrowingHistogram {
  /** Edges are origin + k·width. */
  private readonly origin: number;
  private width = NaN;
  /** Lattice index of bin 0. */
  private base = 0;
  private readonly counts = [new Float64Array(BINS), new Float64Array(BINS)] as const;
  private min = Infinity;
  private max = -Infinity;
  /** Missing or infinite values: normal, anomalous. */
  readonly nulls: [number, number] = [0, 0];

  constructor(private readonly integer = false) {
    this.origin = integer ? -0.5 : 0;
  }

  private index(x: number): number {
    return Math.floor((x - this.origin) / this.width);
  }

  /** Adds n values; `anomalous[i]` is 1 on anomalous rows; NaN counts as missing. */
  add(v: Float64Array, anomalous: Uint8Array, n: number): void {
    if (this.width !== this.width) this.start(v, n);
    const c0 = this.counts[0];
    const c1 = this.counts[1];
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      const cls = anomalous[i]!;
      // NaN (missing) and ±Infinity (no bin can hold it) are counted apart.
      if (x - x !== 0) {
        this.nulls[cls]!++;
        continue;
      }
      let k = this.index(x) - this.base;
      if (k < 0 || k >= BINS) {
        this.widen(x);
        k = this.index(x) - this.base;
      }
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      (cls ? c1 : c0)[k]!++;
    }
  }

  /** Bins from the first chunk: its range over about a quarter of the bins, centred. */
  private start(v: Float64Array, n: number): void {
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x - x !== 0) continue;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
    if (mn === Infinity) return;
    const span = mx > mn ? mx - mn : Math.max(Math.abs(mn), 1) * 1e-6;
    this.width = 2 ** Math.ceil(Math.log2(span / (BINS / 4)));
    if (this.integer) this.width = Math.max(1, this.width);
    this.base = this.index(mn) - (BINS / 2 - BINS / 8);
  }

  /** Doubles the width until x fits (if it does not); each new bin is a whole number of old ones. */
  private widen(x: number): void {
    const xi = this.index(x);
    if (xi >= this.base && xi < this.base + BINS) return;
    const lo = Math.min(this.base, xi);
    const hi = Math.max(this.base + BINS - 1, xi);
    let j = 1;
    while (Math.floor(hi / 2 ** j) - Math.floor(lo / 2 ** j) >= BINS) j++;
    const f = 2 ** j;
    const base = Math.floor(lo / f);
    for (const c of this.counts) {
      const merged = new Float64Array(BINS);
      for (let i = 0; i < BINS; i++) if (c[i]) merged[Math.floor((this.base + i) / f) - base]! += c[i]!;
      c.set(merged);
    }
    this.base = base;
    this.width *= f;
  }

  /** The running state, as plain data (to send between threads). */
  state(): HistogramState {
    return { width: this.width, base: this.base, normal: this.counts[0], anomalous: this.counts[1], min: this.min, max: this.max, nulls: [...this.nulls] };
  }

  /** Folds in the state of another histogram of the same column (other rows). */
  absorb(o: HistogramState): void {
    this.nulls[0] += o.nulls[0];
    this.nulls[1] += o.nulls[1];
    if (o.width !== o.width || o.min === Infinity) return;
    if (this.width !== this.width) {
      this.width = o.width;
      this.base = o.base;
      this.counts[0].set(o.normal);
      this.counts[1].set(o.anomalous);
      this.min = o.min;
      this.max = o.max;
      return;
    }
    // Cover the other's values, then be at least as wide: its bins then nest in ours.
    this.widen(o.min);
    this.widen(o.max);
    while (this.width < o.width) this.widen(this.origin + (this.base + 2 * BINS) * this.width);
    const f = this.width / o.width;
    for (let i = 0; i < BINS; i++) {
      const k = Math.floor((o.base + i) / f) - this.base;
      if (o.normal[i]) this.counts[0][k]! += o.normal[i]!;
      if (o.anomalous[i]) this.counts[1][k]! += o.anomalous[i]!;
    }
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  /**
   * About `target` display bins over the values' range, on the lattice: the width is the
   * smallest power of two (at least the current one) giving at most `target` bins.
   */
  result(target = 48): { lo: number; width: number; normal: number[]; anomalous: number[]; nulls: [number, number] } {
    if (this.width !== this.width || this.min === Infinity) return { lo: 0, width: 1, normal: [], anomalous: [], nulls: this.nulls };
    let w = Math.max(this.width, 2 ** Math.floor(Math.log2(Math.max((this.max - this.min) / target, Number.MIN_VALUE))));
    while (Math.floor((this.max - this.origin) / w) - Math.floor((this.min - this.origin) / w) >= target) w *= 2;
    const f = w / this.width;
    const first = Math.floor((this.min - this.origin) / w);
    const last = Math.floor((this.max - this.origin) / w);
    const out = (c: Float64Array) => {
      const r = new Array<number>(last - first + 1).fill(0);
      for (let i = 0; i < BINS; i++) if (c[i]) r[Math.floor((this.base + i) / f) - first]! += c[i]!;
      return r;
    };
    return { lo: this.origin + first * w, width: w, normal: out(this.counts[0]), anomalous: out(this.counts[1]), nulls: this.nulls };
  }
}

/** Counts of categories (strings, booleans) on normal and anomalous rows. */
export class CategoryCounts {
  readonly normal: number[];
  readonly anomalous: number[];
  readonly nulls: [number, number] = [0, 0];

  constructor(readonly categories: string[]) {
    this.normal = categories.map(() => 0);
    this.anomalous = categories.map(() => 0);
  }

  /** Folds in another count of the same categories (other rows). */
  absorb(o: Pick<CategoryCounts, 'normal' | 'anomalous' | 'nulls'>): void {
    o.normal.forEach((c, i) => (this.normal[i]! += c));
    o.anomalous.forEach((c, i) => (this.anomalous[i]! += c));
    this.nulls[0] += o.nulls[0];
    this.nulls[1] += o.nulls[1];
  }

  /** Adds n codes (indices into `categories`; -1 is missing). */
  add(codes: Int32Array, anomalous: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      const cls = anomalous[i]!;
      if (c < 0) this.nulls[cls]!++;
      else if (cls) this.anomalous[c]!++;
      else this.normal[c]!++;
    }
  }
}
