/**
 * `type: correlated`: a variable whose rows are its marginal distribution applied to its
 * normal score in a correlation group (correlated-scores.ts) — a Gaussian copula. A normal
 * marginal is mean + sd·z, a lognormal exp(μ + σ·z); uniform and exponential marginals
 * take Φ(z) (math/normal-cdf.ts), the exponential through the upper tail so large scores
 * keep their digits. With normal marginals the group's matrix is the columns' Pearson
 * correlation; with others it is the correlation of the normal scores (Spearman's ρ of the
 * columns is (6/π)·asin(ρ/2) then).
 */
import { BLOCK_ROWS } from '../format.js';
import { describe, join, type Checker } from '../model/checker.js';
import { checkDistribution } from '../distribution/validate.js';
import { normalCdf } from '../math/normal-cdf.js';
import type { CorrelatedMarginal, CorrelatedVariable } from '../model/types.js';
import { ParamCache } from '../anomaly/kinds/params.js';
import type { CompiledVariable, VariableInput, VariableKind } from './kind.js';
import { decorrelateScores, groupScores } from './correlated-scores.js';

/** Marginals a normal score maps onto by a closed-form inverse distribution function. */
const COPULA_DISTS: readonly CorrelatedMarginal['dist'][] = ['normal', 'lognormal', 'uniform', 'exponential'];

/** The standard normal marginal a member of a covariance group starts from (resolved with the group). */
const STANDARD_NORMAL: CorrelatedMarginal = { dist: 'normal', mean: 0, sd: 1 };

function validateCorrelated(c: Checker, { name, stream, path, raw: o }: VariableInput): CorrelatedVariable | undefined {
  let dtype: CorrelatedVariable['dtype'] = 'float64';
  if (o['dtype'] !== undefined) {
    if (o['dtype'] !== 'float64' && o['dtype'] !== 'float32') return c.fail(join(path, 'dtype'), `a correlated variable fills a float64 or float32 column, got ${describe(o['dtype'])}`);
    dtype = o['dtype'];
  }
  let marginal = STANDARD_NORMAL;
  if (o['marginal'] !== undefined) {
    const d = checkDistribution(c, o['marginal'], join(path, 'marginal'));
    if (!d) return undefined;
    if (!(COPULA_DISTS as readonly string[]).includes(d.dist)) return c.fail(join(join(path, 'marginal'), 'dist'), `a correlated variable takes a continuous marginal (${COPULA_DISTS.join(', ')}), got ${d.dist}`);
    marginal = d as CorrelatedMarginal;
  }
  // The link is filled in when the scenario's correlation groups are resolved.
  return { name, type: 'correlated', dtype, stream, marginal, link: { group: '', index: 0, factor: [], streams: [] }, anomalous: null, categories: null };
}

/** The marginal's inverse distribution function, as a function of the normal score. */
function marginalOfScore(m: CorrelatedMarginal): (z: number) => number {
  switch (m.dist) {
    case 'normal':
      return (z) => m.mean + m.sd * z;
    case 'lognormal':
      return (z) => Math.exp(m.mu + m.sigma * z);
    case 'uniform':
      return (z) => m.min + (m.max - m.min) * normalCdf(z);
    case 'exponential':
      return (z) => -Math.log(normalCdf(-z)) / m.rate;
  }
}

/** `type: correlated`. */
export const correlatedKind: VariableKind<CorrelatedVariable> = {
  keys: ['dtype', 'marginal'],
  validate: validateCorrelated,
  compile(v, { key, scenario }): CompiledVariable {
    const z = new Float64Array(BLOCK_ROWS);
    const tmp = new Float64Array(BLOCK_ROWS);
    const f = marginalOfScore(v.marginal);
    const params = new ParamCache(scenario.anomalies, key);
    return {
      variable: v,
      fill(block, out) {
        const { rowStart, count, offset } = block;
        groupScores(key, v.link, rowStart, count, z);
        decorrelateScores(key, scenario.anomalies, params, v.name, v.link, block.events, rowStart, count, z, tmp);
        for (let i = 0; i < count; i++) out[offset + i] = f(z[i]!);
      },
    };
  },
};
