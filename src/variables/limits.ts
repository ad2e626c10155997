/**
 * A variable with `limits` (model/limits.ts) compiles to its kind's compiled form with every
 * value it makes clamped into them: each filled block, and each value a uniqueness key's
 * redraw reads (valueAt agrees bit for bit with fill). The anomaly kinds clamp what they
 * write themselves (anomaly/kinds/apply.ts); so does an outage (generate/outage-apply.ts).
 * Clamping here, before the kinds, keeps "the value of an event's first row" the same
 * whether it is read from the shard's own column or from that row generated alone. What
 * the kind compiled besides its values (a kept source's gaps) passes through unchanged.
 */
import { clampCells, clampValue, columnLimits, storedAs, type Limits } from '../model/limits.js';
import type { CompiledVariable } from './kind.js';

export function withLimits(inner: CompiledVariable, limits: Limits): CompiledVariable {
  const dtype = inner.variable.dtype;
  // The limits as the column holds them, worked out once, not per value.
  let bounds = columnLimits(dtype, limits);
  const { valueAt, rebind, gaps } = inner;
  return {
    get variable() {
      return inner.variable;
    },
    fill(block, out) {
      inner.fill(block, out);
      clampCells(out, dtype, block.offset, block.offset + block.count, bounds);
    },
    ...(valueAt ? { valueAt: (row: number, attempt: number, anomalous: boolean) => storedAs(dtype, clampValue(valueAt.call(inner, row, attempt, anomalous), bounds)) } : {}),
    ...(gaps ? { gaps: gaps.bind(inner) } : {}),
    ...(rebind
      ? {
          rebind(v, scenario, key) {
            // Another entity's definition: its own limits (they may be drawn per entity).
            if (!v.limits || !rebind.call(inner, v, scenario, key)) return false;
            bounds = columnLimits(dtype, v.limits);
            return true;
          },
        }
      : {}),
  };
}
