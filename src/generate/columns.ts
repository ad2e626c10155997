/**
 * Column buffers: the typed arrays a shard is generated into. Int64 columns are held as
 * little-endian (lo, hi) Int32 pairs so generation needs no BigInt; the bytes are those of
 * a BigInt64Array and are handed to Arrow as such.
 */
import type { DType } from '../scenario/types.js';

export type ColumnData = Float64Array | Float32Array | Int32Array | Uint8Array;

export interface ValueColumn {
  name: string;
  dtype: DType;
  /** float64: Float64Array; float32: Float32Array; int32/string: Int32Array (string: dictionary index);
   *  int64: Int32Array of 2·rows (lo, hi); bool: Uint8Array of 0/1. */
  data: ColumnData;
  /** Dictionary of a string column. */
  categories: string[] | null;
}

const TWO32 = 4294967296;

/** Writes an integral double as a little-endian int64 at pair index i. */
export function putInt64(out: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  out[2 * i] = (v - hi * TWO32) | 0;
  out[2 * i + 1] = hi | 0;
}

/** Reads back an int64 written by putInt64 (exact for safe integers). */
export function getInt64(data: Int32Array, i: number): number {
  return data[2 * i + 1]! * TWO32 + (data[2 * i]! >>> 0);
}

export function allocColumn(dtype: DType, rows: number): ColumnData {
  switch (dtype) {
    case 'float64':
      return new Float64Array(rows);
    case 'float32':
      return new Float32Array(rows);
    case 'int32':
    case 'string':
      return new Int32Array(rows);
    case 'int64':
      return new Int32Array(2 * rows);
    case 'bool':
      return new Uint8Array(rows);
  }
}
