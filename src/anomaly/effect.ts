/**
 * The effect of an anomaly event: how far it moved the series from its clean twin, in
 * units of the clean series' own spread, so one threshold means the same on a series
 * measured in percent and on one measured in bytes.
 *
 * For one variable: d_r = |value_r − clean_r| / scale over the event's rows, where
 *   - scale is the robust sd of the clean values over the context window (1.4826·MAD);
 *     when more than half of them are equal (MAD = 0), 1.2533 × the mean absolute deviation
 *     from the median (the same sd for a normal law); when the context is constant, 1 (the
 *     variable's own units);
 *   - a missing value (a dropout) counts as the last value present before it in the event,
 *     or the clean value of the row before the event — what a detector that carries the
 *     last reading forward sees; a dropout on a flat stretch therefore has no effect;
 *   - rows where the clean value is missing are left out.
 * effect_rms = √(mean d_r²), effect_max = max d_r over the event's rows (0 for an empty event).
 * An event acting on several variables has the largest of their effects (RMS and max taken
 * separately): it is as visible as its most visible variable.
 */
import type { AnomalyEvent } from './events.js';

/** Effect of an event on one variable, or combined over variables. */
export interface Effect {
  rms: number;
  max: number;
}

/** One row of the segment table: an event kept in the dataset and what it did. */
export interface Segment {
  event: AnomalyEvent;
  effect: Effect;
  /**
   * Rows of the event (within the timeline) whose values differ from the clean ones; with
   * `label: changed`, by at least `min_change` robust sd (the rows that carry the label).
   */
  changedRows: number;
}

const NO_EFFECT: Effect = { rms: 0, max: 0 };

/** Clean rows on each side of an event, beyond its own length, that set its scale. */
export const CONTEXT_ROWS = 128;

/** The context window [lo, hi) whose clean values set the scale of an event [start, start + duration). */
export function contextWindow(start: number, duration: number, limit = Infinity): [number, number] {
  const context = CONTEXT_ROWS + duration;
  return [Math.max(0, start - context), Math.min(limit, start + duration + context)];
}

/** Robust scale of the finite values of `x` (see the module comment). */
export function robustScale(x: ArrayLike<number>): number {
  return robustScaleOf(x).scale;
}

/** How a robust scale was found: 1.4826·MAD, else 1.2533 × the mean absolute deviation (more than half the values equal the median), else 1 (all equal, or none). */
export type ScaleBasis = 'mad' | 'mean deviation' | 'none';

/** `robustScale` and which of its estimates gave it. */
export function robustScaleOf(x: ArrayLike<number>): { scale: number; basis: ScaleBasis } {
  const v = new Float64Array(x.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]!)) v[n++] = x[i]!;
  if (n === 0) return { scale: 1, basis: 'none' };
  const values = v.subarray(0, n);
  const med = median(values.slice());
  // Deviations in the values' order: the mean below adds them in that order.
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(values[i]! - med);
  const mad = median(dev.slice());
  if (mad > 0) return { scale: 1.4826 * mad, basis: 'mad' };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += dev[i]!;
  const mean = sum / n;
  return mean > 0 ? { scale: 1.2533 * mean, basis: 'mean deviation' } : { scale: 1, basis: 'none' };
}

/**
 * The median of `s` (reordered): the middle value, or the mean of the two middle ones, found
 * by selection rather than a sort. A sort orders −0 before +0 where selection may not, which
 * can flip the sign of a zero median and of nothing the scale is computed from.
 */
function median(s: Float64Array): number {
  const n = s.length;
  const k = n >> 1;
  const upper = select(s, k);
  if (n % 2 === 1) return upper;
  // After selection, s[0..k) holds the k smallest values: the largest of them is the lower middle.
  let lower = s[0]!;
  for (let i = 1; i < k; i++) if (s[i]! > lower) lower = s[i]!;
  return (lower + upper) / 2;
}

/** The k-th smallest value of `a` (Wirth's selection); leaves smaller values before index k, larger after. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[k]!;
    let i = lo;
    let j = hi;
    do {
      while (a[i]! < pivot) i++;
      while (pivot < a[j]!) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k]!;
}

/**
 * Effect on one variable over event rows 0..n-1: `value` and `clean` are the rows' values,
 * `present` says which values exist (undefined: all), `before` is the clean value of the row
 * before the event (NaN when the event starts the timeline).
 */
export function variableEffect(value: ArrayLike<number>, present: ArrayLike<number> | undefined, clean: ArrayLike<number>, before: number, scale: number): Effect {
  const plain = squares(value, present, clean, before, scale, 1);
  if (plain.n === 0) return NO_EFFECT;
  const { max, n } = plain;
  // Differences past about 1e154 square to Infinity; then the RMS is taken over d / max (at
  // most 1), which stays finite. Only then: the plain sum keeps every other table's bytes.
  if (plain.sum === Infinity && max < Infinity) return { rms: max * Math.sqrt(squares(value, present, clean, before, scale, max).sum / n), max };
  return { rms: Math.sqrt(plain.sum / n), max };
}

/**
 * Σ d², the largest d and how many rows count, where d = |value − clean| / scale / divisor
 * over the rows that have both values (a missing value holds the last one). With divisor 1
 * each d is exactly |value − clean| / scale.
 */
function squares(value: ArrayLike<number>, present: ArrayLike<number> | undefined, clean: ArrayLike<number>, before: number, scale: number, divisor: number): { sum: number; max: number; n: number } {
  let last = before;
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const here = present === undefined || present[i] === 1;
    const x = here ? value[i]! : Number.isNaN(last) ? clean[i]! : last;
    if (here) last = x;
    const c = clean[i]!;
    if (!Number.isFinite(c) || !Number.isFinite(x)) continue;
    const d = Math.abs(x - c) / scale / divisor;
    sum += d * d;
    if (d > max) max = d;
    n++;
  }
  return { sum, max, n };
}

/** The combined effect of several variables: the largest of each measure. */
export function combineEffects(effects: readonly Effect[]): Effect {
  return effects.reduce((a, e) => ({ rms: Math.max(a.rms, e.rms), max: Math.max(a.max, e.max) }), NO_EFFECT);
}
