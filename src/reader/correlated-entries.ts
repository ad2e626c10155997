/**
 * The two ways to write a correlation group, brought to one: a group in `correlations`
 * whose members are `type: correlated` variables (or processes) declared in `variables`,
 * or a `type: correlated` entry of `variables` that holds the matrix and its members itself:
 *
 *   plant:
 *     type: correlated
 *     correlation: [[1, 0.8], [0.8, 1]]       # or covariance (+ mean)
 *     variables:                              # a list of names, or name → marginal
 *       temperature: { dist: normal, mean: 60, sd: 4 }
 *       pressure: { dtype: float32, marginal: { dist: lognormal, mu: 0.7, sigma: 0.1 } }
 *
 * The second form declares one column per member, in its place among the variables (the
 * entry's own name names the group, not a column).
 */
import { Checker, describe, join, type Obj } from '../model/checker.js';

/** A variable entry: its name, what the scenario says of it, and where. */
export interface VariableEntry {
  name: string;
  raw: unknown;
  path: string;
}

/** A correlation group as written, and where (messages name `correlations.X` or `variables.X`). */
export interface GroupEntry {
  name: string;
  raw: Obj;
  path: string;
}

const GROUP_KEYS = ['correlation', 'covariance', 'mean'];

/** True for a `type: correlated` entry holding a matrix: a whole group. */
function isInlineGroup(raw: unknown): raw is Obj {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const o = raw as Obj;
  return o['type'] === 'correlated' && GROUP_KEYS.some((k) => o[k] !== undefined);
}

/** A member of an inline group as a variable entry: a marginal (`dist: ...`), or the entry itself. */
function memberEntry(raw: unknown, dtype: unknown): Obj {
  const o = raw === null || raw === undefined ? {} : (raw as Obj);
  const base = typeof o === 'object' && !Array.isArray(o) && o['dist'] !== undefined ? { marginal: o } : o;
  return { type: 'correlated', ...(dtype !== undefined && (base as Obj)['dtype'] === undefined ? { dtype } : {}), ...(base as Obj) };
}

/** The variable entries (inline groups expanded into their members) and every group. */
export function expandCorrelatedEntries(c: Checker, vars: Obj, correlations: unknown): { entries: VariableEntry[]; groups: GroupEntry[] } {
  const entries: VariableEntry[] = [];
  const groups: GroupEntry[] = [];
  const top = correlations === undefined ? undefined : c.object(correlations, 'correlations');
  for (const [name, raw] of Object.entries(top ?? {})) {
    const g = c.object(raw, join('correlations', name));
    if (g) groups.push({ name, raw: g, path: join('correlations', name) });
  }
  for (const [name, raw] of Object.entries(vars)) {
    const path = join('variables', name);
    if (!isInlineGroup(raw)) {
      entries.push({ name, raw, path });
      continue;
    }
    c.keys(raw, path, ['type', 'description', 'dtype', 'variables', ...GROUP_KEYS]);
    const members = raw['variables'];
    const mpath = join(path, 'variables');
    const list: Array<[string, unknown]> = Array.isArray(members)
      ? members.map((m: unknown) => [typeof m === 'string' ? m : '', {}])
      : typeof members === 'object' && members !== null
        ? Object.entries(members as Obj)
        : [];
    if (list.length === 0 || list.some(([n]) => n === '')) {
      c.fail(mpath, `expected the group's members: a list of names, or a mapping of name to marginal (such as { dist: normal, mean: 0, sd: 1 }), got ${describe(members)}`);
      continue;
    }
    for (const [m, spec] of list) entries.push({ name: m, raw: memberEntry(spec, raw['dtype']), path: join(mpath, m) });
    const { type: _t, dtype: _d, variables: _v, ...group } = raw;
    groups.push({ name, raw: { ...group, variables: list.map(([m]) => m) }, path });
  }
  return { entries, groups };
}
