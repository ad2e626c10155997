/**
 * The warning `validate` and `generate` give when an anomaly kind can push a variable out
 * of the range its own distribution keeps it in — a Poisson count below 0, a uniform
 * share above 1 — and the variable has no `limits` to clamp it (model/limits.ts). Such
 * rows are ones no sensor could give, and a detector trained on them learns "a negative
 * count is an anomaly". Nothing refuses it: a scenario may mean it.
 *
 * A variable's range is its distribution's support (normal and anomalous definitions
 * together; a correlated variable's marginal); processes, sources, callbacks and vae
 * variables declare none. A kind pushes down, up or both ways: spike, level_shift, trend
 * and noise by their direction, variance's added noise and learned both ways, amplitude
 * both ways when its factor can exceed 1 (up to 1 it stays between two values the series
 * took), flat_line by the value it holds. The shape kinds move the series' own values in
 * time, or average them, and stay in range. A fleet's outages push by the sign of the
 * amount their level_shift or spike adds; a flat_line outage holds a value the series had.
 */
import type { AnomalyKindSpec, Distribution, Scenario, Variable } from '../../model/types.js';
import type { Outages } from '../../model/entities.js';
import type { Limits } from '../../model/limits.js';
import { valueSetOf } from './value-set.js';

/** The support of a numeric distribution (null: unbounded at that end); undefined for non-numeric ones. */
function supportOf(d: Distribution): Limits | undefined {
  switch (d.dist) {
    case 'uniform':
    case 'integer':
      return [d.min, d.max];
    case 'poisson':
    case 'exponential':
    case 'lognormal':
      return [0, null];
    case 'normal':
      return [null, null];
    case 'categorical':
      if (typeof d.values[0] !== 'number') return undefined;
      return [Math.min(...(d.values as number[])), Math.max(...(d.values as number[]))];
    case 'constant':
      return typeof d.value === 'number' ? [d.value, d.value] : undefined;
    default:
      return undefined;
  }
}

/** The range v's own definition keeps it in, with what declares it; undefined when it has no bounded one. */
function rangeOf(v: Variable): { support: Limits; what: string } | undefined {
  let dists: Distribution[];
  if (v.type === 'stochastic') {
    if (v.dtype === 'string' || v.dtype === 'bool' || valueSetOf(v) !== undefined) return undefined;
    dists = v.anomalous ? [v.normal, v.anomalous] : [v.normal];
  } else if (v.type === 'correlated') dists = [v.marginal];
  else return undefined;
  let lo: number | null = Infinity;
  let hi: number | null = -Infinity;
  for (const d of dists) {
    const s = supportOf(d);
    if (!s) return undefined;
    lo = lo === null || s[0] === null ? null : Math.min(lo, s[0]);
    hi = hi === null || s[1] === null ? null : Math.max(hi, s[1]);
  }
  if (lo === null && hi === null) return undefined;
  return { support: [lo, hi], what: [...new Set(dists.map((d) => d.dist))].join(' and ') };
}

/** Which ways an event of `spec` can move a value: below the range's floor, above its ceiling. */
function pushes(spec: AnomalyKindSpec, support: Limits): { down: boolean; up: boolean } {
  const p = spec.params;
  const dir = typeof p['direction'] === 'string' ? p['direction'] : 'both';
  switch (spec.kind) {
    case 'spike':
    case 'level_shift':
    case 'trend':
    case 'noise':
      return { down: dir !== 'up', up: dir !== 'down' };
    case 'variance':
      return p['sd'] !== undefined ? { down: true, up: true } : { down: false, up: false };
    case 'learned':
      return { down: true, up: true };
    case 'amplitude': {
      const big = (p['factor'] as [number, number])[1] > 1;
      return { down: big, up: big };
    }
    case 'flat_line': {
      const value = p['value'] as [number, number] | undefined;
      if (!value) return { down: false, up: false };
      return { down: support[0] !== null && value[0] < support[0], up: support[1] !== null && value[1] > support[1] };
    }
    default:
      return { down: false, up: false };
  }
}

function rangeText(s: Limits): string {
  if (s[1] === null) return `values >= ${s[0]}`;
  if (s[0] === null) return `values <= ${s[1]}`;
  return `values from ${s[0]} to ${s[1]}`;
}

/** Which ways an outage can move a value: by the sign of the amount it adds. */
function outagePushes(o: Outages): { down: boolean; up: boolean } {
  if (o.kind === 'flat_line') return { down: false, up: false };
  return { down: o.amount[0] < 0, up: o.amount[1] > 0 };
}

/** One warning per variable without `limits` that an anomaly kind or a fleet's outage can push out of its distribution's range. */
export function supportWarnings(s: Pick<Scenario, 'anomalies' | 'variables' | 'entities'>): string[] {
  const a = s.anomalies;
  const kinds = a.mode === 'none' ? [] : (a.kinds ?? []);
  const outages = s.entities?.outages;
  if (kinds.length === 0 && !outages) return [];
  const out: string[] = [];
  for (const v of s.variables) {
    if (v.limits) continue;
    const range = rangeOf(v);
    if (!range) continue;
    const [lo, hi] = range.support;
    // A range of one value (integer with min = max) is no range limits could write.
    if (lo !== null && hi !== null && !(lo < hi)) continue;
    const below = new Set<string>();
    const above = new Set<string>();
    for (const spec of kinds) {
      if (!spec.variables.includes(v.name)) continue;
      const p = pushes(spec, range.support);
      if (p.down && lo !== null) below.add(spec.kind);
      if (p.up && hi !== null) above.add(spec.kind);
    }
    if (outages && outages.variables.includes(v.name)) {
      const p = outagePushes(outages);
      if (p.down && lo !== null) below.add(`outages (${outages.kind})`);
      if (p.up && hi !== null) above.add(`outages (${outages.kind})`);
    }
    if (below.size === 0 && above.size === 0) continue;
    const ways = [...(below.size > 0 ? [`below ${lo} by ${[...below].join(', ')}`] : []), ...(above.size > 0 ? [`above ${hi} by ${[...above].join(', ')}`] : [])].join(' and ');
    out.push(`variable '${v.name}' takes ${rangeText(range.support)} (${range.what}), but anomaly kinds can push it ${ways}, writing values it could never take; to clamp every value into that range, add to the variable: limits: [${lo ?? 'null'}, ${hi ?? 'null'}]`);
  }
  return out;
}
