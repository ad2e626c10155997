/**
 * Applying anomaly kinds to one target variable's values over the event windows of a
 * block (the table of effects is in catalog.ts). Everything a transform uses is a pure
 * function of (seed, event, row): the event's drawn parameters, the row's offset in the
 * event, per-row draws from the stream "sys:kind:<variable>" (draw 0 for noise, draw 1
 * for dropout), and — for flat_line and amplitude on non-process variables — the value of
 * the event's first row, which the pipeline supplies whichever shard that row is in.
 * Those two kinds leave the first row itself unchanged, so "the value of the first row"
 * means the same thing everywhere.
 */
import { ParanomError } from '../../errors.js';
import { fillRowUniforms, type SeedKey } from '../../random/counter.js';
import { systemStream } from '../../random/hash.js';
import { normalQuantile, openUniform } from '../../random/normal-quantile.js';
import { getInt64, putInt64, type ColumnData } from '../../columns/columns.js';
import type { AnomalyKindSpec, AnomalyPlan, DType, Variable } from '../../model/types.js';
import type { AnomalyEvent } from '../events.js';
import { waveShape, type WaveName } from '../../model/shapes.js';
import { ParamCache, specOf, type EventParams } from './params.js';
import { actsOnComponents } from './catalog.js';
import { LearnedEvents } from './learned.js';
import type { ShapeEvents } from './shapes.js';
import { isRearranging, valueSetOf } from './value-set.js';
import { clampValue, columnLimits, type Limits } from '../../model/limits.js';

/** Reads a stored cell as a number. */
export function readCell(col: ColumnData, dtype: DType, i: number): number {
  return dtype === 'int64' ? getInt64(col as Int32Array, i) : col[i]!;
}

/** Kinds on this variable that need the value of the event's first row. */
export function needsAnchor(spec: AnomalyKindSpec, v: Variable): boolean {
  return (spec.kind === 'flat_line' && spec.params['value'] === undefined) || (spec.kind === 'amplitude' && v.type !== 'process');
}

/** The events of `events` whose kind acts on variable v's values (not only its components). */
export function targetsOf(plan: AnomalyPlan, v: Variable, e: AnomalyEvent): AnomalyKindSpec | undefined {
  const spec = specOf(plan, e);
  if (!spec || !spec.variables.includes(v.name)) return undefined;
  const acts = actsOnComponents(spec.kind, spec.params);
  // decorrelate acts while the group's scores are drawn (variables/correlated-scores.ts).
  if (acts.scores) return undefined;
  if (v.type === 'process') {
    // Applied inside the process (variables/process.ts), except variance's added noise.
    if (acts.seasonal || (acts.noise && spec.params['sd'] === undefined)) return undefined;
  }
  return spec;
}

/** The stream of each target variable's per-row draws, by name: hashed once, not per compile. */
const kindStreams = new Map<string, number>();

function kindStream(name: string): number {
  let s = kindStreams.get(name);
  if (s === undefined) kindStreams.set(name, (s = systemStream(`kind:${name}`)));
  return s;
}

/** Until an applier draws: a fleet compiles one per entity and target, most never draw. */
const NO_DRAWS = new Float64Array(0);

/** Applies the kinds targeting one variable to its column, block by block. */
export class KindApplier {
  private readonly stream: number;
  private u: Float64Array = NO_DRAWS;
  /** The variable's values are a declared set (value-set.ts): rearranging kinds write them exactly. */
  private labels: boolean;
  /** The variable's `limits` as its column holds them (model/limits.ts), bounding what a kind writes. */
  private bounds: Limits | undefined;

  constructor(
    private plan: AnomalyPlan,
    private key: SeedKey,
    private seed: number,
    private v: Variable,
    private params: ParamCache,
    /** The value of the event's first row (only asked for kinds that need it). */
    private readonly anchor: (e: AnomalyEvent) => number,
    private readonly scratchRows: number,
    /** Learned events of this shard (scenarios with a `learned` kind). */
    private readonly learned?: LearnedEvents,
    /** Shape events of this shard (scenarios with a shape kind). */
    private readonly shapes?: ShapeEvents,
  ) {
    this.stream = kindStream(v.name);
    this.labels = valueSetOf(v) !== undefined;
    this.bounds = v.limits && columnLimits(v.dtype, v.limits);
  }

  /**
   * The same kinds on the same variable of another entity of a fleet (its plan, key, seed,
   * definition and parameter cache); the draw buffer is kept. Not for learned or shape
   * kinds, whose state belongs to one entity (generate/pipeline.ts does not rebind them).
   */
  rebind(plan: AnomalyPlan, key: SeedKey, seed: number, v: Variable, params: ParamCache): void {
    this.plan = plan;
    this.key = key;
    this.seed = seed;
    this.v = v;
    this.params = params;
    this.labels = valueSetOf(v) !== undefined;
    this.bounds = v.limits && columnLimits(v.dtype, v.limits);
  }

  private outOfRange(row: number, x: number): ParanomError {
    return new ParanomError('VALUE_OUT_OF_RANGE', `variable '${this.v.name}' became ${x} at row ${row} under an anomaly kind, which does not fit its ${this.v.dtype} column (seed ${this.seed}); widen the dtype or soften the kind's parameters`, { variable: this.v.name, row, value: x, seed: this.seed });
  }

  private write(out: ColumnData, i: number, row: number, value: number): void {
    // A variable's `limits` bound what a kind writes, as they bound its clean values.
    const x = this.bounds ? clampValue(value, this.bounds) : value;
    switch (this.v.dtype) {
      case 'int32': {
        const r = Math.round(x);
        if (!(r >= -2147483648 && r <= 2147483647)) throw this.outOfRange(row, r);
        out[i] = r;
        return;
      }
      case 'int64': {
        const r = Math.round(x);
        if (!Number.isSafeInteger(r)) throw this.outOfRange(row, r);
        putInt64(out as Int32Array, i, r);
        return;
      }
      default:
        out[i] = x;
    }
  }

  /** Transforms the rows of `events` that fall in rows [rowStart, rowStart + count) stored at out[offset + i]. */
  apply(rowStart: number, count: number, offset: number, events: readonly AnomalyEvent[], out: ColumnData, valid: Uint8Array | undefined): void {
    for (const e of events) {
      const spec = targetsOf(this.plan, this.v, e);
      if (!spec) continue;
      const from = Math.max(e.start, rowStart);
      const to = Math.min(e.end, rowStart + count);
      if (to <= from) continue;
      this.applyEvent(spec, this.params.get(e), e, from, to, rowStart, offset, out, valid);
    }
  }

  /** Per-row uniforms of an event's rows; a `min_effect` redraw (attempt a) takes its own. */
  private draws(e: AnomalyEvent, from: number, n: number, draw: number): Float64Array {
    // Made and grown on demand: a fleet compiles a kind per entity, most of whose blocks
    // have no event (and a typed array costs more to make than the rest of the applier).
    if (this.u.length < n) this.u = new Float64Array(Math.max(n, Math.min(this.scratchRows, 256)));
    const u = this.u.subarray(0, n);
    fillRowUniforms(this.key, this.stream, e.attempt ?? 0, draw, from, n, u);
    return u;
  }

  private applyEvent(spec: AnomalyKindSpec, p: EventParams, e: AnomalyEvent, from: number, to: number, rowStart: number, offset: number, out: ColumnData, valid: Uint8Array | undefined): void {
    const dtype = this.v.dtype;
    const d = e.duration;
    const sign = p['direction'] === 'down' ? -1 : 1;
    const n = to - from;
    const idx = (row: number) => offset + row - rowStart;
    const each = (f: (x: number, k: number, j: number) => number) => {
      for (let row = from; row < to; row++) {
        const i = idx(row);
        this.write(out, i, row, f(readCell(out, dtype, i), row - e.start, row - from));
      }
    };
    switch (spec.kind) {
      case 'spike': {
        const m = sign * (p['magnitude'] as number);
        return each((x, k) => x + m * (1 - Math.abs((2 * (k + 0.5)) / d - 1)));
      }
      case 'level_shift': {
        const s = sign * (p['shift'] as number);
        return each((x) => x + s);
      }
      case 'trend': {
        const s = sign * (p['slope'] as number);
        return each((x, k) => x + s * (k + 1));
      }
      case 'variance': {
        const sd = p['sd'] as number | undefined;
        if (sd === undefined) return;
        const u = this.draws(e, from, n, 0);
        return each((x, _k, j) => x + sd * normalQuantile(openUniform(u[j]!)));
      }
      case 'noise': {
        const m = p['magnitude'] as number;
        const dir = p['direction'];
        const wave = p['wave'] as WaveName | 'none';
        const period = (p['wave_period'] as number | undefined) ?? d;
        const u = this.draws(e, from, n, 0);
        return each((x, k, j) => {
          let z = normalQuantile(openUniform(u[j]!));
          if (dir === 'up') z = Math.abs(z);
          else if (dir === 'down') z = -Math.abs(z);
          if (wave === 'none') return x + m * z;
          const f = k / period - Math.floor(k / period);
          return x + m * z * ((1 + waveShape(wave, f)) / 2);
        });
      }
      case 'amplitude': {
        const factor = p['factor'] as number;
        const a = this.anchor(e);
        return each((x, k) => (k === 0 ? x : a + factor * (x - a)));
      }
      case 'flat_line': {
        const value = p['value'] as number | undefined;
        if (value !== undefined) return each(() => value);
        const a = this.anchor(e);
        return each((x, k) => (k === 0 ? x : a));
      }
      case 'dropout': {
        const rate = p['rate'] as number;
        const u = this.draws(e, from, n, 1);
        for (let row = from; row < to; row++) {
          if (!(u[row - from]! < rate)) continue;
          const i = idx(row);
          if (valid) valid[i] = 0;
          if (dtype === 'int64') putInt64(out as Int32Array, i, 0);
          else out[i] = dtype === 'float64' || dtype === 'float32' ? NaN : 0;
        }
        return;
      }
      case 'learned': {
        const group = LearnedEvents.groupOf(spec, this.v.name)!;
        const delta = this.learned!.effect(spec, p, e, group).delta[group.indexOf(this.v.name)]!;
        return each((x, k) => x + delta[k]!);
      }
      case 'frequency':
        return; // process variables only, applied to their components
      default: {
        if (this.labels && isRearranging(spec.kind)) {
          // A label is written as the clean series has it: x + δ could round a float label off its value.
          const values = this.shapes!.rearranged(spec, p, e, this.v.name);
          if (values) each((_x, k) => values[k]!);
          return;
        }
        // The shape kinds (shapes.ts): a change computed from the clean series around the event.
        const delta = this.shapes!.delta(spec, p, e, this.v.name);
        return each((x, k) => x + delta[k]!);
      }
    }
  }
}
