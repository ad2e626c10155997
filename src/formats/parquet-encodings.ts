/**
 * Parquet value and level encodings used by the shard writer (parquet.ts): the RLE /
 * bit-packing hybrid (definition levels, dictionary indices), DELTA_BINARY_PACKED
 * (timestamps) and PLAIN byte arrays (strings). Other plain encodings need no code: they
 * are the little-endian bytes of the column buffers themselves.
 */
import type { ByteSink } from './byte-sink.js';

const TWO32 = 4294967296;


/** Bits needed for values in [0, maxValue] (a whole number below 2^53). */
export function bitWidth(maxValue: number): number {
  // Counted from the leading zeros of the high and low 32-bit words: once per miniblock.
  return maxValue < TWO32 ? 32 - Math.clz32(maxValue) : 64 - Math.clz32(Math.floor(maxValue / TWO32));
}

/**
 * Bit-packs values [from, to) at `width` bits each into buf at p, zeros up to `padTo`;
 * returns the new p. (The loops of encodeHybrid are functions of their own, compiled alone.)
 */
function bitPack(values: Int32Array | Uint8Array, from: number, to: number, padTo: number, width: number, buf: Uint8Array, p: number): number {
  let acc = 0;
  let bits = 0;
  for (let k = from; k < padTo; k++) {
    const v = k < to ? values[k]! : 0;
    acc |= v << bits;
    bits += width;
    while (bits >= 8) {
      buf[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
    // width ≤ 24 keeps acc within 32 bits here (levels are 1 bit, indices ≤ 2^24).
  }
  return p;
}

/** Length of the run of equal values starting at i (before end); values below 2^width. */
function runAt(values: Int32Array | Uint8Array, i: number, end: number, width: number): number {
  const v = values[i]!;
  // One-bit values (definition levels): the run ends at the other value, found by indexOf
  // at once, where a shard's first, unoptimized code would step through it row by row.
  if (width === 1) {
    const j = values.indexOf(v ^ 1, i + 1);
    return (j < 0 || j > end ? end : j) - i;
  }
  let j = i + 1;
  while (j < end && values[j] === v) j++;
  return j - i;
}

/**
 * The RLE/bit-packing hybrid of `count` small unsigned values (`value(i)` < 2^width),
 * without a length prefix. Runs of ≥ 8 equal values become RLE runs, the rest bit-packed
 * groups of 8 (the last group zero-padded; readers stop at the page's value count).
 */
export function encodeHybrid(sink: ByteSink, values: Int32Array | Uint8Array, from: number, count: number, width: number): void {
  const end = from + count;
  const valueBytes = (width + 7) >> 3;
  let i = from;
  while (i < end) {
    const run = runAt(values, i, end, width);
    if (run >= 8 || width === 0) {
      const len = width === 0 ? end - i : run;
      sink.varint(len * 2);
      const v = values[i]!;
      sink.ensure(valueBytes);
      for (let b = 0; b < valueBytes; b++) sink.buf[sink.pos++] = (v >>> (8 * b)) & 0xff;
      i += len;
      continue;
    }
    // Bit-packed groups of 8 until a group boundary where a long run starts.
    let groups = 1;
    let j = i + 8;
    while (j < end && runAt(values, j, end, width) < 8) {
      groups++;
      j += 8;
    }
    sink.varint(groups * 2 + 1);
    sink.ensure(groups * width);
    sink.pos = bitPack(values, i, Math.min(end, i + groups * 8), i + groups * 8, width, sink.buf, sink.pos);
    i = Math.min(end, i + groups * 8);
  }
}

/** The int64 at pair index i of a little-endian (lo, hi) Int32Array, exact below 2^53. */
function int64At(w: Int32Array, i: number): number {
  return w[2 * i + 1]! * TWO32 + (w[2 * i]! >>> 0);
}

/**
 * One miniblock of DELTA_BINARY_PACKED: the 32 values deltas[k0..k0+32) − min (zero past
 * n) at `width` bits each, LSB first, into buf at p; returns the new p. Values go in chunks
 * of at most 16 bits taken with 32-bit masks (exact: a value is below 2^53), so a wide
 * miniblock — a fleet's timestamps jump back at every entity — costs a few integer steps
 * a value, not one division per byte.
 */
function packMiniblock(deltas: Float64Array, min: number, k0: number, n: number, width: number, buf: Uint8Array, p: number): number {
  let acc = 0;
  let bits = 0;
  for (let k = k0; k < k0 + 32; k++) {
    let v = k < n ? deltas[k]! - min : 0;
    let left = width;
    while (left > 0) {
      const take = left < 16 ? left : 16;
      const part = (v >>> 0) & ((1 << take) - 1);
      // bits < 8 here, so the accumulator holds at most 23 bits.
      acc |= part << bits;
      bits += take;
      left -= take;
      if (left > 0) v = (v - part) / (1 << take);
      while (bits >= 8) {
        buf[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  }
  // 32 values × width bits is a whole number of bytes: nothing is left in acc.
  return p;
}

/**
 * Whether the int64 (lo, hi) pairs of rows [from, from+count) step by one constant delta
 * (modulo 2^64), checked in int32 arithmetic only: a regular timeline's timestamps.
 */
function constantDelta(w: Int32Array, from: number, count: number): boolean {
  const dLo = (w[2 * from + 2]! - w[2 * from]!) | 0;
  const dHi = (w[2 * from + 3]! - w[2 * from + 1]! - borrow(w[2 * from + 2]!, w[2 * from]!)) | 0;
  for (let i = from + 2; i < from + count; i++) {
    const lo = w[2 * i]!;
    const prevLo = w[2 * i - 2]!;
    if (((lo - prevLo) | 0) !== dLo || ((w[2 * i + 1]! - w[2 * i - 1]! - borrow(lo, prevLo)) | 0) !== dHi) return false;
  }
  return true;
}

/** 1 when the unsigned low word `lo` is below `prevLo` (their difference borrows from the high word). */
function borrow(lo: number, prevLo: number): number {
  return (lo ^ 0x80000000) < (prevLo ^ 0x80000000) ? 1 : 0;
}

/**
 * The blocks of `deltas` equal deltas `d` (exact): each block's minimum delta is `d`, so
 * every miniblock has bit width 0 and no packed bits — what the general loop writes then.
 */
function deltaBlocksOfConstant(sink: ByteSink, d: number, deltas: number): void {
  for (let b = 0; b < deltas; b += 128) {
    sink.varint(d >= 0 ? 2 * d : -2 * d - 1);
    sink.ensure(4);
    for (let m = 0; m < 4; m++) sink.buf[sink.pos++] = 0;
  }
}

/**
 * DELTA_BINARY_PACKED of int64 values given as (lo, hi) pairs, rows [from, from+count):
 * blocks of 128 values in 4 miniblocks of 32. Returns false (nothing written) when a value
 * or a delta leaves the range where doubles are exact; the caller then writes PLAIN.
 */
export function encodeDeltaInt64(sink: ByteSink, w: Int32Array, from: number, count: number): boolean {
  const start = sink.pos;
  const first = int64At(w, from);
  if (!Number.isSafeInteger(first)) return false;
  sink.varint(128);
  sink.varint(4);
  sink.varint(count);
  sink.varint(first >= 0 ? 2 * first : -2 * first - 1);
  if (count > 1 && constantDelta(w, from, count)) {
    // Exact: with the last value first + (count − 1)·d below 2^53, every value between is
    // too, none wrapped around 2^64, and each delta is d — as the general loop finds them.
    const d = int64At(w, from + 1) - first;
    const last = first + (count - 1) * d;
    if (Number.isSafeInteger(d) && Number.isSafeInteger(last) && last === int64At(w, from + count - 1)) {
      deltaBlocksOfConstant(sink, d, count - 1);
      return true;
    }
  }
  const deltas = new Float64Array(128);
  let prev = first;
  for (let b = from + 1; b < from + count; b += 128) {
    const n = Math.min(128, from + count - b);
    // A block of one delta (a fleet's timestamps step regularly between entities) is what
    // the loop below writes for it — minimum d, every miniblock of width 0 — written at once.
    const d = constantDelta(w, b - 1, n + 1) ? int64At(w, b) - prev : NaN;
    if (Number.isSafeInteger(d) && Number.isSafeInteger(prev + n * d) && prev + n * d === int64At(w, b + n - 1)) {
      deltaBlocksOfConstant(sink, d, n);
      prev += n * d;
      continue;
    }
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      const v = int64At(w, b + k);
      const d = v - prev;
      if (!Number.isSafeInteger(v) || !Number.isSafeInteger(d)) {
        sink.pos = start;
        return false;
      }
      deltas[k] = d;
      prev = v;
      if (d < min) min = d;
    }
    sink.varint(min >= 0 ? 2 * min : -2 * min - 1);
    const widths = [0, 0, 0, 0];
    for (let m = 0; m < 4; m++) {
      let max = 0;
      for (let k = m * 32; k < Math.min(n, m * 32 + 32); k++) max = Math.max(max, deltas[k]! - min);
      if (!Number.isSafeInteger(max)) {
        sink.pos = start;
        return false;
      }
      widths[m] = bitWidth(max);
    }
    sink.ensure(4);
    for (let m = 0; m < 4; m++) sink.buf[sink.pos++] = m * 32 < n ? widths[m]! : 0;
    for (let m = 0; m < 4 && m * 32 < n; m++) {
      const width = widths[m]!;
      if (width === 0) continue;
      sink.ensure(4 * width);
      sink.pos = packMiniblock(deltas, min, m * 32, n, width, sink.buf, sink.pos);
    }
  }
  return true;
}

/**
 * PLAIN BYTE_ARRAY values of rows [from, from+count): each present row's bytes (from
 * `offsets` into `bytes`, Arrow's layout) after their u32 length. `present(i)` says
 * whether row from+i has a value (nulls have none in a page).
 */
export function encodePlainByteArrays(sink: ByteSink, offsets: Int32Array, bytes: Uint8Array, from: number, count: number, present: (i: number) => boolean): void {
  for (let i = 0; i < count; i++) {
    if (!present(i)) continue;
    const a = offsets[from + i]!;
    const n = offsets[from + i + 1]! - a;
    sink.u32le(n);
    sink.ensure(n);
    sink.buf.set(bytes.subarray(a, a + n), sink.pos);
    sink.pos += n;
  }
}
