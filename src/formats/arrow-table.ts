/**
 * Builds an Apache Arrow table from a shard's typed arrays, always with explicit types
 * (Arrow JS would otherwise infer Float64 and dictionary strings). Buffers are wrapped,
 * not copied.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
  type DataType,
  type Data,
} from 'apache-arrow';
import { countOnes, forEachRunOfOnes, type ColumnSet, type DType, type ValueColumn } from '../columns/columns.js';

/** Packs bytes (non-zero: set) into an Arrow (LSB-first) bitmap. */
export function packBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array((bytes.length + 7) >> 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** `packBits` of bytes that are each 0 or 1 (labels, validity), run by run of ones. */
export function packRuns(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array((bytes.length + 7) >> 3);
  forEachRunOfOnes(bytes, bytes.length, (a, b) => setBits(out, a, b));
  return out;
}

/** Sets bits [a, b) of an LSB-first bitmap: whole bytes at once. */
function setBits(out: Uint8Array, a: number, b: number): void {
  while (a < b && (a & 7) !== 0) {
    out[a >> 3]! |= 1 << (a & 7);
    a++;
  }
  const whole = b & ~7;
  if (a < whole) {
    out.fill(0xff, a >> 3, whole >> 3);
    a = whole;
  }
  for (; a < b; a++) out[a >> 3]! |= 1 << (a & 7);
}

function asBigInt64(data: Int32Array): BigInt64Array {
  return new BigInt64Array(data.buffer, data.byteOffset, data.length / 2);
}

/**
 * The Arrow type of a column. A dictionary's id is written into IPC bytes; Arrow JS would
 * otherwise take it from a per-thread counter, so the same shard would encode differently
 * depending on what its worker encoded before. Callers pass the field's position.
 */
export function arrowType(dtype: DType, dictionaryId = 0): DataType {
  switch (dtype) {
    case 'float64':
      return new Float64();
    case 'float32':
      return new Float32();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'bool':
      return new Bool();
    case 'string':
      return new Dictionary(new Utf8(), new Int32(), dictionaryId);
  }
}

/** A nullable column's validity bitmap and null count (dropout targets, anomaly/kinds). */
function nulls(c: ValueColumn): { nullBitmap?: Uint8Array; nullCount?: number } {
  if (!c.valid) return {};
  return { nullBitmap: packRuns(c.valid), nullCount: c.valid.length - countOnes(c.valid) };
}

function valueData(c: ValueColumn, type: DataType, length: number): Data {
  const n = nulls(c);
  switch (c.dtype) {
    case 'int64':
      return makeData({ type: type as Int64, length, data: asBigInt64(c.data as Int32Array), ...n });
    case 'bool':
      return makeData({ type: type as Bool, length, data: packBits(c.data as Uint8Array), ...n });
    case 'string':
      return makeData({
        type: type as Dictionary<Utf8, Int32>,
        length,
        data: c.data as Int32Array,
        dictionary: vectorFromArray(c.categories ?? [], new Utf8()),
        ...n,
      });
    default:
      return makeData({ type: type as Float64, length, data: c.data as Float64Array, ...n });
  }
}

/** The dataset's Arrow schema: timestamp, the variables in declared order, then labels. */
export function datasetSchema(values: readonly Pick<ValueColumn, 'name' | 'dtype' | 'valid'>[], metadata?: Map<string, string>): Schema {
  return new Schema(
    [
      new Field('timestamp', new TimestampMillisecond('UTC'), false),
      ...values.map((v, j) => new Field(v.name, arrowType(v.dtype, j + 1), v.valid !== undefined)),
      new Field('is_anomaly', new Bool(), false),
      new Field('anomaly_id', new Int64(), true),
    ],
    metadata,
  );
}

export function shardTable(s: ColumnSet, metadata?: Map<string, string>): Table {
  const schema = datasetSchema(s.values, metadata);
  const length = s.rows;
  const anomalyBits = packRuns(s.isAnomaly);
  const anomalous = countOnes(s.isAnomaly.subarray(0, length));
  const fields = schema.fields;
  const children: Data[] = [
    makeData({ type: fields[0]!.type as TimestampMillisecond, length, data: asBigInt64(s.timestamp) }),
    ...s.values.map((v, j) => valueData(v, fields[j + 1]!.type as DataType, length)),
    makeData({ type: new Bool(), length, data: anomalyBits }),
    // A copy: Arrow JS's IPC writer miscounts the body when one buffer backs two columns.
    makeData({ type: new Int64(), length, data: asBigInt64(s.anomalyId), nullBitmap: anomalyBits.slice(), nullCount: length - anomalous }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, children, nullCount: 0 }));
  return new Table(schema, [batch]);
}
