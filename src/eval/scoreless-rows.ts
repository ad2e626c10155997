/**
 * Prediction rows without a score. A detector that needs a window of history before it can
 * score (a rolling z-score, a forecaster) writes its first rows empty or NaN; pandas writes
 * them so. By default such a row is refused, naming it; with `--missing-scores skip` the
 * rows are left out before the join, so their label rows count as unscored, as those of a
 * detector that wrote no row for them would, and the result says how many were left out.
 * A score of its own choosing (0, the lowest) would be a claim the detector did not make.
 */
import { usage } from './table-file.js';

/** Prediction columns with the scoreless rows left out (NaN in `values`), and `where` still naming the file's rows. */
export function withoutScoreless<C extends Float64Array>(path: string, columns: { times: Float64Array; values: Float64Array; rest: C[] }, where: (row: number) => string): { times: Float64Array; values: Float64Array; rest: C[]; where: (row: number) => string; scoreless: number } {
  const { times, values, rest } = columns;
  const n = values.length;
  let scoreless = 0;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) scoreless++;
  if (scoreless === 0) return { ...columns, where, scoreless };
  if (scoreless === n) throw usage(`${path}: every prediction row is without a score (${n.toLocaleString('en-US')} rows)`);
  const kept = new Int32Array(n - scoreless);
  for (let i = 0, k = 0; i < n; i++) if (!Number.isNaN(values[i]!)) kept[k++] = i;
  const pick = <A extends Float64Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(kept.length);
    for (let k = 0; k < kept.length; k++) out[k] = a[kept[k]!]!;
    return out;
  };
  return { times: pick(times), values: pick(values), rest: rest.map(pick), where: (row) => where(kept[row]!), scoreless };
}
