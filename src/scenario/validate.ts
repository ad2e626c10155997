/**
 * Validation at the boundary: an untrusted parsed document becomes one fully-defaulted
 * Scenario, or a list of every problem with its path inside the file. Nothing downstream
 * re-checks user input.
 */
import type { ScenarioIssue } from '../errors.js';
import { variableStream } from '../random/hash.js';
import { maxFeasibleFrequency } from '../anomaly/rate.js';
import { parseDurationMs, parseInstantMs } from './units.js';
import {
  DIST_NAMES,
  DTYPES,
  type AnomalyPlan,
  type DType,
  type Distribution,
  type Scenario,
  type Timeline,
  type Variable,
} from './types.js';

/** Names the engine writes itself; a variable may not take them. */
export const RESERVED_COLUMNS = ['timestamp', 'is_anomaly', 'anomaly_id'] as const;
/** Largest dataset a scenario may ask for (keeps row indices and timestamps exact). */
export const MAX_ROWS = 1e12;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Obj = Record<string, unknown>;

class Checker {
  readonly issues: ScenarioIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(v: unknown, path: string): Obj | undefined {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      return this.fail(path, `expected a mapping, got ${describe(v)}`);
    }
    return v as Obj;
  }

  /** Reports keys outside `allowed` (typos are the commonest scenario mistake). */
  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        const hint = closest(k, allowed);
        this.fail(join(path, k), `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of: ${allowed.join(', ')}`);
      }
    }
  }

  number(v: unknown, path: string, rule: { gt?: number; ge?: number; le?: number; lt?: number; integer?: boolean } = {}): number | undefined {
    if (v === undefined) return this.fail(path, 'required');
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, `expected a finite number, got ${describe(v)}`);
    if (rule.integer && !Number.isSafeInteger(v)) return this.fail(path, `must be an integer, got ${v}`);
    if (rule.gt !== undefined && !(v > rule.gt)) return this.fail(path, `must be > ${rule.gt}, got ${v}`);
    if (rule.ge !== undefined && !(v >= rule.ge)) return this.fail(path, `must be >= ${rule.ge}, got ${v}`);
    if (rule.lt !== undefined && !(v < rule.lt)) return this.fail(path, `must be < ${rule.lt}, got ${v}`);
    if (rule.le !== undefined && !(v <= rule.le)) return this.fail(path, `must be <= ${rule.le}, got ${v}`);
    return v;
  }

  string(v: unknown, path: string): string | undefined {
    if (v === undefined) return this.fail(path, 'required');
    if (typeof v !== 'string' || v.length === 0) return this.fail(path, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  return `${typeof v} ${String(v)}`;
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      best = o;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

const DIST_PARAMS: Record<Distribution['dist'], readonly string[]> = {
  uniform: ['min', 'max'],
  normal: ['mean', 'sd'],
  lognormal: ['mu', 'sigma'],
  exponential: ['rate'],
  poisson: ['lambda'],
  bernoulli: ['p'],
  integer: ['min', 'max'],
  categorical: ['values', 'weights'],
  constant: ['value'],
};

function checkDistribution(c: Checker, raw: unknown, path: string): Distribution | undefined {
  const o = c.object(raw, path);
  if (!o) return undefined;
  const name = o['dist'];
  if (typeof name !== 'string' || !(DIST_NAMES as readonly string[]).includes(name)) {
    const hint = typeof name === 'string' ? closest(name, DIST_NAMES) : undefined;
    return c.fail(join(path, 'dist'), `${name === undefined ? 'required' : `unknown distribution ${describe(name)}`}${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of: ${DIST_NAMES.join(', ')}`);
  }
  const dist = name as Distribution['dist'];
  c.keys(o, path, ['dist', ...DIST_PARAMS[dist]]);
  const p = (k: string) => join(path, k);
  switch (dist) {
    case 'uniform': {
      const min = c.number(o['min'], p('min'));
      const max = c.number(o['max'], p('max'));
      if (min === undefined || max === undefined) return undefined;
      if (!(max > min)) return c.fail(p('max'), `must be > min (${min}), got ${max}`);
      return { dist, min, max };
    }
    case 'normal': {
      const mean = c.number(o['mean'], p('mean'));
      const sd = c.number(o['sd'], p('sd'), { gt: 0 });
      return mean === undefined || sd === undefined ? undefined : { dist, mean, sd };
    }
    case 'lognormal': {
      const mu = c.number(o['mu'], p('mu'));
      const sigma = c.number(o['sigma'], p('sigma'), { gt: 0 });
      return mu === undefined || sigma === undefined ? undefined : { dist, mu, sigma };
    }
    case 'exponential': {
      const rate = c.number(o['rate'], p('rate'), { gt: 0 });
      return rate === undefined ? undefined : { dist, rate };
    }
    case 'poisson': {
      const lambda = c.number(o['lambda'], p('lambda'), { gt: 0, le: 1e9 });
      return lambda === undefined ? undefined : { dist, lambda };
    }
    case 'bernoulli': {
      const pr = c.number(o['p'], p('p'), { ge: 0, le: 1 });
      return pr === undefined ? undefined : { dist, p: pr };
    }
    case 'integer': {
      const min = c.number(o['min'], p('min'), { integer: true });
      const max = c.number(o['max'], p('max'), { integer: true });
      if (min === undefined || max === undefined) return undefined;
      if (!(max >= min)) return c.fail(p('max'), `must be >= min (${min}), got ${max}`);
      if (max - min >= 2 ** 52) return c.fail(p('max'), `range max - min must be < 2^52, got ${max - min}`);
      return { dist, min, max };
    }
    case 'categorical': {
      const values = o['values'];
      if (!Array.isArray(values) || values.length === 0) return c.fail(p('values'), `expected a non-empty list, got ${describe(values)}`);
      const kinds = new Set(values.map((v) => typeof v));
      if (kinds.size !== 1 || !['string', 'number', 'boolean'].includes([...kinds][0]!)) {
        return c.fail(p('values'), 'must all be strings, all numbers or all booleans');
      }
      if (kinds.has('number') && values.some((v) => !Number.isFinite(v))) return c.fail(p('values'), 'numbers must be finite');
      if (new Set(values).size !== values.length) return c.fail(p('values'), 'must not repeat a value');
      let weights: number[];
      if (o['weights'] === undefined) {
        weights = values.map(() => 1 / values.length);
      } else {
        const w = o['weights'];
        if (!Array.isArray(w)) return c.fail(p('weights'), `expected a list of numbers, got ${describe(w)}`);
        if (w.length !== values.length) return c.fail(p('weights'), `must have one weight per value (${values.length}), got ${w.length}`);
        const ok = w.map((x, i) => c.number(x, join(p('weights'), i), { ge: 0 }));
        if (ok.some((x) => x === undefined)) return undefined;
        const sum = (ok as number[]).reduce((a, b) => a + b, 0);
        if (!(sum > 0)) return c.fail(p('weights'), 'must not all be 0');
        weights = (ok as number[]).map((x) => x / sum);
      }
      return { dist, values: values as Array<string | number | boolean>, weights };
    }
    case 'constant': {
      const value = o['value'];
      if (value === undefined) return c.fail(p('value'), 'required');
      if (typeof value === 'number' ? !Number.isFinite(value) : !['string', 'boolean'].includes(typeof value)) {
        return c.fail(p('value'), `expected a number, string or boolean, got ${describe(value)}`);
      }
      return { dist, value: value as string | number | boolean };
    }
  }
}

/** What a distribution yields: numbers, strings or booleans. */
function valueKind(d: Distribution): 'number' | 'string' | 'boolean' {
  if (d.dist === 'categorical') return typeof d.values[0] as 'number' | 'string' | 'boolean';
  if (d.dist === 'constant') return typeof d.value as 'number' | 'string' | 'boolean';
  if (d.dist === 'bernoulli') return 'boolean';
  return 'number';
}

function defaultDtype(d: Distribution): DType {
  const kind = valueKind(d);
  if (kind === 'string') return 'string';
  if (kind === 'boolean') return 'bool';
  if (d.dist === 'poisson' || d.dist === 'integer') return 'int64';
  if (d.dist === 'categorical' && d.values.every((v) => Number.isInteger(v))) return 'int64';
  return 'float64';
}

/** The range a bounded numeric distribution yields; undefined for unbounded or non-numeric ones. */
function numericBounds(d: Distribution): [number, number] | undefined {
  switch (d.dist) {
    case 'uniform':
    case 'integer':
      return [d.min, d.max];
    case 'constant':
      return typeof d.value === 'number' ? [d.value, d.value] : undefined;
    case 'categorical': {
      if (typeof d.values[0] !== 'number') return undefined;
      const nums = d.values as number[];
      return [nums.reduce((a, b) => Math.min(a, b)), nums.reduce((a, b) => Math.max(a, b))];
    }
    default:
      return undefined;
  }
}

/** What integer columns hold; values are rounded into them. */
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function stringValues(d: Distribution): string[] {
  if (d.dist === 'categorical') return d.values.map(String);
  if (d.dist === 'constant') return [String(d.value)];
  return [];
}

function checkVariable(c: Checker, name: string, raw: unknown, path: string): Variable | undefined {
  if (!NAME_RE.test(name)) return c.fail(path, 'variable names must start with a letter or _ and hold only letters, digits and _');
  if ((RESERVED_COLUMNS as readonly string[]).includes(name)) return c.fail(path, `'${name}' is a column paranom writes itself; choose another name`);
  const o = c.object(raw, path);
  if (!o) return undefined;
  const type = o['type'] ?? 'stochastic';
  if (type !== 'stochastic') return c.fail(join(path, 'type'), `unknown variable type ${describe(type)}; expected: stochastic`);
  c.keys(o, path, ['type', 'dtype', 'normal', 'anomalous', 'description']);
  if (o['description'] !== undefined && typeof o['description'] !== 'string') c.fail(join(path, 'description'), `expected a string, got ${describe(o['description'])}`);
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
    const range = INT_RANGE[dtype];
    const b = numericBounds(d);
    if (range && b && (Math.round(b[0]) < range[0] || Math.round(b[1]) > range[1])) {
      return c.fail(join(path, which), `values from ${b[0]} to ${b[1]} do not fit an ${dtype} column (${range[0]} to ${range[1]}); widen the dtype or narrow the distribution`);
    }
  }
  const categories = dtype === 'string' ? [...new Set([...stringValues(normal), ...(anomalous ? stringValues(anomalous) : [])])] : null;
  return { name, type: 'stochastic', dtype, stream: variableStream(name), normal, anomalous, categories };
}

/** Date.parse rolls a day past the end of its month over (2023-02-30 becomes 2023-03-02); catch that. */
function noSuchDay(text: string): string | undefined {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (days === undefined || d < 1 || d > days) return `${y}-${m[2]}-${m[3]} is not a calendar date${days ? ` (that month has ${days} days)` : ''}`;
  return undefined;
}

function checkInstant(c: Checker, v: unknown, path: string): number | undefined {
  const ms = typeof v === 'string' ? parseInstantMs(v) : undefined;
  if (ms === undefined) return c.fail(path, `expected an ISO 8601 instant such as "2024-01-01T00:00:00Z", got ${describe(v)}`);
  const bad = noSuchDay(v as string);
  return bad ? c.fail(path, bad) : ms;
}

function checkTimeline(c: Checker, raw: unknown): Timeline | undefined {
  const o = c.object(raw, 'timeline');
  if (!o) return undefined;
  c.keys(o, 'timeline', ['start', 'step', 'rows', 'end']);
  const start = o['start'] ?? '1970-01-01T00:00:00Z';
  const startMs = checkInstant(c, start, 'timeline.start');
  let stepMs: number | undefined;
  const step = o['step'] ?? '1s';
  if (typeof step !== 'string' || (stepMs = parseDurationMs(step)) === undefined) {
    c.fail('timeline.step', `expected a duration such as "500ms", "1s", "5m", "1h" or "1d", got ${describe(step)}`);
  } else if (!Number.isInteger(stepMs) || stepMs < 1) {
    c.fail('timeline.step', `must be a whole number of milliseconds >= 1ms, got ${step}`);
    stepMs = undefined;
  }
  let rows: number | undefined;
  if (o['rows'] !== undefined && o['end'] !== undefined) {
    c.fail('timeline', "give either 'rows' or 'end', not both");
  } else if (o['end'] !== undefined) {
    const endMs = checkInstant(c, o['end'], 'timeline.end');
    if (endMs !== undefined && startMs !== undefined && stepMs !== undefined) {
      if (!(endMs > startMs)) c.fail('timeline.end', `must be after timeline.start (${String(start)}), got ${String(o['end'])}`);
      else {
        // The same ceiling 'rows' has; an end far off at a small step could exceed it.
        const n = Math.ceil((endMs - startMs) / stepMs);
        if (n > MAX_ROWS) c.fail('timeline.end', `gives ${n} rows at step ${String(step)}; at most ${MAX_ROWS} rows are allowed`);
        else rows = n;
      }
    }
  } else if (o['rows'] === undefined) {
    c.fail('timeline.rows', "required (or give 'end')");
  } else {
    rows = c.number(o['rows'], 'timeline.rows', { integer: true, ge: 1, le: MAX_ROWS });
  }
  if (startMs === undefined || stepMs === undefined || rows === undefined) return undefined;
  if (Math.abs(startMs + rows * stepMs) > 8.64e15) return c.fail('timeline', 'the timeline runs past the year 275760; use fewer rows or a smaller step');
  return { start: new Date(startMs).toISOString(), startMs, stepMs, rows };
}

function checkDurationRange(c: Checker, raw: unknown, path: string, stepMs: number | undefined): [number, number] | undefined {
  if (raw === undefined) return c.fail(path, 'required: [min, max] rows (or durations such as ["20s", "5m"])');
  const pair = typeof raw === 'number' || typeof raw === 'string' ? [raw, raw] : raw;
  if (!Array.isArray(pair) || pair.length !== 2) return c.fail(path, `expected [min, max], got ${describe(raw)}`);
  const out: number[] = [];
  for (let i = 0; i < 2; i++) {
    const v = pair[i] as unknown;
    const p = join(path, i);
    if (typeof v === 'string') {
      const ms = parseDurationMs(v);
      if (ms === undefined) return c.fail(p, `expected a row count or a duration such as "30s", got ${describe(v)}`);
      if (stepMs === undefined) return undefined;
      const rows = Math.round(ms / stepMs);
      if (rows < 1) return c.fail(p, `${v} is shorter than one step of the timeline`);
      out.push(rows);
    } else {
      const n = c.number(v, p, { integer: true, ge: 1 });
      if (n === undefined) return undefined;
      out.push(n);
    }
  }
  if (out[1]! < out[0]!) return c.fail(join(path, 1), `must be >= the minimum duration (${out[0]}), got ${out[1]}`);
  if (out[1]! > 1e7) return c.fail(join(path, 1), `must be at most 10,000,000 rows, got ${out[1]}`);
  return [out[0]!, out[1]!];
}

function checkAnomalies(c: Checker, raw: unknown, timeline: Timeline | undefined): AnomalyPlan | undefined {
  if (raw === undefined || raw === null) return { mode: 'none' };
  const o = c.object(raw, 'anomalies');
  if (!o) return undefined;
  c.keys(o, 'anomalies', ['frequency', 'count', 'duration']);
  if (o['frequency'] !== undefined && o['count'] !== undefined) {
    return c.fail('anomalies', "give either 'frequency' (growth-stable) or 'count' (exact, not growth-stable), not both");
  }
  if (o['frequency'] === undefined && o['count'] === undefined) {
    return c.fail('anomalies', "give 'frequency' (expected fraction of anomalous rows) or 'count' (exact number of events)");
  }
  const duration = checkDurationRange(c, o['duration'], 'anomalies.duration', timeline?.stepMs);
  if (o['frequency'] !== undefined) {
    const frequency = c.number(o['frequency'], 'anomalies.frequency', { ge: 0, lt: 1 });
    if (frequency === undefined || !duration) return undefined;
    if (frequency === 0) return { mode: 'none' };
    const max = maxFeasibleFrequency(duration[0], duration[1]);
    if (frequency > max) {
      return c.fail('anomalies.frequency', `at most ${max.toFixed(3)} of rows can be anomalous with durations ${duration[0]}–${duration[1]} rows (events never overlap and are separated by a normal row), got ${frequency}`);
    }
    return { mode: 'frequency', frequency, duration };
  }
  const count = c.number(o['count'], 'anomalies.count', { integer: true, ge: 0 });
  if (count === undefined || !duration) return undefined;
  if (count === 0) return { mode: 'none' };
  if (timeline && count * (duration[0] + 1) - 1 > timeline.rows) {
    return c.fail('anomalies.count', `${count} events of at least ${duration[0]} rows (plus one normal row between events) do not fit in ${timeline.rows} rows`);
  }
  return { mode: 'count', count, duration };
}

/** Validates a parsed scenario document; returns the resolved scenario or every issue found. */
export function validateScenario(doc: unknown): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  const c = new Checker();
  const o = c.object(doc, '');
  if (!o) return { ok: false, issues: c.issues };
  c.keys(o, '', ['name', 'description', 'seed', 'timeline', 'anomalies', 'variables']);
  const name = o['name'] === undefined ? 'scenario' : c.string(o['name'], 'name');
  const seed = o['seed'] === undefined ? 0 : c.number(o['seed'], 'seed', { integer: true, ge: 0, le: Number.MAX_SAFE_INTEGER });
  if (o['description'] !== undefined && typeof o['description'] !== 'string') c.fail('description', `expected a string, got ${describe(o['description'])}`);
  const timeline = o['timeline'] === undefined ? c.fail('timeline', 'required') : checkTimeline(c, o['timeline']);
  const anomalies = checkAnomalies(c, o['anomalies'], timeline);
  const variables: Variable[] = [];
  const vars = o['variables'] === undefined ? c.fail('variables', 'required: at least one variable') : c.object(o['variables'], 'variables');
  if (vars) {
    if (Object.keys(vars).length === 0) c.fail('variables', 'must declare at least one variable');
    const streams = new Map<number, string>();
    for (const [vname, raw] of Object.entries(vars)) {
      const v = checkVariable(c, vname, raw, join('variables', vname));
      if (!v) continue;
      const other = streams.get(v.stream);
      if (other !== undefined) c.fail(join('variables', vname), `its random stream collides with variable '${other}'; rename one of them`);
      streams.set(v.stream, vname);
      variables.push(v);
    }
  }
  if (c.issues.length > 0 || name === undefined || seed === undefined || !timeline || !anomalies) {
    return { ok: false, issues: c.issues };
  }
  return { ok: true, scenario: { name, seed, timeline, anomalies, variables } };
}
