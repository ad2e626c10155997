/**
 * Histograms of normal against anomalous values, streamed with no first pass: the bin
 * width starts from the first values seen and doubles (merging neighbouring bins) whenever
 * a value falls outside, so memory is fixed and no value is ever dropped or clipped.
 */

const BINS = 512;

/** One variable's two histograms (normal and anomalous rows), sharing their bins. */
export class GrowingHistogram {
  /** Integer columns get integer bin edges and widths, so no bin holds more integers than its neighbour. */
  constructor(private readonly integer = false) {}

  private lo = NaN;
  private width = NaN;
  private readonly counts = [new Float64Array(BINS), new Float64Array(BINS)] as const;
  private min = Infinity;
  private max = -Infinity;
  /** Missing or infinite values: normal, anomalous. */
  readonly nulls: [number, number] = [0, 0];

  /** Adds n values; `anomalous[i]` is 1 on anomalous rows; NaN counts as missing. */
  add(v: Float64Array, anomalous: Uint8Array, n: number): void {
    if (this.lo !== this.lo) this.start(v, n);
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
      let k = Math.floor((x - this.lo) / this.width);
      if (k < 0 || k >= BINS) {
        this.widen(x);
        k = Math.floor((x - this.lo) / this.width);
      }
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      (cls ? c1 : c0)[k]!++;
    }
  }

  /** Bins from the first chunk: its range over a quarter of the bins, centred. */
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
    this.width = span / (BINS / 4);
    if (this.integer) this.width = 2 ** Math.max(0, Math.ceil(Math.log2(this.width)));
    this.lo = mn - (BINS / 2 - BINS / 8) * this.width;
    if (this.integer) this.lo = Math.floor(mn) - (BINS / 2 - BINS / 8) * this.width - 0.5;
  }

  /** Doubles the width until x fits, keeping bin edges (each new bin is two old ones). */
  private widen(x: number): void {
    while (true) {
      const k = Math.floor((x - this.lo) / this.width);
      if (k >= 0 && k < BINS) return;
      // Grow towards x: the old range becomes the upper or the lower half.
      const down = k < 0;
      const newLo = down ? this.lo - BINS * this.width : this.lo;
      for (const c of this.counts) {
        const merged = new Float64Array(BINS);
        const shift = down ? BINS / 2 : 0;
        for (let i = 0; i < BINS; i++) merged[shift + (i >> 1)]! += c[i]!;
        c.set(merged);
      }
      this.lo = newLo;
      this.width *= 2;
    }
  }

  /**
   * About `target` display bins over the values' range: merged whole bins, so every count
   * is exact for its (wider) bin.
   */
  result(target = 48): { lo: number; width: number; normal: number[]; anomalous: number[]; nulls: [number, number] } {
    if (this.lo !== this.lo || this.min === Infinity) return { lo: 0, width: 1, normal: [], anomalous: [], nulls: this.nulls };
    const a = Math.floor((this.min - this.lo) / this.width);
    const b = Math.min(BINS - 1, Math.floor((this.max - this.lo) / this.width));
    const used = b - a + 1;
    const merge = Math.max(1, Math.ceil(used / target));
    const out = (c: Float64Array) => {
      const r: number[] = [];
      for (let i = a; i <= b; i += merge) {
        let s = 0;
        for (let j = i; j < Math.min(i + merge, b + 1); j++) s += c[j]!;
        r.push(s);
      }
      return r;
    };
    return { lo: this.lo + a * this.width, width: this.width * merge, normal: out(this.counts[0]), anomalous: out(this.counts[1]), nulls: this.nulls };
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
