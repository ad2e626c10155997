/**
 * `correlations`: named groups of variables drawn jointly. Each group lists its members
 * (in matrix order) and a correlation matrix, or a covariance matrix with optional means.
 * The matrix is checked here — square, symmetric, a valid correlation (unit diagonal,
 * entries in [−1, 1]) or covariance (positive diagonal), positive semi-definite by its
 * smallest eigenvalue — and factored once (math/cholesky.ts); each member gets its row of
 * the factor and its predecessors' streams (model/types.ts `CorrelationLink`).
 *
 * Members are `type: correlated` variables (their marginal applied to the group's score;
 * in a covariance group the marginal is the normal the matrix and `mean` give) and
 * processes, whose one normal noise component takes its draws from the group.
 */
import { Checker, checkNameList, describe, join, noSuchVariable } from '../model/checker.js';
import type { GroupEntry, VariableEntry } from './correlated-entries.js';
import { symmetricEigen } from '../math/eigen.js';
import { cholesky } from '../math/cholesky.js';
import type { CorrelatedVariable, CorrelationGroup, ProcessVariable, Variable } from '../model/types.js';
import { componentStream } from '../variables/process.js';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Asymmetry tolerated from decimal rounding, relative to the entries' size. */
const SYMMETRY_TOLERANCE = 1e-9;
/** Negative eigenvalues tolerated from rounding, relative to the largest. */
const PSD_TOLERANCE = 1e-10;

function checkMatrix(c: Checker, raw: unknown, path: string, n: number): Float64Array | undefined {
  if (!Array.isArray(raw) || raw.length !== n) return c.fail(path, `expected a ${n}×${n} matrix (a list of ${n} rows, one per variable), got ${describe(raw)}`);
  const a = new Float64Array(n * n);
  let ok = true;
  raw.forEach((row: unknown, i) => {
    const p = join(path, i);
    if (!Array.isArray(row) || row.length !== n) return void (ok = c.fail(p, `expected a row of ${n} numbers, got ${describe(row)}`) ?? false);
    row.forEach((x: unknown, j) => {
      const v = c.number(x, join(p, j));
      if (v === undefined) ok = false;
      else a[i * n + j] = v;
    });
  });
  if (!ok) return undefined;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = a[i * n + j]!;
      const y = a[j * n + i]!;
      if (Math.abs(x - y) > SYMMETRY_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) return c.fail(join(join(path, i), j), `is ${x} but [${j}][${i}] is ${y}: the matrix must be symmetric`);
    }
  }
  return a;
}

function matrixRows(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}

/** The normal noise components of a process: the one a group links must be unique. */
function normalNoiseComponents(v: ProcessVariable): number[] {
  return v.components.flatMap((comp, i) => (comp.type === 'noise' && comp.dist === 'normal' ? [i] : []));
}

/**
 * Checks the correlation groups (correlated-entries.ts) against the validated variables,
 * links every member (mutating the variables validation just built) and returns the
 * resolved groups, or undefined when the scenario has none. `rawVariables`: each variable
 * entry as written (which members gave their own marginal).
 */
export function resolveCorrelations(c: Checker, entries: readonly GroupEntry[], variables: Variable[], declared: readonly string[], rawVariables: ReadonlyMap<string, VariableEntry>): CorrelationGroup[] | undefined {
  const grouped = new Map<string, string>();
  const groups: CorrelationGroup[] = [];
  const names = new Set<string>();
  // Every variable a group lists, valid or not: a member of a group refused for another
  // reason is not reported again as in no group.
  const listed = new Set<string>();
  for (const { name, raw: g, path } of entries) {
    if (!NAME_RE.test(name)) {
      c.fail(path, 'group names must start with an ASCII letter (A–Z, a–z) or _ and hold only those, digits and _');
      continue;
    }
    if (names.has(name)) {
      c.fail(path, `a correlation group '${name}' is declared twice; rename one of them`);
      continue;
    }
    names.add(name);
    c.keys(g, path, ['type', 'description', 'variables', 'correlation', 'covariance', 'mean']);
    const members0 = checkNameList(c, g['variables'], join(path, 'variables'));
    if (!members0) continue;
    const memberNames = members0;
    for (const m of memberNames) listed.add(m);
    if (memberNames.length < 2) {
      c.fail(join(path, 'variables'), `expected at least two variables to correlate, got ${memberNames.length}`);
      continue;
    }
    let ok = true;
    const members: Variable[] = [];
    memberNames.forEach((vn, i) => {
      const p = join(join(path, 'variables'), i);
      const v = variables.find((x) => x.name === vn);
      if (memberNames.indexOf(vn) !== i) return void (ok = c.fail(p, `'${vn}' is listed twice`) ?? false);
      const other = grouped.get(vn);
      if (other !== undefined) return void (ok = c.fail(p, `'${vn}' is already in group '${other}'; a variable belongs to one group`) ?? false);
      if (!v) return void (ok = (declared.includes(vn) ? undefined : c.fail(p, noSuchVariable(vn, declared))) ?? false);
      if (v.type === 'process') {
        const noise = normalNoiseComponents(v);
        if (noise.length !== 1) return void (ok = c.fail(p, `process '${vn}' has ${noise.length} normal noise components; a group correlates exactly one (its { type: noise, sd } component)`) ?? false);
      } else if (v.type !== 'correlated') {
        return void (ok = c.fail(p, `'${vn}' is a ${v.type} variable; a group holds 'type: correlated' variables and processes (their normal noise)`) ?? false);
      }
      grouped.set(vn, name);
      members.push(v);
    });
    const hasCorr = g['correlation'] !== undefined;
    if (hasCorr === (g['covariance'] !== undefined)) {
      c.fail(path, "give 'correlation' (a matrix with a unit diagonal) or 'covariance' (with optional 'mean'), not both");
      continue;
    }
    if (hasCorr && g['mean'] !== undefined) {
      c.fail(join(path, 'mean'), "'mean' goes with 'covariance'; with 'correlation' each variable gives its own marginal");
      continue;
    }
    const n = memberNames.length;
    const mpath = join(path, hasCorr ? 'correlation' : 'covariance');
    const a = checkMatrix(c, g[hasCorr ? 'correlation' : 'covariance'], mpath, n);
    if (!a || !ok) continue;
    const sd = new Float64Array(n).fill(1);
    let valid = true;
    for (let i = 0; i < n && valid; i++) {
      const d = a[i * n + i]!;
      if (hasCorr && Math.abs(d - 1) > 1e-12) valid = c.fail(join(join(mpath, i), i), `a correlation matrix has 1 on its diagonal, got ${d}`) ?? false;
      else if (!hasCorr && !(d > 0)) valid = c.fail(join(join(mpath, i), i), `a variance must be > 0 (a variable with none is a constant), got ${d}`) ?? false;
      for (let j = 0; j < n && valid && hasCorr; j++) {
        const x = a[i * n + j]!;
        if (Math.abs(x) > 1) valid = c.fail(join(join(mpath, i), j), `a correlation lies in [−1, 1], got ${x}`) ?? false;
      }
      sd[i] = Math.sqrt(d);
    }
    if (!valid) continue;
    const eig = symmetricEigen(a, n).values;
    const smallest = eig[eig.length - 1]!;
    if (smallest < -PSD_TOLERANCE * Math.max(1, eig[0]!)) {
      c.fail(mpath, `is not positive semi-definite: its smallest eigenvalue is ${smallest.toPrecision(6)} (eigenvalues ${eig.map((x) => x.toPrecision(4)).join(', ')}); no variables can have these ${hasCorr ? 'correlations' : 'covariances'} — weaken the off-diagonal entries`);
      continue;
    }
    let mean: number[] = new Array<number>(n).fill(0);
    if (g['mean'] !== undefined) {
      const m = g['mean'];
      if (!Array.isArray(m) || m.length !== n) {
        c.fail(join(path, 'mean'), `expected a list of ${n} means, one per variable, got ${describe(m)}`);
        continue;
      }
      const nums = m.map((x: unknown, i) => c.number(x, join(join(path, 'mean'), i)));
      if (nums.some((x) => x === undefined)) continue;
      mean = nums as number[];
    }
    // The correlation of the scores: a covariance scaled by its standard deviations.
    const r = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r[i * n + j] = i === j ? 1 : a[i * n + j]! / (sd[i]! * sd[j]!);
    const l = cholesky(r, n);
    const streams = members.map((v) => (v.type === 'process' ? componentStream(v.name, normalNoiseComponents(v)[0]!) : v.stream));
    members.forEach((v, i) => {
      // Rows of a singular factor are rescaled to unit length, so every score stays N(0, 1).
      let norm = 0;
      for (let k = 0; k <= i; k++) norm += l[i * n + k]! ** 2;
      const factor = Array.from(l.subarray(i * n, i * n + i + 1), (x) => x / Math.sqrt(norm));
      const link = { group: name, index: i, factor, streams: streams.slice(0, i + 1) };
      if (v.type === 'process') {
        const at = normalNoiseComponents(v)[0]!;
        v.components[at] = { ...(v.components[at] as Extract<ProcessVariable['components'][number], { dist: 'normal' }>), link };
        if (!hasCorr) c.fail(join(join(path, 'variables'), i), `process '${v.name}' takes its noise sd from its component; put it in a group with 'correlation', not 'covariance'`);
        return;
      }
      const cv = v as CorrelatedVariable;
      cv.link = link;
      if (!hasCorr) {
        const entry = rawVariables.get(v.name);
        if ((entry?.raw as Record<string, unknown> | undefined)?.['marginal'] !== undefined) c.fail(join(entry!.path, 'marginal'), `'${v.name}' is in covariance group '${name}', whose matrix and 'mean' fix its normal marginal; remove 'marginal'`);
        cv.marginal = { dist: 'normal', mean: mean[i]!, sd: sd[i]! };
      }
    });
    groups.push({ name, variables: memberNames, correlation: matrixRows(r, n), minEigenvalue: smallest });
  }
  for (const v of variables) {
    if (v.type === 'correlated' && !grouped.has(v.name) && !listed.has(v.name)) c.fail(join('variables', v.name), `'${v.name}' is a correlated variable in no group; list it in a group of 'correlations' (with the variables it correlates with and their matrix)`);
  }
  return groups.length > 0 ? groups : undefined;
}
