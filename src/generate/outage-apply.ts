/**
 * Outages (fleet/outages.ts) on one entity's generated rows: the targets held at their
 * value where the outage starts (`flat_line`) or moved by the outage's amount
 * (`level_shift`, `spike`; then clamped into the variable's `limits`), and the rows
 * labelled with the outage's id. A value where an
 * outage started before these rows is that row generated alone: the same bits (D2). A
 * flat line that starts on a missing value (the entity's own dropout) holds it missing: the
 * cell a dropout leaves (NaN, or 0 in an integer column) is no value to copy.
 */
import type { Scenario } from '../model/types.js';
import { putInt64, type ColumnData, type ValueColumn } from '../columns/columns.js';
import type { Outage } from '../fleet/outages.js';
import { fleetOf } from '../fleet/entity.js';
import { generateShard, type ShardColumns } from './shard.js';
import { clampCells } from '../model/limits.js';

/** Copies the cell of row `from` to rows [a, b) of a column (int64 cells are two slots). */
function hold(data: ColumnData, width: number, from: ColumnData, at: number, a: number, b: number): void {
  for (let i = a; i < b; i++) for (let w = 0; w < width; w++) data[i * width + w] = from[at * width + w]!;
}

/** Makes rows [a, b) of a nullable column missing, as a dropout writes them. */
function drop(v: ValueColumn, a: number, b: number): void {
  v.valid!.fill(0, a, b);
  if (v.dtype === 'float64' || v.dtype === 'float32') (v.data as Float64Array | Float32Array).fill(NaN, a, b);
  else v.data.fill(0, v.dtype === 'int64' ? 2 * a : a, v.dtype === 'int64' ? 2 * b : b);
}

/** Applies the outages hitting one entity (`one`: its scenario) to its rows [rowStart, rowEnd). */
export function applyOutages(fleet: Scenario, one: Scenario, cols: ShardColumns, rowStart: number, rowEnd: number, outages: readonly Outage[]): void {
  const o = fleetOf(fleet).outages!;
  const targets = cols.values.filter((v) => o.variables.includes(v.name));
  for (const out of outages) {
    const a = Math.max(out.start, rowStart) - rowStart;
    const b = Math.min(out.end, rowEnd) - rowStart;
    if (o.kind === 'flat_line') {
      const early = out.start < rowStart ? generateShard(one, out.start, out.start + 1).values : undefined;
      for (const v of targets) {
        const source: ValueColumn = early ? early.find((x) => x.name === v.name)! : v;
        const at = early ? 0 : out.start - rowStart;
        if (source.valid?.[at] === 0) drop(v, a, b);
        else hold(v.data, v.dtype === 'int64' ? 2 : 1, source.data, at, a, b);
      }
    } else {
      for (const v of targets) {
        const d = v.data as Float64Array | Float32Array;
        for (let i = a; i < b; i++) d[i] = d[i]! + out.amount;
        // The variable's `limits` bound a moved value as they bound every other.
        const limits = one.variables.find((x) => x.name === v.name)?.limits;
        if (limits) clampCells(d, v.dtype, a, b, limits);
      }
    }
    cols.isAnomaly.fill(1, a, b);
    for (let i = a; i < b; i++) putInt64(cols.anomalyId, i, out.label);
  }
}
