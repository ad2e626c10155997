/**
 * Shape kinds: anomalies that deform the series' own pattern instead of adding to it (in
 * the spirit of GutenTAG's pattern, pattern-shift, platform and mode-correlation kinds).
 * Each one computes, per target variable, a change δ(k) over the event's d drawn rows from
 * the target's *clean* values (the scenario without anomalies) around the event, and the
 * row becomes x + δ(k). Clean values are a pure function of their row, generated wherever
 * needed, so every shard that sees an event computes the same δ (D2) and rows past the
 * timeline's end give the same δ before and after growth (D3). When the target already
 * equals its clean value (the usual case), the row simply becomes the deformed clean value.
 *
 * | kind              | row k of the event becomes (c = clean values, s = event start)          |
 * |-------------------|-------------------------------------------------------------------------|
 * | time_warp         | c(s + τ(k)), τ(k) = (d−1)·(k/(d−1))^factor, linearly interpolated: the  |
 * |                   | segment runs slow then fast (factor > 1) or fast then slow (< 1), and   |
 * |                   | meets the series at both ends (τ(0) = 0, τ(d−1) = d−1)                  |
 * | pattern_shift     | c(s + k ∓ shift) (late: −, early: +), crossfaded in and out over        |
 * |                   | min(shift, ⌊d/4⌋) rows at each end                                      |
 * | reversal          | c(s + d − 1 − k): the segment backwards                                 |
 * | smoothing         | the centred mean of c over `window` rows: peaks and edges lost          |
 * | clipping          | c clipped at lo + level·(hi − lo), lo/hi the event's clean min/max:     |
 * |                   | from above (`up`, saturation) or below (`down`)                         |
 * | replay            | c(s − lag + k) (c(s + lag + k) when s < lag): a normal segment from     |
 * |                   | another time of the same series, at the wrong time                      |
 * | correlation_break | the first target unchanged, every other target reversed (as reversal): |
 * |                   | variables that moved together now move apart                            |
 * | lag               | one target (`channel`) delayed: c(s + k − τ(k)), linearly interpolated, |
 * |                   | τ(k) = lag·min(1, (k+1)/(lag+1), (d−k)/(lag+1)): the delay ramps up over |
 * |                   | `lag` rows and back at the end, so the channel never jumps, never runs  |
 * |                   | backwards (τ grows slower than time) and meets the series at both ends; |
 * |                   | the other targets are unchanged                                         |
 *
 * correlation_break, lag and `decorrelate` (variables/correlated-scores.ts) all break how
 * variables move together. correlation_break and lag rearrange the clean series in time,
 * so they act on any variables, structured ones (seasonal, trending) included; decorrelate
 * redraws the random scores of a correlation group's members, so it acts on members only
 * and breaks the correlation of their noise while every marginal stays exactly the same.
 */
import { getInt64 } from '../../columns/columns.js';
import type { AnomalyKindName, AnomalyKindSpec } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';
import type { EventParams } from './params.js';
import type { CleanRows } from './learned.js';

export const SHAPE_KINDS: readonly AnomalyKindName[] = ['time_warp', 'pattern_shift', 'reversal', 'smoothing', 'clipping', 'replay', 'correlation_break', 'lag'];

export function isShapeKind(kind: AnomalyKindName): boolean {
  return SHAPE_KINDS.includes(kind);
}

/** Rows [lo, hi) of clean values a shape event needs around it. */
function shapeNeighbourhood(kind: AnomalyKindName, p: EventParams, e: AnomalyEvent): [number, number] {
  const d = e.duration;
  switch (kind) {
    case 'pattern_shift': {
      const k = Math.max(1, Math.round(p['shift'] as number));
      return [Math.max(0, e.start - k), e.start + d + k];
    }
    case 'smoothing': {
      const h = Math.floor(Math.max(2, Math.round(p['window'] as number)) / 2);
      return [Math.max(0, e.start - h), e.start + d + h];
    }
    case 'replay': {
      const src = replaySource(p, e);
      return [Math.min(src, e.start), Math.max(src, e.start) + d];
    }
    case 'lag':
      return [Math.max(0, e.start - Math.ceil(p['lag'] as number)), e.start + d];
    default:
      return [e.start, e.start + d];
  }
}

function replaySource(p: EventParams, e: AnomalyEvent): number {
  const lag = Math.max(1, Math.round(p['lag'] as number));
  return e.start >= lag ? e.start - lag : e.start + lag;
}

/** c at the fractional row base + t, linearly interpolated from rows base + i and base + i + 1 (i ≤ last). */
function interpolate(at: (row: number) => number, base: number, t: number, last = Infinity): number {
  const i = Math.min(last, Math.floor(t));
  const w = t - i;
  return (1 - w) * at(base + i) + w * at(base + i + 1);
}

/**
 * δ(k) for each drawn row of a shape event on variable `name`. `clean(row)` reads a clean
 * value inside the event's neighbourhood; rows before 0 read row 0.
 */
function shapeDelta(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, name: string, clean: (row: number) => number): Float64Array {
  const d = e.duration;
  const s = e.start;
  const delta = new Float64Array(d);
  const at = (row: number) => clean(Math.max(0, row));
  const set = (f: (k: number) => number) => {
    for (let k = 0; k < d; k++) delta[k] = f(k) - at(s + k);
  };
  switch (spec.kind) {
    case 'time_warp': {
      if (d < 3) return delta;
      const f = p['factor'] as number;
      set((k) => interpolate(at, s, (d - 1) * Math.pow(k / (d - 1), f), d - 2));
      return delta;
    }
    case 'pattern_shift': {
      const k0 = Math.max(1, Math.round(p['shift'] as number));
      const shift = p['direction'] === 'early' ? k0 : -k0;
      const ramp = Math.min(k0, Math.floor(d / 4));
      for (let k = 0; k < d; k++) {
        const w = Math.min(1, (k + 1) / (ramp + 1), (d - k) / (ramp + 1));
        delta[k] = w * (at(s + k + shift) - at(s + k));
      }
      return delta;
    }
    case 'reversal':
      set((k) => at(s + d - 1 - k));
      return delta;
    case 'smoothing': {
      const h = Math.floor(Math.max(2, Math.round(p['window'] as number)) / 2);
      set((k) => {
        let sum = 0;
        for (let j = -h; j <= h; j++) sum += at(s + k + j);
        return sum / (2 * h + 1);
      });
      return delta;
    }
    case 'clipping': {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < d; k++) {
        lo = Math.min(lo, at(s + k));
        hi = Math.max(hi, at(s + k));
      }
      const level = lo + (p['level'] as number) * (hi - lo);
      set((k) => (p['direction'] === 'down' ? Math.max(level, at(s + k)) : Math.min(level, at(s + k))));
      return delta;
    }
    case 'replay': {
      const src = replaySource(p, e);
      set((k) => at(src + k));
      return delta;
    }
    case 'correlation_break':
      if (spec.variables[0] !== name) set((k) => at(s + d - 1 - k));
      return delta;
    case 'lag': {
      if (p['channel'] !== name) return delta;
      const lag = p['lag'] as number;
      set((k) => interpolate(at, s, k - lag * Math.min(1, (k + 1) / (lag + 1), (d - k) / (lag + 1))));
      return delta;
    }
    default:
      throw new Error(`unreachable: ${spec.kind} is not a shape kind`);
  }
}

/**
 * The clean values the rows of a reversal, replay or correlation_break event take on
 * variable `name` (undefined: the first target of a correlation break, left as it is).
 * For a value-set variable they are written as they are (value-set.ts).
 */
function rearrangedValues(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, name: string, clean: (row: number) => number): Float64Array | undefined {
  const d = e.duration;
  const s = e.start;
  const at = (row: number) => clean(Math.max(0, row));
  const out = new Float64Array(d);
  if (spec.kind === 'replay') {
    const src = replaySource(p, e);
    for (let k = 0; k < d; k++) out[k] = at(src + k);
    return out;
  }
  if (spec.kind === 'correlation_break' && spec.variables[0] === name) return undefined;
  if (spec.kind !== 'reversal' && spec.kind !== 'correlation_break') throw new Error(`unreachable: ${spec.kind} does not rearrange`);
  for (let k = 0; k < d; k++) out[k] = at(s + d - 1 - k);
  return out;
}

/** δ of the shape events of one shard, per event attempt and variable (computed once). */
export class ShapeEvents {
  private readonly cache = new Map<string, Float64Array | undefined>();
  constructor(private readonly cleanRows: CleanRows) {}

  private computed(id: string, spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, name: string, f: typeof shapeDelta | typeof rearrangedValues): Float64Array | undefined {
    if (this.cache.has(id)) return this.cache.get(id);
    const [lo, hi] = shapeNeighbourhood(spec.kind, p, e);
    const c = this.cleanRows(lo, hi).find((x) => x.name === name)!;
    const read = (row: number) => (c.dtype === 'int64' ? getInt64(c.data as Int32Array, row - lo) : c.data[row - lo]!);
    const out = f(spec, p, e, name, read);
    this.cache.set(id, out);
    return out;
  }

  delta(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, name: string): Float64Array {
    return this.computed(`${e.id}:${e.spec}:${e.attempt ?? 0}:${name}`, spec, p, e, name, shapeDelta)!;
  }

  /** The values of a rearranging event's rows on `name` (rearrangedValues). */
  rearranged(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, name: string): Float64Array | undefined {
    return this.computed(`${e.id}:${e.spec}:${e.attempt ?? 0}:${name}:values`, spec, p, e, name, rearrangedValues);
  }
}
