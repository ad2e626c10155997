/**
 * Per-entity parameters in a scenario file: any numeric parameter of a variable, process
 * or anomaly kind may be `{ per_entity: { dist: normal, mean: 20, sd: 3 } }`. Validation
 * draws the values of every entity (of at least the first 65,536, so the fleet can grow;
 * fleet/params.ts), validates the scenario with each
 * parameter at the smallest and at the largest value drawn (each parameter's extremes in
 * turn, the others at their smallest), and finds where the value lands in the resolved
 * scenario by comparing the two: the parameter must arrive there unchanged (a value the
 * validation converts or derives from cannot vary per entity). Each entity's scenario is
 * then the resolved one with its own draws put at those places (fleet/entity.ts).
 */
import type { ScenarioIssue } from '../errors.js';
import { Checker, describe, join } from '../model/checker.js';
import type { Scenario } from '../model/types.js';
import type { EntityParam } from '../model/entities.js';
import { checkDistribution, valueKind } from '../distribution/validate.js';
import { drawEntityParamRange, paramStream } from '../fleet/params.js';
import { checkEntities } from '../fleet/validate.js';

type Key = string | number;

/**
 * Draws are validated over at least this many entities, so a fleet can grow to it (grow
 * --entities) without values that were never validated.
 */
const CHECKED_ENTITIES = 65_536;
type Result = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

/** A `{ per_entity: ... }` mapping in a scenario document. */
export interface PerEntityLeaf {
  /** Its path in the file (`variables.cpu.normal.mean`). */
  path: string;
  at: Key[];
  raw: unknown;
}

const isMapping = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Every `per_entity` mapping of a document, in document order. */
export function findPerEntity(doc: unknown): PerEntityLeaf[] {
  const out: PerEntityLeaf[] = [];
  const walk = (x: unknown, path: string, at: Key[]) => {
    if (Array.isArray(x)) x.forEach((v, i) => walk(v, join(path, i), [...at, i]));
    else if (isMapping(x)) {
      if ('per_entity' in x) out.push({ path, at, raw: x });
      else for (const [k, v] of Object.entries(x)) if (!(at.length === 0 && k === 'entities')) walk(v, join(path, k), [...at, k]);
    }
  };
  walk(doc, '', []);
  return out;
}

function withValues(doc: unknown, leaves: readonly PerEntityLeaf[], values: readonly number[]): unknown {
  const copy = structuredClone(doc) as Record<Key, unknown>;
  leaves.forEach((l, i) => {
    let o = copy;
    for (const k of l.at.slice(0, -1)) o = o[k] as Record<Key, unknown>;
    o[l.at[l.at.length - 1]!] = values[i];
  });
  return copy;
}

/** Paths (in the resolved scenario) whose values differ between two resolutions. */
function differences(a: unknown, b: unknown, at: Key[] = [], out: Array<{ at: Key[]; a: unknown; b: unknown }> = []): Array<{ at: Key[]; a: unknown; b: unknown }> {
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) a.forEach((x, i) => differences(x, b[i], [...at, i], out));
  else if (isMapping(a) && isMapping(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!(at.length === 0 && k === 'baseDir')) differences(a[k], b[k], [...at, k], out);
  } else if (!Object.is(a, b)) out.push({ at, a, b });
  return out;
}

const where = (at: Key[]) => at.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');

/**
 * Validates a document that holds `per_entity` parameters; `validate` validates a plain
 * document (one with none). The result's fleet carries the parameters and their places.
 */
export function validatePerEntity(doc: Record<string, unknown>, leaves: readonly PerEntityLeaf[], baseDir: string, validate: (doc: unknown) => Result): Result {
  const c = new Checker();
  const dists = leaves.map((l) => {
    const o = l.raw as Record<string, unknown>;
    c.keys(o, l.path, ['per_entity']);
    const top = l.at[0];
    if (top !== 'variables' && top !== 'anomalies') return c.fail(join(l.path, 'per_entity'), 'per_entity draws numeric parameters of variables, processes and anomaly kinds, not here');
    const d = checkDistribution(c, o['per_entity'], join(l.path, 'per_entity'));
    if (d && valueKind(d) !== 'number') return c.fail(join(l.path, 'per_entity'), `draws a number per entity; a ${d.dist} of ${describe(d.dist === 'categorical' ? d.values[0] : d.dist === 'constant' ? d.value : '')} is not one`);
    return d;
  });
  if (doc['entities'] === undefined) leaves.forEach((l) => c.fail(l.path, 'per_entity needs a fleet: add entities: { count: N } (or names, or source)'));
  const fleet = doc['entities'] === undefined ? undefined : checkEntities(new Checker(), doc['entities'], [], baseDir);
  const seed = typeof doc['seed'] === 'number' && Number.isSafeInteger(doc['seed']) && doc['seed'] >= 0 ? doc['seed'] : doc['seed'] === undefined ? 0 : undefined;
  if (c.issues.length > 0 || !fleet || seed === undefined || dists.some((d) => !d)) {
    // Report the rest of the document too, with each parameter at a harmless number.
    const rest = validate(withValues(doc, leaves, leaves.map(() => 1)));
    return { ok: false, issues: [...c.issues, ...(rest.ok ? [] : rest.issues)] };
  }
  const name = (e: number) => (e >= fleet.count ? `${e}, which the fleet may grow to` : fleet.names ? `'${fleet.names[e]}'` : String(e));
  const params = leaves.map((l, i) => {
    const p = { dist: dists[i]!, stream: paramStream(l.path) };
    const values = drawEntityParamRange(seed, p, 0, Math.max(fleet.count, CHECKED_ENTITIES));
    let lo = 0;
    let hi = 0;
    values.forEach((v, e) => {
      if (v < values[lo]!) lo = e;
      if (v > values[hi]!) hi = e;
    });
    return { ...p, path: l.path, lo: { value: values[lo]!, entity: lo }, hi: { value: values[hi]!, entity: hi } };
  });
  const streams = new Map<number, string>();
  for (const p of params) {
    const other = streams.get(p.stream);
    if (other !== undefined) c.fail(p.path, `its per-entity stream collides with ${other}'s; move one of them`);
    streams.set(p.stream, p.path);
  }
  const lows = params.map((p) => p.lo.value);
  const under = (path: string, q: string) => path === q || path.startsWith(q + '.');
  // A problem at parameter i's place is its own draw's; one at another per-entity place came
  // from the pair checked together (i at its largest, the others at their smallest: limits'
  // lower end above the upper), which any entity drawing such values would meet.
  const explain = (issues: ScenarioIssue[], i: number, which: 'lo' | 'hi'): ScenarioIssue[] =>
    issues.map((x) => {
      const own = `the ${which === 'lo' ? 'smallest' : 'largest'} per-entity value drawn, for entity ${name(params[i]![which].entity)}`;
      if (under(x.path, params[i]!.path)) return { ...x, message: `${x.message} (${own}; narrow its per_entity distribution)` };
      const other = params.find((q, j) => j !== i && under(x.path, q.path));
      if (!other || which === 'lo') return x;
      return { ...x, message: `${x.message} (per-entity values checked together: ${params[i]!.path} at ${own}, ${other.path} at the smallest, for entity ${name(other.lo.entity)}; an entity may draw both: make their per_entity ranges apart)` };
    });
  const base = validate(withValues(doc, leaves, lows));
  if (!base.ok) return { ok: false, issues: [...c.issues, ...params.reduce((iss, _p, i) => explain(iss, i, 'lo'), base.issues)] };
  const resolved: EntityParam[] = [];
  params.forEach((p, i) => {
    // The largest draw shows where the value lands; with one value over the fleet, a nearby probe does.
    const probes = p.hi.value !== p.lo.value ? [p.hi.value] : [p.lo.value + 1, p.lo.value - 1, p.lo.value * 1.5, p.lo.value / 2].filter((x) => x !== p.lo.value);
    let found = false;
    for (const probe of probes) {
      const r = validate(withValues(doc, leaves, lows.map((v, j) => (j === i ? probe : v))));
      if (!r.ok) {
        if (p.hi.value !== p.lo.value) c.issues.push(...explain(r.issues, i, 'hi'));
        continue;
      }
      const diff = differences(base.scenario, r.scenario);
      const bad = diff.find((d) => d.a !== p.lo.value || d.b !== probe);
      if (bad) c.fail(p.path, `cannot vary per entity: the generator uses it converted or derived (${where(bad.at)} goes from ${String(bad.a)} to ${String(bad.b)})`);
      else if (diff.length === 0) c.fail(p.path, 'per_entity here changes nothing the generator uses');
      else resolved.push({ path: p.path, dist: p.dist, stream: p.stream, targets: diff.map((d) => d.at), checked: [p.lo.value, p.hi.value] });
      found = true;
      break;
    }
    // One value for every entity, and no valid probe: nothing varies, nothing to place.
    if (!found && p.hi.value === p.lo.value && c.issues.length === 0) resolved.push({ path: p.path, dist: p.dist, stream: p.stream, targets: [], checked: [p.lo.value, p.hi.value] });
  });
  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  return { ok: true, scenario: { ...base.scenario, entities: { ...base.scenario.entities!, params: resolved } } };
}
