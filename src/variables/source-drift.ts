/**
 * `drift` on a source variable: slow, smooth, seeded changes of the replayed series' level
 * and gain, part of its normal behaviour (never labelled). A detector trained on a few days
 * of real data meets later normal data that is a little higher, lower, calmer or busier;
 * replaying the same days with drift shows it normal data it has not seen verbatim, so it
 * learns that a slow change of level or scale is not an anomaly.
 *
 * Row r of the timeline becomes  m + (x − m)·(1 + g(r)) + o(r),  where m is the file
 * column's median (so the gain scales the swings, not the level) and o, g are random
 * curves: a knot every `every` rows with o uniform in [−offset, offset] and g uniform in
 * [−gain, gain], joined by half-cosine steps (continuous, with zero slope at each knot).
 * Knot k draws from the variable's own stream at row k, so every row is a pure function of
 * its index: D1–D3 hold, and anomaly kinds, the clean twin and `label: changed` all see
 * the drifted series as the normal one.
 */
import { Checker, describe, join } from '../model/checker.js';
import type { SourceDrift } from '../model/types.js';
import { rowUniform, type SeedKey } from '../random/counter.js';

/** Validates `drift: { offset, gain, every }` (offset and gain default to 0). */
export function validateDrift(c: Checker, raw: unknown, path: string): SourceDrift | undefined {
  const o = c.object(raw, path);
  if (!o) return undefined;
  c.keys(o, path, ['offset', 'gain', 'every']);
  const offset = o['offset'] === undefined ? 0 : c.number(o['offset'], join(path, 'offset'), { ge: 0 });
  const gain = o['gain'] === undefined ? 0 : c.number(o['gain'], join(path, 'gain'), { ge: 0, lt: 1 });
  if (o['every'] === undefined) return c.fail(join(path, 'every'), 'required: rows between the drift curve\'s knots (an integer >= 2, e.g. a day of rows)');
  const every = c.number(o['every'], join(path, 'every'), { integer: true, ge: 2 });
  if (offset === undefined || gain === undefined || every === undefined) return undefined;
  if (offset === 0 && gain === 0) return c.fail(path, `sets neither offset nor gain, so nothing drifts; give offset (value units) and/or gain (a share below 1), got ${describe(raw)} with both 0`);
  return { offset, gain, every };
}

/** The median of a column (NaN ignored; 0 when nothing is left). */
export function columnMedian(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort();
  if (s.length === 0) return 0;
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Applies the drift to `count` replayed values in `out` from `offset`, rows from `rowStart`. */
export class DriftCurve {
  private knot = -1;
  private o0 = 0;
  private o1 = 0;
  private g0 = 0;
  private g1 = 0;

  constructor(
    private readonly d: SourceDrift,
    private readonly key: SeedKey,
    private readonly stream: number,
    private readonly median: number,
  ) {}

  private knotValue(k: number, draw: number, half: number): number {
    return half === 0 ? 0 : half * (2 * rowUniform(this.key, this.stream, k, 0, draw) - 1);
  }

  /** The drifted value of replayed value `x` at timeline row `row`. */
  at(row: number, x: number): number {
    const k = Math.floor(row / this.d.every);
    if (k !== this.knot) {
      this.knot = k;
      this.o0 = this.knotValue(k, 0, this.d.offset);
      this.o1 = this.knotValue(k + 1, 0, this.d.offset);
      this.g0 = this.knotValue(k, 1, this.d.gain);
      this.g1 = this.knotValue(k + 1, 1, this.d.gain);
    }
    const w = (1 - Math.cos((Math.PI * (row - k * this.d.every)) / this.d.every)) / 2;
    const o = this.o0 + (this.o1 - this.o0) * w;
    const g = this.g0 + (this.g1 - this.g0) * w;
    return this.median + (x - this.median) * (1 + g) + o;
  }
}
