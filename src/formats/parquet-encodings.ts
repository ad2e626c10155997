/**
 * Parquet value and level encodings used by the shard writer (parquet.ts): the RLE /
 * bit-packing hybrid (definition levels, dictionary indices) and DELTA_BINARY_PACKED
 * (timestamps). Plain encodings need no code: they are the little-endian bytes of the
 * column buffers themselves.
 */

/** A growable byte buffer, reused between pages. */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  varint(v: number): void {
    this.ensure(10);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  u32le(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Bits needed for values in [0, maxValue]. */
export function bitWidth(maxValue: number): number {
  let w = 0;
  while (maxValue >= 2 ** w) w++;
  return w;
}

/**
 * The RLE/bit-packing hybrid of `count` small unsigned values (`value(i)` < 2^width),
 * without a length prefix. Runs of ≥ 8 equal values become RLE runs, the rest bit-packed
 * groups of 8 (the last group zero-padded; readers stop at the page's value count).
 */
export function encodeHybrid(sink: ByteSink, values: Int32Array | Uint8Array, from: number, count: number, width: number): void {
  const end = from + count;
  const valueBytes = (width + 7) >> 3;
  const runAt = (i: number): number => {
    const v = values[i]!;
    let j = i + 1;
    while (j < end && values[j] === v) j++;
    return j - i;
  };
  let i = from;
  while (i < end) {
    const run = runAt(i);
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
    while (j < end && runAt(j) < 8) {
      groups++;
      j += 8;
    }
    sink.varint(groups * 2 + 1);
    sink.ensure(groups * width);
    let acc = 0;
    let bits = 0;
    const buf = sink.buf;
    let p = sink.pos;
    for (let k = i; k < i + groups * 8; k++) {
      const v = k < end ? values[k]! : 0;
      acc |= v << bits;
      bits += width;
      while (bits >= 8) {
        buf[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
      // width ≤ 24 keeps acc within 32 bits here (levels are 1 bit, indices ≤ 2^24).
    }
    sink.pos = p;
    i = Math.min(end, i + groups * 8);
  }
}

/** Bit-packs 8-value groups of one dictionary page's indices (width ≤ 24), no RLE runs. */
export function encodeBitPacked(sink: ByteSink, values: Int32Array, from: number, count: number, width: number): void {
  const groups = Math.ceil(count / 8);
  sink.varint(groups * 2 + 1);
  sink.ensure(groups * width);
  const buf = sink.buf;
  let p = sink.pos;
  let acc = 0;
  let bits = 0;
  const end = from + count;
  for (let k = from; k < from + groups * 8; k++) {
    acc |= (k < end ? values[k]! : 0) << bits;
    bits += width;
    while (bits >= 8) {
      buf[p++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  sink.pos = p;
}

const TWO32 = 4294967296;

/** The int64 at pair index i of a little-endian (lo, hi) Int32Array, exact below 2^53. */
function int64At(w: Int32Array, i: number): number {
  return w[2 * i + 1]! * TWO32 + (w[2 * i]! >>> 0);
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
  const deltas = new Float64Array(128);
  let prev = first;
  for (let b = from + 1; b < from + count; b += 128) {
    const n = Math.min(128, from + count - b);
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
      // 32 values of `width` bits, LSB first; doubles keep widths up to 53 exact.
      sink.ensure(4 * width);
      let acc = 0;
      let bits = 0;
      for (let k = m * 32; k < m * 32 + 32; k++) {
        let v = k < n ? deltas[k]! - min : 0;
        let vb = width;
        while (vb > 0) {
          const take = Math.min(8 - bits, vb);
          const part = v % 2 ** take;
          acc |= part << bits;
          bits += take;
          vb -= take;
          v = (v - part) / 2 ** take;
          if (bits === 8) {
            sink.buf[sink.pos++] = acc;
            acc = 0;
            bits = 0;
          }
        }
      }
    }
  }
  return true;
}
