/** Validation of `type: stochastic` variables: a distribution for normal rows and, optionally, one for anomalous rows. */
import { Checker, describe, join } from '../model/checker.js';
import { checkDistribution, defaultDtype, FLOAT32_MAX, INT_RANGE, largestMagnitude, reachableBounds, stringValues, valueKind, zeroOrOne } from '../distribution/validate.js';
import { DTYPES, type DType, type StochasticVariable } from '../model/types.js';
import type { VariableInput } from './kind.js';

export function validateStochastic(c: Checker, { name, stream, path, raw: o, allowNonFinite }: VariableInput): StochasticVariable | undefined {
  const normal = o['normal'] === undefined ? c.fail(join(path, 'normal'), 'required') : checkDistribution(c, o['normal'], join(path, 'normal'));
  const anomalous = o['anomalous'] === undefined ? null : checkDistribution(c, o['anomalous'], join(path, 'anomalous'));
  let dtype: DType | undefined;
  if (o['dtype'] !== undefined) {
    if (!(DTYPES as readonly unknown[]).includes(o['dtype'])) return c.fail(join(path, 'dtype'), `unknown column type ${describe(o['dtype'])}; expected one of: ${DTYPES.join(', ')}`);
    dtype = o['dtype'] as DType;
  }
  if (!normal || anomalous === undefined) return undefined;
  dtype ??= defaultDtype(normal);
  for (const [which, d] of [['normal', normal], ['anomalous', anomalous]] as const) {
    if (!d) continue;
    const kind = valueKind(d);
    const ok = dtype === 'string' ? kind === 'string' : kind !== 'string';
    if (!ok) return c.fail(join(path, which), `a ${d.dist} distribution of ${kind}s cannot fill a ${dtype} column`);
    // A range known to overflow the column would otherwise fail mid-generation, after
    // shards were written; it is a scenario mistake, so report it here.
    if (dtype === 'bool' && kind === 'number' && !zeroOrOne(d)) {
      return c.fail(join(path, which), `a ${d.dist} distribution cannot fill a bool column (every value but 0 would be true); use bernoulli, or a numeric dtype`);
    }
    const big = largestMagnitude(d);
    if (big !== undefined && !allowNonFinite) {
      if (!Number.isFinite(big)) return c.fail(join(path, which), `this ${d.dist} distribution can yield values beyond the largest float64 (±1.8e308), which would be stored as ±Infinity; narrow it (or set allow_non_finite: true)`);
      if (dtype === 'float32' && big > FLOAT32_MAX) return c.fail(join(path, which), `this ${d.dist} distribution can yield values up to about ${big.toPrecision(3)}, beyond float32 (±3.4e38), which would be stored as ±Infinity; use dtype float64 or narrow it`);
    }
    const range = INT_RANGE[dtype];
    // A drawn number is rounded to an integer column, but listed values are labels: rounding
    // would write 0.5 and 1 as the same category. A constant is written as given, so a
    // fraction rounded away is a value the scenario never asked for.
    const fraction = range && d.dist === 'categorical' ? d.values.find((v) => typeof v === 'number' && !Number.isInteger(v)) : undefined;
    if (fraction !== undefined) return c.fail(join(path, which), `${fraction} is not a whole number, and an ${dtype} column would round it to ${Math.round(fraction as number)}; list whole numbers, or use dtype float64`);
    if (range && d.dist === 'constant' && typeof d.value === 'number' && !Number.isInteger(d.value)) {
      return c.fail(join(join(path, which), 'value'), `${d.value} is not a whole number, and an ${dtype} column would round it to ${Math.round(d.value)}; write a whole number, or use dtype float64`);
    }
    const reach = reachableBounds(d);
    if (range && reach) {
      const [lo, hi] = reach.range;
      if (Math.round(lo) < range[0] || Math.round(hi) > range[1]) {
        // A continuous distribution's tails are reached too (rarely), so they must fit as well.
        const what = reach.tail ? `this ${d.dist} distribution can yield values from about ${lo.toPrecision(3)} to ${hi.toPrecision(3)} (its tails), which` : `values from ${lo} to ${hi}`;
        return c.fail(join(path, which), `${what} do not fit an ${dtype} column (${range[0]} to ${range[1]}); widen the dtype or narrow the distribution`);
      }
    }
  }
  const categories = dtype === 'string' ? [...new Set([...stringValues(normal), ...(anomalous ? stringValues(anomalous) : [])])] : null;
  return { name, type: 'stochastic', dtype, stream, normal, anomalous, categories };
}

