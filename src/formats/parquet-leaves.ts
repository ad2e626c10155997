/**
 * The leaf columns of a shard-shaped Arrow table as the Parquet writer sees them: flat
 * types only (plain utf8 strings too, as the segment table holds), one record batch,
 * buffers viewed in place. Anything else is left to parquet-wasm (leavesOf returns null).
 */
import { Type, TimeUnit, type Data, type DataType, type Table } from 'apache-arrow';
import { PhysicalType } from './parquet-spec.js';

export type Kind = 'timestamp' | 'int64' | 'int32' | 'float64' | 'float32' | 'bool' | 'dictionary' | 'utf8';

/** One leaf column of a shard table, as the writer sees it. */
export interface Leaf {
  name: string;
  kind: Kind;
  physical: number;
  nullable: boolean;
  /** Timestamp: adjusted to UTC (a zone was given). */
  utc: boolean;
  /** Little-endian value bytes (bool: an LSB-first bitmap; utf8: the strings' bytes, end to end). */
  bytes: Uint8Array;
  /** utf8: where each row's string starts in `bytes` (rows + 1 entries, Arrow's value offsets). */
  offsets: Int32Array | null;
  /** int64/timestamp as (lo, hi) pairs; dictionary indices. */
  words: Int32Array | null;
  /** Arrow validity bitmap, or null when every row is valid. */
  validity: Uint8Array | null;
  dictionary: string[] | null;
}

function leafOf(name: string, nullable: boolean, d: Data): Leaf | null {
  if (d.offset !== 0) return null;
  const validity = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : null;
  const base = { name, nullable, utc: false, validity, dictionary: null, words: null, offsets: null };
  const v = d.values as ArrayBufferView;
  const bytes = (n: number) => new Uint8Array(v.buffer, v.byteOffset, n);
  const t = d.type as DataType;
  switch (t.typeId) {
    case Type.Float: {
      const precision = (t as unknown as { precision: number }).precision;
      if (precision === 2) return { ...base, kind: 'float64', physical: PhysicalType.DOUBLE, bytes: bytes(8 * d.length) };
      if (precision === 1) return { ...base, kind: 'float32', physical: PhysicalType.FLOAT, bytes: bytes(4 * d.length) };
      return null;
    }
    case Type.Int: {
      const it = t as unknown as { bitWidth: number; isSigned: boolean };
      if (!it.isSigned) return null;
      if (it.bitWidth === 32) return { ...base, kind: 'int32', physical: PhysicalType.INT32, bytes: bytes(4 * d.length) };
      if (it.bitWidth === 64) return { ...base, kind: 'int64', physical: PhysicalType.INT64, bytes: bytes(8 * d.length), words: new Int32Array(v.buffer, v.byteOffset, 2 * d.length) };
      return null;
    }
    case Type.Timestamp: {
      const ts = t as unknown as { unit: TimeUnit; timezone: string | null };
      if (ts.unit !== TimeUnit.MILLISECOND || (ts.timezone !== null && ts.timezone !== 'UTC')) return null;
      return { ...base, kind: 'timestamp', physical: PhysicalType.INT64, utc: ts.timezone === 'UTC', bytes: bytes(8 * d.length), words: new Int32Array(v.buffer, v.byteOffset, 2 * d.length) };
    }
    case Type.Utf8: {
      const offsets = d.valueOffsets as Int32Array;
      return { ...base, kind: 'utf8', physical: PhysicalType.BYTE_ARRAY, bytes: d.values as Uint8Array, offsets: offsets.subarray(0, d.length + 1) };
    }
    case Type.Bool:
      return { ...base, kind: 'bool', physical: PhysicalType.BOOLEAN, bytes: bytes((d.length + 7) >> 3) };
    case Type.Dictionary: {
      const dt = t as unknown as { dictionary: DataType; indices: { bitWidth: number; isSigned: boolean } };
      if (dt.dictionary.typeId !== Type.Utf8 || dt.indices.bitWidth !== 32 || !d.dictionary) return null;
      const dictionary = (d.dictionary.toArray() as unknown[]).map(String);
      return { ...base, kind: 'dictionary', physical: PhysicalType.BYTE_ARRAY, bytes: bytes(4 * d.length), words: new Int32Array(v.buffer, v.byteOffset, d.length), dictionary };
    }
    default:
      return null;
  }
}

/** The leaves of a single-batch table of supported flat types, or null (use parquet-wasm). */
export function leavesOf(table: Table): Leaf[] | null {
  if (table.batches.length !== 1) return null;
  const batch = table.batches[0]!;
  const leaves: Leaf[] = [];
  for (let j = 0; j < table.schema.fields.length; j++) {
    const f = table.schema.fields[j]!;
    const d = batch.data.children[j]!;
    // Nulls in a non-nullable field have no Parquet form here: leave them to parquet-wasm.
    if (!f.nullable && d.nullCount > 0) return null;
    const leaf = leafOf(f.name, f.nullable, d);
    if (!leaf) return null;
    leaves.push(leaf);
  }
  return leaves;
}
