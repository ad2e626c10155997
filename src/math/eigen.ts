/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: plain
 * doubles, a fixed sweep order, so the latent statistics a model saves are the same on
 * every machine. Latent dimensions are a few dozen at most, where Jacobi is exact enough
 * (off-diagonal mass below 1e-22 of the total) and fast.
 */

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: number[];
  /** vectors[i] is the unit eigenvector of values[i]; its largest-magnitude entry is positive. */
  vectors: number[][];
}

/** Eigenvalues and eigenvectors of the symmetric n×n matrix `a` (row-major). */
export function symmetricEigen(a: Float64Array, n: number): Eigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i]! * m[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= 1e-22 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y]! - m[x * n + x]! || x - y);
  const values = order.map((i) => m[i * n + i]!);
  const vectors = order.map((j) => {
    const col = Array.from({ length: n }, (_, k) => v[k * n + j]!);
    let big = 0;
    for (const x of col) if (Math.abs(x) > Math.abs(big)) big = x;
    return big < 0 ? col.map((x) => -x) : col;
  });
  return { values, vectors };
}
