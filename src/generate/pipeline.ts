/**
 * The per-shard variable pipeline: variables in generation order (declared order, moved
 * by callbacks' `after:`), each one's block filled by its kind and then transformed by the
 * anomaly kinds that target it — so a callback generated later reads final values,
 * anomalies included. Dropout targets get a validity mask (a nullable column in every
 * shard, whether or not the shard has a dropout event, so all shards share one schema),
 * and so do sources that keep their missing readings (`missing: keep`): their gaps are
 * made null after the kinds, whatever the kinds did there, in the clean twin as well.
 *
 * Kinds that need the value of an event's first row take it from this shard's column when
 * that row is in the shard (recorded before the kinds touch the block), and otherwise from
 * a one-row generation of that row (`evaluateRow`); both give the same bits, because
 * every value is a pure function of its row (D2).
 */
import { BLOCK_ROWS } from '../format.js';
import { allocColumn, type ColumnData, type ValueColumn } from '../columns/columns.js';
import type { SeedKey } from '../random/counter.js';
import type { Scenario, Variable } from '../model/types.js';
import type { Block, CompiledVariable } from '../variables/kind.js';
import { generationOrder } from '../variables/callback-order.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import { ParamCache } from '../anomaly/kinds/params.js';
import { isShapeKind, ShapeEvents } from '../anomaly/kinds/shapes.js';
import { KindApplier, needsAnchor, readCell, targetsOf } from '../anomaly/kinds/apply.js';
import { hasLearnedKind, LearnedEvents, type CleanRows } from '../anomaly/kinds/learned.js';

/** The final value of a variable at one row, by name. */
type RowValues = (name: string) => number;

function rowReader(values: readonly ValueColumn[]): RowValues {
  return (name) => {
    const c = values.find((x) => x.name === name)!;
    return readCell(c.data, c.dtype, 0);
  };
}

export interface ShardPipeline {
  /** Variables in generation order; each fill writes the variable's column, kinds applied. */
  steps: CompiledVariable[];
  /** Validity masks (1 = value, 0 = null) of nullable columns, indexed like the columns. */
  validity: ReadonlyMap<string, Uint8Array>;
  /**
   * Points the pipeline at another entity of a fleet, over the same rows: variables whose
   * kind can rebind (CompiledVariable.rebind) keep their compiled form, the others are
   * compiled again; events' anchors and parameters, and the validity masks, start afresh.
   * Absent when the pipeline holds what cannot start afresh (learned and shape kinds).
   */
  rebind?(ctx: PipelineContext): void;
}

/**
 * What a pipeline is compiled for: the scenario and its key, `compile` (one variable, in
 * the caller's context), `evaluateRow` (one row of the timeline: its value columns) and
 * `cleanRows` (rows of the scenario without anomalies: the context of `learned` events).
 */
export interface PipelineContext {
  scenario: Scenario;
  key: SeedKey;
  compile: (v: Variable) => CompiledVariable;
  evaluateRow: (row: number) => readonly ValueColumn[];
  cleanRows: CleanRows;
}

/** One variable of a pipeline: its compiled form and, when kinds target it, their state. */
interface Step {
  v: Variable;
  inner: CompiledVariable;
  /** Kinds' state; absent when no kind targets the variable. */
  kinds?: { anchors: Map<number, number>; applier: KindApplier };
  /** The fill with kinds applied and gaps nulled; absent when there is neither. */
  fill?: CompiledVariable['fill'];
}

/** True for a source that keeps its missing readings as nulls (variables/source-missing.ts). */
export function keepsGaps(v: Variable): boolean {
  return v.type === 'source' && v.missing === 'keep';
}

/** Names of the variables some `dropout` kind targets, and of sources that keep gaps: their columns are nullable. */
export function nullableVariables(s: Scenario): Set<string> {
  const a = s.anomalies;
  const out = new Set<string>(s.variables.filter(keepsGaps).map((v) => v.name));
  if (a.mode !== 'none' && a.kinds) for (const k of a.kinds) if (k.kind === 'dropout') k.variables.forEach((n) => out.add(n));
  return out;
}

function hasKinds(s: Scenario, v: Variable): boolean {
  const a = s.anomalies;
  return a.mode !== 'none' && !!a.kinds && a.kinds.some((k) => k.variables.includes(v.name));
}

/**
 * Compiles a shard's variables for rows [rowStart, rowStart + rows) (see PipelineContext).
 * The returned pipeline's `rebind` re-points it at another entity of a fleet shard.
 */
export function compileShardPipeline(rowStart: number, rows: number, ctx: PipelineContext): ShardPipeline {
  let { scenario, key, evaluateRow } = ctx;
  const nullable = nullableVariables(scenario);
  const validity = new Map<string, Uint8Array>();
  for (const name of nullable) validity.set(name, new Uint8Array(rows).fill(1));
  let params = new ParamCache(scenario.anomalies, key);
  const earlyRows = new Map<number, RowValues>();
  const learned = hasLearnedKind(scenario) ? new LearnedEvents(key, ctx.cleanRows, scenario.baseDir) : undefined;
  const shapes = scenario.anomalies.mode !== 'none' && scenario.anomalies.kinds?.some((k) => isShapeKind(k.kind)) ? new ShapeEvents(ctx.cleanRows) : undefined;
  const scratchRows = Math.min(rows, BLOCK_ROWS);
  // A plain loop over the steps, not map(): see generate/rows.ts (generateRows reads the steps).
  const order = generationOrder(scenario.variables);
  const at: number[] = [];
  const all: Step[] = [];
  const steps: CompiledVariable[] = [];
  for (const v of order) {
    at.push(scenario.variables.indexOf(v));
    const s = step(v, ctx.compile(v));
    all.push(s);
    steps.push(compiled(s));
  }
  if (learned || shapes) return { steps, validity };
  return { steps, validity, rebind };

  function rebind(next: PipelineContext): void {
    ({ scenario, key, evaluateRow } = next);
    params = new ParamCache(scenario.anomalies, key);
    earlyRows.clear();
    if (validity.size > 0) for (const mask of validity.values()) mask.fill(1);
    for (let i = 0; i < all.length; i++) {
      const s = all[i]!;
      const v = scenario.variables[at[i]!]!;
      s.v = v;
      const same = s.inner.rebind?.(v, scenario, key) === true;
      if (!same) s.inner = next.compile(v);
      if (s.kinds) {
        if (s.kinds.anchors.size > 0) s.kinds.anchors.clear();
        s.kinds.applier.rebind(scenario.anomalies, key, scenario.seed, v, params);
      }
      // A step keeps its wrapper while its compiled form stays (the wrapper reads s).
      if (!same) steps[i] = compiled(s);
    }
  }

  function applierOf(s: Step): KindApplier {
    const anchor = (e: AnomalyEvent): number => {
      const anchors = s.kinds!.anchors;
      let a = anchors.get(e.id);
      if (a === undefined) {
        if (e.start >= rowStart) throw new Error(`unreachable: anchor of event ${e.id} not recorded`);
        let values = earlyRows.get(e.start);
        if (!values) earlyRows.set(e.start, (values = rowReader(evaluateRow(e.start))));
        a = s.inner.gaps?.(e.start, 1, oneRow) ? standIn(s, e.start) : values(s.v.name);
        anchors.set(e.id, a);
      }
      return a;
    };
    return new KindApplier(scenario.anomalies, key, scenario.seed, s.v, params, anchor, scratchRows, learned, shapes);
  }

  function step(v: Variable, inner: CompiledVariable): Step {
    const s: Step = { v, inner };
    const kinded = hasKinds(scenario, v);
    if (!kinded && !inner.gaps) return s;
    const mask = validity.get(v.name);
    const gapRows = inner.gaps ? new Uint8Array(scratchRows) : undefined;
    s.fill = (block: Block, out: ColumnData): void => {
      const { v, inner, kinds } = s;
      inner.fill(block, out);
      if (kinds) {
        const end = block.rowStart + block.count;
        for (const e of block.events) {
          if (e.start < block.rowStart || e.start >= end) continue;
          const spec = targetsOf(scenario.anomalies, v, e);
          if (spec && needsAnchor(spec, v)) kinds.anchors.set(e.id, readCell(out, v.dtype, block.offset + e.start - block.rowStart));
        }
        kinds.applier.apply(block.rowStart, block.count, block.offset, block.events, out, mask);
      }
      if (gapRows && inner.gaps?.(block.rowStart, block.count, gapRows)) nullGaps(gapRows, block, out as Float64Array | Float32Array, mask!);
    };
    // The applier's anchors are read when it applies, after s.kinds is set.
    if (kinded) s.kinds = { anchors: new Map(), applier: applierOf(s) };
    return s;
  }
}

const oneRow = new Uint8Array(1);

/**
 * What a gap's row holds before the kinds (the held reading that `fill` writes there): the
 * anchor of an event starting on a gap, when that row lies in an earlier shard, where the
 * final column holds null instead.
 */
function standIn(s: Step, row: number): number {
  const cell = allocColumn(s.v.dtype, 1);
  s.inner.fill({ rowStart: row, count: 1, anomalous: new Uint8Array(1), events: [], columns: new Map(), offset: 0, scratch: new Float64Array(1) }, cell);
  return readCell(cell, s.v.dtype, 0);
}

/** Makes the gap rows of a block null (NaN under a 0 in the mask, as a dropout writes them), whatever the kinds did there. */
function nullGaps(gapRows: Uint8Array, block: Block, out: Float64Array | Float32Array, mask: Uint8Array): void {
  for (let i = 0; i < block.count; i++) {
    if (gapRows[i] === 0) continue;
    out[block.offset + i] = NaN;
    mask[block.offset + i] = 0;
  }
}

/** A step as generateRows calls it: the variable's own compiled form, or it with its kinds applied (and gaps nulled) after each fill. */
function compiled(s: Step): CompiledVariable {
  if (!s.fill) return s.inner;
  const { inner } = s;
  // What the kind compiled besides `fill` is kept (valueAt: a uniqueness key's redraws).
  return inner.valueAt ? { variable: s.v, valueAt: inner.valueAt.bind(inner), fill: s.fill } : { variable: s.v, fill: s.fill };
}
