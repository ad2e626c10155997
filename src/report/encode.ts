/** How a page carries arrays of numbers: base64 of their float64 bytes (exact, and NaN for a missing value). */

/** Base64 of a Float64Array's bytes (little-endian, as every supported platform is). */
export function f64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
