/**
 * The running reduction of a report's rows: per numeric column an M4 overview and the
 * values of planned exact windows; per variable its histograms or category counts. It
 * takes chunks in any order, and folds in the state of another reduction over other rows,
 * so shards can be reduced on several threads.
 */
import type { Chunk } from './chunk.js';
import { allocWindows, captureExact, type ExactWindow } from './exact.js';
import { CategoryCounts, GrowingHistogram, type HistogramState } from './histogram.js';
import type { ReportLayout } from './layout.js';
import { M4, type M4State } from './m4.js';

/** What a reduction needs to know before the rows come: the same for every thread. */
export interface ReductionSpec {
  layout: ReportLayout;
  rows: number;
  buckets: number;
  /** Exact windows [from, to), sorted and disjoint. */
  exact: Array<[number, number]>;
}

/** A reduction's state as plain data (postMessage clones it). */
export interface ReductionState {
  m4: Record<string, M4State>;
  hist: Record<string, HistogramState>;
  cats: Record<string, { normal: number[]; anomalous: number[]; nulls: [number, number] }>;
  /** Per window, per column. */
  exact: Array<Record<string, Float64Array>>;
}

export class Reduction {
  readonly m4 = new Map<string, M4>();
  readonly hist = new Map<string, GrowingHistogram>();
  readonly cats = new Map<string, CategoryCounts>();
  readonly exact: ExactWindow[];

  constructor(readonly spec: ReductionSpec) {
    const { layout, rows, buckets } = spec;
    for (const c of layout.numericColumns) this.m4.set(c, new M4(rows, buckets));
    for (const s of layout.series) this.hist.set(s.name, new GrowingHistogram(s.dtype === 'int32' || s.dtype === 'int64'));
    for (const c of layout.categorical) this.cats.set(c.name, new CategoryCounts(c.categories));
    this.exact = allocWindows(spec.exact, layout.numericColumns);
  }

  add(c: Chunk): void {
    for (const [name, v] of c.numeric) {
      this.m4.get(name)?.add(c.rowStart, v, c.rows);
      this.hist.get(name)?.add(v, c.isAnomaly, c.rows);
      captureExact(this.exact, name, c.rowStart, v, c.rows);
    }
    for (const [name, codes] of c.categorical) this.cats.get(name)?.add(codes, c.isAnomaly, c.rows);
  }

  state(): ReductionState {
    const rec = <T, U>(m: Map<string, T>, f: (t: T) => U) => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
    return {
      m4: rec(this.m4, (x) => x.state()),
      hist: rec(this.hist, (x) => x.state()),
      cats: rec(this.cats, (x) => ({ normal: x.normal, anomalous: x.anomalous, nulls: x.nulls })),
      exact: this.exact.map((w) => Object.fromEntries(w.values)),
    };
  }

  /** Folds in the state of a reduction of the rows in `ranges` (its exact values are taken there only). */
  absorb(o: ReductionState, ranges: ReadonlyArray<readonly [number, number]>): void {
    for (const [k, m] of this.m4) if (o.m4[k]) m.absorb(o.m4[k]);
    for (const [k, h] of this.hist) if (o.hist[k]) h.absorb(o.hist[k]);
    for (const [k, c] of this.cats) if (o.cats[k]) c.absorb(o.cats[k]);
    this.exact.forEach((w, i) => {
      for (const [from, to] of ranges) {
        const a = Math.max(from, w.from);
        const b = Math.min(to, w.to);
        if (a >= b) continue;
        for (const [col, v] of w.values) v.set(o.exact[i]![col]!.subarray(a - w.from, b - w.from), a - w.from);
      }
    });
  }
}
