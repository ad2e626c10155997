/**
 * Noise components: iid per row, drawn at (seed, component stream, row, attempt 0, draw).
 * Normal noise is one inversion per row. Student-t uses Bailey's polar method (1994):
 * u, v uniform on (−1, 1), w = u² + v²; accept w ∈ (0, 1] and return
 * u·√(df·(w^(−2/df) − 1)/w), which is exactly t-distributed. A row retries with draws
 * (2k, 2k+1); the chance of a row needing more than the 128 pairs it has is 0.2146^128.
 */
import { fillRowUniforms, rowUniform, type SeedKey } from '../random/counter.js';
import { toStandardNormals } from '../distribution/standard-normals.js';

/** out[i] = sd·z for rows [from, from + count), z ~ N(0, 1). */
export function normalNoise(key: SeedKey, stream: number, from: number, count: number, sd: number, out: Float64Array): void {
  fillRowUniforms(key, stream, 0, 0, from, count, out);
  toStandardNormals(out, 0, count);
  for (let i = 0; i < count; i++) out[i] = sd * out[i]!;
}

function polarT(u: number, v: number, df: number): number | undefined {
  const x = 2 * u - 1;
  const y = 2 * v - 1;
  const w = x * x + y * y;
  if (!(w > 0 && w <= 1)) return undefined;
  return x * Math.sqrt((df * (Math.pow(w, -2 / df) - 1)) / w);
}

/** out[i] = scale·t for rows [from, from + count), t ~ Student-t(df). */
export function studentTNoise(key: SeedKey, stream: number, from: number, count: number, df: number, scale: number, out: Float64Array, tmp: Float64Array): void {
  fillRowUniforms(key, stream, 0, 0, from, count, out);
  fillRowUniforms(key, stream, 0, 1, from, count, tmp);
  for (let i = 0; i < count; i++) {
    let t = polarT(out[i]!, tmp[i]!, df);
    for (let k = 1; t === undefined && k < 128; k++) {
      const row = from + i;
      t = polarT(rowUniform(key, stream, row, 0, 2 * k), rowUniform(key, stream, row, 0, 2 * k + 1), df);
    }
    out[i] = scale * (t ?? 0);
  }
}
