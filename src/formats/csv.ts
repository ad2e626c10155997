/**
 * CSV encoding: a header, ISO 8601 UTC timestamps, numbers in JavaScript's shortest
 * round-trip form, booleans as true/false, an empty field for a null anomaly_id.
 */
import { getInt64, type ColumnSet, type ValueColumn } from '../columns/columns.js';

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function encodeCsv(s: ColumnSet): Uint8Array {
  const lines: string[] = [];
  lines.push(['timestamp', ...s.values.map((v) => quote(v.name)), 'is_anomaly', 'anomaly_id'].join(','));
  const cells = s.values.map((v) => {
    const cell = plainCell(v);
    const valid = v.valid;
    // A null (a dropout's missing value) is an empty field.
    return valid ? (i: number) => (valid[i] ? cell(i) : '') : cell;
  });
  for (let i = 0; i < s.rows; i++) {
    const row = [new Date(getInt64(s.timestamp, i)).toISOString()];
    for (const cell of cells) row.push(cell(i));
    row.push(s.isAnomaly[i] ? 'true' : 'false', s.isAnomaly[i] ? String(getInt64(s.anomalyId, i)) : '');
    lines.push(row.join(','));
  }
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

function plainCell(v: ValueColumn): (i: number) => string {
  const d = v.data;
  switch (v.dtype) {
    case 'int64':
      return (i: number) => String(getInt64(d as Int32Array, i));
    case 'bool':
      return (i: number) => (d[i] ? 'true' : 'false');
    case 'string': {
      const cats = (v.categories ?? []).map(quote);
      return (i: number) => cats[d[i]!]!;
    }
    default:
      return (i: number) => String(d[i]);
  }
}
