/**
 * The run-time guard behind `allow_non_finite`: no float column of a shard may hold
 * ±Infinity or NaN (outside null rows) unless the scenario allows it. Validation refuses
 * what it can foresee; this catches what only shows at run time (a process that drifts
 * out of range, a source file holding "inf", an anomaly kind scaling a huge value).
 */
import { ParanomError } from '../errors.js';
import type { ColumnSet } from '../columns/columns.js';

/** Throws VALUE_OUT_OF_RANGE at the first non-finite stored float, naming the column and row. */
export function checkFinite(columns: ColumnSet, rowStart: number, seed: number): void {
  for (const c of columns.values) {
    if (c.dtype !== 'float64' && c.dtype !== 'float32') continue;
    const data = c.data as Float64Array | Float32Array;
    const valid = c.valid;
    for (let i = 0; i < columns.rows; i++) {
      const x = data[i]!;
      // x - x is 0 for finite x and NaN for ±Infinity and NaN: one test for all three.
      if (x - x !== 0 && (!valid || valid[i] === 1)) {
        throw new ParanomError(
          'VALUE_OUT_OF_RANGE',
          `variable '${c.name}': row ${rowStart + i} would store ${x} (seed ${seed}); a dataset holds finite numbers only — narrow the variable's distribution or parameters, or set allow_non_finite: true in the scenario`,
          { variable: c.name, row: rowStart + i, seed },
        );
      }
    }
  }
}
