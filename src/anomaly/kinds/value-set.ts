/**
 * Value-set variables: numeric stochastic variables whose normal values are a finite
 * declared set — categorical, Bernoulli (0/1) and constant. Their values are labels, not
 * magnitudes: a spike on a gear of [1, 2, 3] writes gears that do not exist. So a kind
 * never targets one by default, and a kind may name one only when it keeps every row
 * among the variable's own values: it holds them, drops them, or moves the normal
 * series' own values in time. A kind that moves the series in time writes those values
 * exactly (ShapeEvents.rearranged), not as a change added to the row, which could round
 * a float label off its value.
 */
import type { AnomalyKindName, AnomalyKindSpec, Variable } from '../../model/types.js';

/** Kinds that give each row the clean value of another row of the same series. */
const REARRANGING: readonly AnomalyKindName[] = ['reversal', 'replay', 'correlation_break'];

/** Kinds a value-set variable may be named in: each row keeps one of the variable's values (or becomes missing). */
const KEEPING = ['reversal', 'replay', 'correlation_break', 'flat_line (without value)', 'dropout'];

export function isRearranging(kind: AnomalyKindName): boolean {
  return REARRANGING.includes(kind);
}

/** What kind of value-set variable v is ("a categorical variable (values 1, 2, 3)"), or undefined when it is not one. */
export function valueSetOf(v: Variable): string | undefined {
  if (v.type !== 'stochastic' || v.dtype === 'string' || v.dtype === 'bool') return undefined;
  const d = v.normal;
  if (d.dist === 'categorical') return `a categorical variable (values ${d.values.map(String).join(', ')})`;
  if (d.dist === 'bernoulli') return 'a Bernoulli variable (values 0 and 1)';
  if (d.dist === 'constant') return `a constant variable (value ${String(d.value)})`;
  return undefined;
}

/** Why kind `spec` may not name value-set variable v, or undefined when it keeps v's values. */
export function valueSetRefusal(spec: AnomalyKindSpec, v: Variable): string | undefined {
  const set = valueSetOf(v);
  if (set === undefined) return undefined;
  const remedy = `to make '${v.name}' anomalous, give it an 'anomalous' definition (for a categorical, the same values with other weights, or other values)`;
  if (spec.kind === 'dropout') return undefined;
  if (spec.kind === 'flat_line') {
    if (spec.params['value'] === undefined) return undefined;
    return `'${v.name}' is ${set}; flat_line with 'value' holds a value of its own rather than one of the variable's; leave 'value' out to hold the event's first value, or ${remedy}`;
  }
  if (isRearranging(spec.kind)) {
    if (v.anomalous === null) return undefined;
    return `'${v.name}' is ${set} with its own 'anomalous' definition, which draws its event rows; '${spec.kind}' moves its normal series in time on top of those draws, which leaves its values; name it in flat_line (without value) or dropout only, or leave it out of 'variables'`;
  }
  return `'${v.name}' is ${set}: its values are labels, not magnitudes, and '${spec.kind}' would write values outside them; a kind may name it only if it keeps its values (${KEEPING.join(', ')}); ${remedy}`;
}
