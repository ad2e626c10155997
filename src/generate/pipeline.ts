/**
 * The per-shard variable pipeline: variables in generation order (declared order, moved
 * by callbacks' `after:`), each one's block filled by its kind and then transformed by the
 * anomaly kinds that target it — so a callback generated later reads final values,
 * anomalies included. Dropout targets get a validity mask (a nullable column in every
 * shard, whether or not the shard has a dropout event, so all shards share one schema).
 *
 * Kinds that need the value of an event's first row take it from this shard's column when
 * that row is in the shard (recorded before the kinds touch the block), and otherwise from
 * a one-row generation of that row (`evaluateRow`); both give the same bits, because
 * every value is a pure function of its row (D2).
 */
import { BLOCK_ROWS } from '../format.js';
import type { ColumnData, ValueColumn } from '../columns/columns.js';
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
}

/** Names of the variables some `dropout` kind targets: their columns are nullable. */
export function nullableVariables(s: Scenario): Set<string> {
  const a = s.anomalies;
  const out = new Set<string>();
  if (a.mode !== 'none' && a.kinds) for (const k of a.kinds) if (k.kind === 'dropout') k.variables.forEach((n) => out.add(n));
  return out;
}

function hasKinds(s: Scenario, v: Variable): boolean {
  const a = s.anomalies;
  return a.mode !== 'none' && !!a.kinds && a.kinds.some((k) => k.variables.includes(v.name));
}

/**
 * Compiles a shard's variables. `compile` compiles one variable (the caller's context);
 * `evaluateRow` generates one row of the timeline (its value columns); `cleanRows`
 * generates rows of the scenario without anomalies (the context of `learned` events);
 * `rows` is the shard's row count.
 */
export function compileShardPipeline(
  scenario: Scenario,
  key: SeedKey,
  rowStart: number,
  rows: number,
  compile: (v: Variable) => CompiledVariable,
  evaluateRow: (row: number) => readonly ValueColumn[],
  cleanRows: CleanRows,
): ShardPipeline {
  const nullable = nullableVariables(scenario);
  const validity = new Map<string, Uint8Array>();
  for (const name of nullable) validity.set(name, new Uint8Array(rows).fill(1));
  const params = new ParamCache(scenario.anomalies, key);
  const earlyRows = new Map<number, RowValues>();
  const learned = hasLearnedKind(scenario) ? new LearnedEvents(key, cleanRows, scenario.baseDir) : undefined;
  const shapes = scenario.anomalies.mode !== 'none' && scenario.anomalies.kinds?.some((k) => isShapeKind(k.kind)) ? new ShapeEvents(cleanRows) : undefined;
  // A plain loop over the steps, not map(): see generate/rows.ts (a fleet compiles its
  // pipeline for every entity, and generateRows reads the steps).
  const steps: CompiledVariable[] = [];
  for (const v of generationOrder(scenario.variables)) steps.push(step(v));
  return { steps, validity };

  function step(v: Variable): CompiledVariable {
    const inner = compile(v);
    if (!hasKinds(scenario, v)) return inner;
    const anchors = new Map<number, number>();
    const anchor = (e: AnomalyEvent): number => {
      let a = anchors.get(e.id);
      if (a === undefined) {
        if (e.start >= rowStart) throw new Error(`unreachable: anchor of event ${e.id} not recorded`);
        let values = earlyRows.get(e.start);
        if (!values) earlyRows.set(e.start, (values = rowReader(evaluateRow(e.start))));
        a = values(v.name);
        anchors.set(e.id, a);
      }
      return a;
    };
    const applier = new KindApplier(scenario.anomalies, key, scenario.seed, v, params, anchor, Math.min(rows, BLOCK_ROWS), learned, shapes);
    const mask = validity.get(v.name);
    const fill = (block: Block, out: ColumnData): void => {
      inner.fill(block, out);
      const end = block.rowStart + block.count;
      for (const e of block.events) {
        if (e.start < block.rowStart || e.start >= end) continue;
        const spec = targetsOf(scenario.anomalies, v, e);
        if (spec && needsAnchor(spec, v)) anchors.set(e.id, readCell(out, v.dtype, block.offset + e.start - block.rowStart));
      }
      applier.apply(block.rowStart, block.count, block.offset, block.events, out, mask);
    };
    // What the kind compiled besides `fill` is kept (valueAt: a uniqueness key's redraws).
    return inner.valueAt ? { variable: inner.variable, valueAt: inner.valueAt.bind(inner), fill } : { variable: inner.variable, fill };
  }
}
