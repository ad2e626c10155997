/**
 * How a page carries arrays of numbers: base64 of their float64 bytes (exact, and NaN for
 * a missing value); and, for a wide report whose overview would not fit its byte budget
 * as float64, packed: row numbers as LEB128 differences and values as float32.
 */

/** Base64 of a Float64Array's bytes (little-endian, as every supported platform is). */
export function f64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Bytes of the LEB128 form of a whole number ≥ 0 (7 bits a byte). */
export function leb128Length(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Base64 of the LEB128 differences of increasing whole row numbers (the first from 0): an
 * M4 overview's points lie a few rows apart, so most take one or two bytes, not eight.
 * Arithmetic, not bit operations, so rows up to 2^53 survive.
 */
export function rowDeltas(rows: Float64Array): string {
  const out: number[] = [];
  let prev = 0;
  for (const r of rows) {
    let d = r - prev;
    if (!(d >= 0) || !Number.isInteger(d)) throw new Error(`row numbers must be whole and increasing (${prev} then ${r})`);
    prev = r;
    while (d >= 128) {
      out.push((d % 128) | 128);
      d = Math.floor(d / 128);
    }
    out.push(d);
  }
  return Buffer.from(out).toString('base64');
}

/**
 * Values as float32, with how to read them back: value = offset + f32 × scale. When every
 * value survives float32 (float32 and int32 columns, counts), offset 0 and scale 1 and the
 * values are exact. Otherwise each is stored relative to the middle of the finite values'
 * range, divided by the power of two at or above half the range: float32 then keeps each
 * within 1/16,000,000 of the range, where a float32 of the value itself would lose
 * a series such as 10^15 + a wave of 10^5 (and overflow past 3.4·10^38). NaN and ±Infinity
 * are kept as they are.
 */
export function f32Relative(a: Float64Array): { y: string; offset: number; scale: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let exact = true;
  for (const v of a) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (exact && Math.fround(v) !== v && v === v) exact = false;
  }
  let offset = 0;
  let scale = 1;
  if (!exact) {
    offset = lo / 2 + hi / 2;
    const half = Math.max(hi - offset, offset - lo);
    scale = half > 0 ? 2 ** Math.min(1023, Math.max(-1074, Math.ceil(Math.log2(half)))) : 1;
  }
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    out[i] = exact || !Number.isFinite(v) ? v : (v - offset) / scale;
  }
  return { y: Buffer.from(out.buffer).toString('base64'), offset, scale };
}
