/**
 * Correlated variables (`correlations` groups): sample correlations match the matrix within
 * a tolerance from the sample size, marginals are the declared ones, singular matrices
 * work, bad matrices are refused with the smallest eigenvalue named, and D2/D3 hold.
 */
import { describe, expect, it } from 'vitest';
import { generateShard } from '../src/generate/shard.js';
import { ScenarioError } from '../src/errors.js';
import { normalCdf } from '../src/math/normal-cdf.js';
import type { ShardColumns } from '../src/generate/shard.js';
import { scenarioFrom } from './helpers.js';
import { fisherTolerance, pearson, spearman } from './stats-helpers.js';

const N = 100_000;
const R = [
  [1, 0.8, -0.4],
  [0.8, 1, -0.2],
  [-0.4, -0.2, 1],
];

const PLANT = {
  name: 'corr-test',
  seed: 7,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: N },
  correlations: { plant: { variables: ['temp', 'pressure', 'flow'], correlation: R } },
  variables: {
    temp: { type: 'correlated', marginal: { dist: 'normal', mean: 60, sd: 4 } },
    pressure: { type: 'correlated', marginal: { dist: 'normal', mean: 2, sd: 0.25 } },
    flow: { type: 'correlated', dtype: 'float32', marginal: { dist: 'normal', mean: 10, sd: 1 } },
    other: { normal: { dist: 'normal', mean: 0, sd: 1 } },
  },
};

const col = (s: ShardColumns, name: string) => Array.from(s.values.find((v) => v.name === name)!.data as Float64Array);

function issuesOf(doc: unknown): Array<{ path: string; message: string }> {
  try {
    scenarioFrom(doc);
  } catch (err) {
    if (err instanceof ScenarioError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

describe('correlated groups', () => {
  const s = scenarioFrom(PLANT);
  const shard = generateShard(s, 0, N);
  const names = ['temp', 'pressure', 'flow'];

  it('draws columns whose sample correlations match the matrix (Fisher z within 4/√(n−3))', () => {
    const tol = fisherTolerance(N);
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const r = pearson(col(shard, names[i]!), col(shard, names[j]!));
        expect(Math.abs(Math.atanh(r) - Math.atanh(R[i]![j]!)), `${names[i]}~${names[j]}: r = ${r}`).toBeLessThan(tol);
      }
      // A variable outside the group stays uncorrelated with it.
      expect(Math.abs(Math.atanh(pearson(col(shard, names[i]!), col(shard, 'other'))))).toBeLessThan(tol);
    }
  });

  it('keeps each declared marginal (mean and sd within 4 standard errors)', () => {
    const want = [[60, 4], [2, 0.25], [10, 1]] as const;
    names.forEach((n, i) => {
      const x = col(shard, n);
      const mean = x.reduce((a, b) => a + b, 0) / N;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
      const [m, sigma] = want[i]!;
      expect(Math.abs(mean - m)).toBeLessThan((4 * sigma) / Math.sqrt(N));
      expect(Math.abs(sd / sigma - 1)).toBeLessThan(4 / Math.sqrt(2 * N));
    });
  });

  it('gives the same bytes for any split of the rows and keeps the prefix when the timeline grows (D2, D3)', () => {
    const parts = [0, 1, 777, 65_537, 70_001, N].slice(1).map((end, i, a) => generateShard(s, i === 0 ? 0 : a[i - 1]!, end));
    for (const n of names) expect(parts.flatMap((p) => col(p, n))).toEqual(col(shard, n));
    const grown = generateShard(scenarioFrom({ ...PLANT, timeline: { ...PLANT.timeline, rows: 3 * N } }), 0, N);
    for (const n of names) expect(col(grown, n)).toEqual(col(shard, n));
  });

  it('applies copula marginals: uniform and exponential through Φ, with Spearman ρ = (6/π)·asin(ρ/2)', () => {
    const doc = {
      ...PLANT,
      correlations: { g: { variables: ['u', 'e', 'l'], correlation: [[1, 0.7, 0.5], [0.7, 1, 0.3], [0.5, 0.3, 1]] } },
      variables: {
        u: { type: 'correlated', marginal: { dist: 'uniform', min: -1, max: 3 } },
        e: { type: 'correlated', marginal: { dist: 'exponential', rate: 2 } },
        l: { type: 'correlated', marginal: { dist: 'lognormal', mu: 0, sigma: 0.5 } },
      },
    };
    const c = generateShard(scenarioFrom(doc), 0, 20_000);
    const u = col(c, 'u');
    const e = col(c, 'e');
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThanOrEqual(3);
    expect(Math.min(...e)).toBeGreaterThan(0);
    // Exponential(2): mean 0.5; uniform(−1, 3): mean 1.
    expect(Math.abs(e.reduce((a, b) => a + b, 0) / e.length - 0.5)).toBeLessThan(4 * 0.5 / Math.sqrt(e.length));
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 1)).toBeLessThan((4 * 4) / Math.sqrt(12 * u.length));
    const want = (rho: number) => (6 / Math.PI) * Math.asin(rho / 2);
    // Spearman's ρ of n rows has sd about 1/√(n−1); 5 of them is a loose, never-flaky bound.
    expect(Math.abs(spearman(u, e) - want(0.7))).toBeLessThan(5 / Math.sqrt(u.length - 1));
    expect(Math.abs(spearman(u, col(c, 'l')) - want(0.5))).toBeLessThan(5 / Math.sqrt(u.length - 1));
  });

  it('handles a singular matrix: a member that is a copy of another is equal to it on every row', () => {
    const doc = {
      ...PLANT,
      correlations: { g: { variables: ['a', 'b', 'c'], correlation: [[1, 1, 0.5], [1, 1, 0.5], [0.5, 0.5, 1]] } },
      variables: {
        a: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
        b: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
        c: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
      },
    };
    const sc = scenarioFrom(doc);
    expect(sc.correlations![0]!.minEigenvalue).toBeCloseTo(0, 12);
    const c = generateShard(sc, 0, 20_000);
    expect(col(c, 'b')).toEqual(col(c, 'a'));
    expect(Math.abs(Math.atanh(pearson(col(c, 'a'), col(c, 'c'))) - Math.atanh(0.5))).toBeLessThan(fisherTolerance(20_000));
  });

  it('takes a covariance matrix and means: normal marginals with sd √Σᵢᵢ', () => {
    const doc = {
      ...PLANT,
      correlations: { g: { variables: ['a', 'b'], covariance: [[4, -1.2], [-1.2, 0.81]], mean: [10, -3] } },
      variables: { a: { type: 'correlated' }, b: { type: 'correlated', dtype: 'float32' } },
    };
    const sc = scenarioFrom(doc);
    expect(sc.variables.map((v) => (v.type === 'correlated' ? v.marginal : null))).toEqual([
      { dist: 'normal', mean: 10, sd: 2 },
      { dist: 'normal', mean: -3, sd: 0.9 },
    ]);
    const c = generateShard(sc, 0, N);
    expect(Math.abs(Math.atanh(pearson(col(c, 'a'), col(c, 'b'))) - Math.atanh(-1.2 / (2 * 0.9)))).toBeLessThan(fisherTolerance(N));
  });

  it('correlates the normal noise of processes linked to a group', () => {
    const doc = {
      ...PLANT,
      correlations: { lines: { variables: ['line_a', 'line_b', 'temp'], correlation: [[1, 0.9, 0.5], [0.9, 1, 0.4], [0.5, 0.4, 1]] } },
      variables: {
        line_a: { type: 'process', components: [{ type: 'sine', period: 1000, amplitude: 3 }, { type: 'noise', sd: 0.5 }] },
        line_b: { type: 'process', components: [{ type: 'constant', value: 7 }, { type: 'noise', sd: 2 }] },
        temp: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
      },
    };
    const c = generateShard(scenarioFrom(doc), 0, N);
    const a = col(c, 'line_a').map((x, i) => (x - 3 * Math.sin((2 * Math.PI * i) / 1000)) / 0.5);
    const b = col(c, 'line_b').map((x) => (x - 7) / 2);
    const tol = fisherTolerance(N);
    expect(Math.abs(Math.atanh(pearson(a, b)) - Math.atanh(0.9))).toBeLessThan(tol);
    expect(Math.abs(Math.atanh(pearson(a, col(c, 'temp'))) - Math.atanh(0.5))).toBeLessThan(tol);
    expect(Math.abs(Math.atanh(pearson(b, col(c, 'temp'))) - Math.atanh(0.4))).toBeLessThan(tol);
  });
});

describe('a group written as one variable', () => {
  it('declares its members as columns, in its place, with the same values as the correlations form', () => {
    const inline = scenarioFrom({
      ...PLANT,
      correlations: undefined,
      variables: {
        first: { normal: { dist: 'normal', mean: 0, sd: 1 } },
        plant: {
          type: 'correlated',
          correlation: R,
          variables: { temp: { dist: 'normal', mean: 60, sd: 4 }, pressure: { dist: 'normal', mean: 2, sd: 0.25 }, flow: { dtype: 'float32', marginal: { dist: 'normal', mean: 10, sd: 1 } } },
        },
        other: { normal: { dist: 'normal', mean: 0, sd: 1 } },
      },
    });
    expect(inline.variables.map((v) => v.name)).toEqual(['first', 'temp', 'pressure', 'flow', 'other']);
    const a = generateShard(inline, 0, 5000);
    const b = generateShard(scenarioFrom(PLANT), 0, 5000);
    for (const n of ['temp', 'pressure', 'flow', 'other']) expect(col(a, n)).toEqual(col(b, n));
  });

  it('takes a list of members with a covariance, and names the entry in its errors', () => {
    const s = scenarioFrom({ ...PLANT, correlations: undefined, variables: { g: { type: 'correlated', covariance: [[4, 1], [1, 1]], mean: [1, 2], variables: ['x', 'y'] } } });
    expect(s.variables.map((v) => (v.type === 'correlated' ? [v.name, v.marginal] : null))).toEqual([['x', { dist: 'normal', mean: 1, sd: 2 }], ['y', { dist: 'normal', mean: 2, sd: 1 }]]);
    const bad = issuesOf({ ...PLANT, correlations: undefined, variables: { g: { type: 'correlated', correlation: [[1, 2], [2, 1]], variables: ['x', 'y'] } } });
    expect(bad[0]).toMatchObject({ path: 'variables.g.correlation[0][1]' });
  });
});

describe('matrix errors', () => {
  const withMatrix = (m: unknown, key = 'correlation') => ({ ...PLANT, correlations: { plant: { variables: ['temp', 'pressure', 'flow'], [key]: m } } });

  it('refuses a matrix that is not positive semi-definite, naming its smallest eigenvalue', () => {
    // Equicorrelation r: eigenvalues 1 + 2r (once) and 1 − r (twice); r = −0.6 gives −0.2.
    const r = -0.6;
    const issues = issuesOf(withMatrix([[1, r, r], [r, 1, r], [r, r, 1]]));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('correlations.plant.correlation');
    expect(issues[0]!.message).toContain('not positive semi-definite');
    expect(issues[0]!.message).toContain(`smallest eigenvalue is ${(1 + 2 * r).toPrecision(6)}`);
  });

  it('refuses an asymmetric matrix, a bad diagonal, an entry out of [−1, 1], a wrong size, and a negative variance', () => {
    expect(issuesOf(withMatrix([[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]]))[0]).toMatchObject({ path: 'correlations.plant.correlation[0][1]', message: expect.stringContaining('symmetric') });
    expect(issuesOf(withMatrix([[1, 0, 0], [0, 2, 0], [0, 0, 1]]))[0]).toMatchObject({ path: 'correlations.plant.correlation[1][1]' });
    expect(issuesOf(withMatrix([[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]]))[0]).toMatchObject({ path: 'correlations.plant.correlation[0][1]', message: expect.stringContaining('[−1, 1]') });
    expect(issuesOf(withMatrix([[1, 0], [0, 1]]))[0]).toMatchObject({ path: 'correlations.plant.correlation', message: expect.stringContaining('3×3') });
    expect(issuesOf(withMatrix([[1, 0, 0], [0, -1, 0], [0, 0, 1]], 'covariance'))[0]).toMatchObject({ path: 'correlations.plant.covariance[1][1]' });
  });

  it('refuses members that cannot be correlated and correlated variables outside any group', () => {
    const doc = { ...PLANT, correlations: { plant: { variables: ['temp', 'other'], correlation: [[1, 0.5], [0.5, 1]] } } };
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path).sort()).toEqual(['correlations.plant.variables[1]', 'variables.flow', 'variables.pressure']);
    expect(issues.find((i) => i.path === 'variables.flow')!.message).toContain('in no group');
  });
});

describe('normalCdf', () => {
  it('matches tabled values of Φ in the body and both tails', () => {
    const table: Array<[number, number]> = [[-8, 6.22096057427178e-16], [-4, 3.167124183311998e-5], [-1, 0.15865525393145707], [0.5, 0.6914624612740131], [3.5, 0.9997673709209645]];
    for (const [x, p] of table) expect(Math.abs(normalCdf(x) - p) / p).toBeLessThan(1e-12);
  });
});
