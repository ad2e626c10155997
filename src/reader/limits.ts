/**
 * Validation of a variable's `limits: [lo, hi]` (model/limits.ts): two numbers, either of
 * them null for an open end, lo below hi; whole numbers for an integer column (a bound
 * between two integers would have the column round it). Only a variable whose values are
 * magnitudes has limits: an id is unique by construction, string and bool columns hold
 * no numbers, and a categorical, Bernoulli or constant variable's values are labels.
 */
import { Checker, describe, join } from '../model/checker.js';
import { columnLimits, type Limits } from '../model/limits.js';
import type { Variable } from '../model/types.js';
import { valueSetOf } from '../anomaly/kinds/value-set.js';

const REMEDY = 'write limits: [lo, hi] with numbers, null for an open end, such as [0, null] or [0, 100]';

/** Why variable v can take no limits, or undefined when it can. */
function refusal(v: Variable): string | undefined {
  if (v.type === 'id') return `'${v.name}' is an id variable, unique by construction; limits bound values that can stray, and an id never does`;
  if (v.dtype === 'string' || v.dtype === 'bool') return `'${v.name}' is a ${v.dtype} column, which holds no magnitudes to bound; limits apply to numeric variables`;
  const set = valueSetOf(v);
  if (set !== undefined) return `'${v.name}' is ${set}: its values are labels, not magnitudes, and no clamp can keep a label; limits apply to variables with a range of values`;
  return undefined;
}

/** The resolved limits of variable v from `raw` (its `limits` entry), or undefined after reporting a problem. */
export function checkLimits(c: Checker, raw: unknown, path: string, v: Variable): Limits | undefined {
  const why = refusal(v);
  if (why) return c.fail(path, why);
  if (!Array.isArray(raw) || raw.length !== 2) return c.fail(path, `expected [lo, hi], got ${describe(raw)}; ${REMEDY}`);
  const ends: Array<number | null> = [];
  for (let i = 0; i < 2; i++) {
    const x = raw[i] as unknown;
    if (x === null) ends.push(null);
    else if (typeof x !== 'number' || !Number.isFinite(x)) return c.fail(join(path, i), `expected a finite number or null (an open end), got ${describe(x)}; ${REMEDY}`);
    else if ((v.dtype === 'int32' || v.dtype === 'int64') && !Number.isSafeInteger(x)) return c.fail(join(path, i), `'${v.name}' is an ${v.dtype} column of whole numbers; write a whole-number limit, got ${x}`);
    else ends.push(x);
  }
  const [lo, hi] = ends as Limits;
  if (lo === null && hi === null) return c.fail(path, `[null, null] bounds nothing; give a number at one end at least (such as [0, null]), or leave limits out`);
  if (lo !== null && hi !== null && !(lo < hi)) return c.fail(join(path, 1), `the upper limit must be above the lower one (${lo}), got ${hi}`);
  const held = columnLimits(v.dtype, [lo, hi]);
  if (held[0] !== null && held[1] !== null && !(held[0] <= held[1])) return c.fail(path, `no float32 value lies between ${lo} and ${hi}; widen the limits or make '${v.name}' a float64 column`);
  return [lo, hi];
}
