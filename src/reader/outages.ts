/**
 * Validation of `anomalies.outages` (a fleet's fleet-wide events, fleet/outages.ts):
 * frequency or count over the timeline, duration, the share of entities each hits, the
 * kind with its amount, and the variables it acts on.
 */
import { Checker, describe, join, noSuchVariable, unknownChoice } from '../model/checker.js';
import type { Outages } from '../model/entities.js';
import type { Timeline, Variable } from '../model/types.js';
import { feasibleFrequencyText, maxFeasibleFrequency } from '../anomaly/rate.js';
import { valueSetOf } from '../anomaly/kinds/value-set.js';

const KINDS = ['flat_line', 'level_shift', 'spike'] as const;
const P = 'anomalies.outages';

/** `durations` checks a duration range (rows or "30s"-style durations) at a path, as the rest of anomalies do. */
export function checkOutages(c: Checker, raw: unknown, timeline: Timeline | undefined, variables: readonly Variable[], durations: (raw: unknown, path: string) => [number, number] | undefined, declared: readonly string[] = variables.map((v) => v.name)): Outages | undefined {
  const o = c.object(raw, P);
  if (!o) return undefined;
  c.keys(o, P, ['frequency', 'count', 'duration', 'share', 'kind', 'amount', 'variables']);
  if ((o['frequency'] === undefined) === (o['count'] === undefined)) return c.fail(P, "give 'frequency' (expected fraction of the timeline under an outage) or 'count' (outages over the timeline), one of them");
  const duration = durations(o['duration'], join(P, 'duration'));
  const share = c.number(o['share'], join(P, 'share'), { gt: 0, le: 1 });
  const kind = o['kind'] === undefined ? 'flat_line' : (KINDS as readonly unknown[]).includes(o['kind']) ? (o['kind'] as Outages['kind']) : c.fail(join(P, 'kind'), unknownChoice('outage kind', o['kind'], KINDS));
  let amount: [number, number] = [0, 0];
  if (kind === 'level_shift' || kind === 'spike') {
    const a = o['amount'];
    const pair = typeof a === 'number' ? [a, a] : a;
    if (!Array.isArray(pair) || pair.length !== 2) return c.fail(join(P, 'amount'), `${kind} needs amount: a number or [min, max] added to the targets, got ${describe(a)}`);
    const lo = c.number(pair[0], join(join(P, 'amount'), 0));
    const hi = c.number(pair[1], join(join(P, 'amount'), 1));
    if (lo === undefined || hi === undefined) return undefined;
    if (hi < lo) return c.fail(join(join(P, 'amount'), 1), `must be >= the minimum (${lo}), got ${hi}`);
    amount = [lo, hi];
  } else if (o['amount'] !== undefined) c.fail(join(P, 'amount'), 'flat_line holds values and takes no amount');
  // A shift or spike would move a categorical, Bernoulli or constant variable off its values (labels, not magnitudes); a flat line holds them.
  const labels = kind === 'flat_line' ? [] : variables.filter((v) => (v.dtype === 'float64' || v.dtype === 'float32') && valueSetOf(v) !== undefined);
  // An id column is unique by construction: an outage, like a kind, never acts on it.
  const numeric = variables.filter((v) => v.type !== 'id' && (kind === 'flat_line' ? v.dtype !== 'string' && v.dtype !== 'bool' : (v.dtype === 'float64' || v.dtype === 'float32') && !labels.includes(v)));
  let targets = numeric.map((v) => v.name);
  if (o['variables'] !== undefined) {
    const list = o['variables'];
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) return c.fail(join(P, 'variables'), `expected a non-empty list of variable names, got ${describe(list)}`);
    for (const [i, n] of (list as string[]).entries()) {
      if (!variables.some((v) => v.name === n)) {
        // A declared variable that failed its own checks was reported there: not "no variable named".
        if (!declared.includes(n)) c.fail(join(join(P, 'variables'), i), noSuchVariable(n, declared));
      } else if (labels.some((v) => v.name === n)) {
        const v = labels.find((x) => x.name === n)!;
        c.fail(join(join(P, 'variables'), i), `'${n}' is ${valueSetOf(v)!}: its values are labels, not magnitudes, and a ${kind} outage would move it off them; a flat_line outage holds its values, or give it an 'anomalous' definition`);
      } else if (variables.some((v) => v.name === n && v.type === 'id')) {
        c.fail(join(join(P, 'variables'), i), `'${n}' is an id variable, unique by construction; outages do not act on it`);
      } else if (!targets.includes(n)) c.fail(join(join(P, 'variables'), i), `'${n}' is not a ${kind === 'flat_line' ? 'numeric' : 'float'} variable; ${kind} cannot act on it`);
    }
    targets = list as string[];
  }
  if (targets.length === 0) return c.fail(P, `no variable an outage of kind ${kind} can act on${labels.length > 0 ? ` (categorical, Bernoulli and constant variables are left out, their values being labels: ${labels.map((v) => `'${v.name}'`).join(', ')})` : ''}`);
  if (!duration || share === undefined || kind === undefined) return undefined;
  if (o['frequency'] !== undefined) {
    const frequency = c.number(o['frequency'], join(P, 'frequency'), { gt: 0, lt: 1 });
    if (frequency === undefined) return undefined;
    const max = maxFeasibleFrequency(duration[0], duration[1]);
    if (frequency > max) return c.fail(join(P, 'frequency'), `at most ${feasibleFrequencyText(max)} of the timeline can be under outages of ${duration[0]}–${duration[1]} rows, got ${frequency}`);
    return { mode: 'frequency', frequency, count: 0, duration, share, kind, amount, variables: targets };
  }
  const count = c.number(o['count'], join(P, 'count'), { integer: true, ge: 1 });
  if (count === undefined) return undefined;
  if (timeline && count * (duration[0] + 1) - 1 > timeline.rows) return c.fail(join(P, 'count'), `${count} outages of at least ${duration[0]} rows do not fit in ${timeline.rows} rows`);
  return { mode: 'count', frequency: 0, count, duration, share, kind, amount, variables: targets };
}
