/**
 * NDJSON encoding (one JSON object per line): the same columns and order as the other
 * formats; timestamps as ISO 8601 UTC strings, numbers in JavaScript's shortest round-trip
 * form, categories as strings, null for a missing value and for anomaly_id on normal rows.
 * JSON has no NaN or infinity, so a non-finite float is written as null.
 */
import { getInt64, type ColumnSet, type ValueColumn } from '../columns/columns.js';
import { textRows, type EncodedRows } from './text-rows.js';
import { IsoTimeFormatter } from './iso-time.js';

function valueText(v: ValueColumn): (i: number) => string {
  const d = v.data;
  switch (v.dtype) {
    case 'int64':
      return (i) => String(getInt64(d as Int32Array, i));
    case 'bool':
      return (i) => (d[i] ? 'true' : 'false');
    case 'string': {
      const cats = (v.categories ?? []).map((c) => JSON.stringify(c));
      return (i) => cats[d[i]!]!;
    }
    case 'int32':
      return (i) => String(d[i]);
    default:
      return (i) => {
        const x = d[i]!;
        // String(-0) is "0": negative zero keeps its sign ("-0.0", which DuckDB reads as -0 where it reads "-0" as 0), as in the Parquet and Arrow files.
        return Number.isFinite(x) ? (Object.is(x, -0) ? '-0.0' : String(x)) : 'null';
      };
  }
}

/** Rows [from, to) of a shard as NDJSON lines. */
export function encodeNdjsonRows(s: ColumnSet, from: number, to: number, unitRows: number): EncodedRows {
  const cells = s.values.map((v) => {
    const key = `,${JSON.stringify(v.name)}:`;
    const text = valueText(v);
    const valid = v.valid;
    return valid ? (i: number) => key + (valid[i] ? text(i) : 'null') : (i: number) => key + text(i);
  });
  const time = new IsoTimeFormatter();
  const line = (i: number): string => {
    let out = '{"timestamp":"' + time.format(getInt64(s.timestamp, i)) + '"';
    for (const cell of cells) out += cell(i);
    return out + (s.isAnomaly[i] ? `,"is_anomaly":true,"anomaly_id":${getInt64(s.anomalyId, i)}}` : ',"is_anomaly":false,"anomaly_id":null}');
  };
  return textRows(line, from, to, unitRows);
}
