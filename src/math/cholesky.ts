/**
 * The lower-triangular factor L of a symmetric positive semi-definite matrix (A = L·Lᵀ),
 * by the plain Cholesky–Banachiewicz order. A singular matrix (a variable that is an exact
 * combination of earlier ones) has a zero pivot: that column of L is left zero, which is
 * still a factor because a PSD matrix's residual column vanishes with its pivot.
 * The caller checks positive semi-definiteness first (math/eigen.ts).
 */

/** Pivots at or below this fraction of the diagonal's scale count as zero. */
const ZERO_PIVOT = 1e-12;

/** L (row-major, n×n, zero above the diagonal) of the symmetric PSD n×n matrix `a`. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i * n + i]!));
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (d <= ZERO_PIVOT * scale) continue;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}
