/**
 * Validation at the boundary: an untrusted parsed document becomes one fully-defaulted
 * Scenario, or a list of every problem with its path inside the file. Nothing downstream
 * re-checks user input.
 */
import { resolve } from 'node:path';
import { inputPath } from '../model/input-path.js';
import type { ScenarioIssue } from '../errors.js';
import { variableStream } from '../random/hash.js';
import { feasibleFrequencyText, maxFeasibleFrequency } from '../anomaly/rate.js';
import { VARIABLE_KINDS } from '../variables/registry.js';
import { Checker, describe, join, unknownChoice } from '../model/checker.js';
import { calendarProblem, FIRST_INSTANT_MS, parseDurationMs, parseInstantMs, timelineEndProblem } from '../model/units.js';
import type { AnomalyPlan, Scenario, Timeline, Variable } from '../model/types.js';
import { checkUniqueness, keyChangedBy, measuredBesideUniqueness } from '../uniqueness/validate.js';
import { checkPlanAgainstVariables, checkPlanExtras, PLAN_EXTRA_KEYS } from '../anomaly/kinds/validate.js';
import { meanKindDuration } from '../anomaly/kinds/catalog.js';
import { checkDependencies } from '../variables/callback-order.js';
import { rowLimitProblems } from '../variables/row-limits.js';
import { periodProblems } from '../variables/process-validate.js';
import { resolveCorrelations } from './correlations.js';
import { expandCorrelatedEntries } from './correlated-entries.js';
import { checkSplits, splitsPlacementProblem } from './splits.js';
import { checkEntities } from '../fleet/validate.js';
import { twinClashMessage, twinNameClashes } from '../anomaly/kinds/clean-twin.js';
import { findPerEntity, validatePerEntity } from './per-entity.js';
import { checkOutages } from './outages.js';
import { checkLimits } from './limits.js';
import { splitCount } from '../fleet/count-split.js';

/** Names the engine writes itself; a variable may not take them. */
export const RESERVED_COLUMNS = ['timestamp', 'is_anomaly', 'anomaly_id'] as const;
/** Largest dataset a scenario may ask for (keeps row indices and timestamps exact). */
const MAX_ROWS = 1e12;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words other generators use for the anomalies block's keys. */
const ANOMALY_KEY_ALIASES = { rate: 'frequency', fraction: 'frequency', probability: 'frequency', length: 'duration', kind: 'kinds', types: 'kinds' };
/**
 * The key holding a kind's distribution. A `dist` written on the variable itself is the
 * commonest first mistake; one message moving it there beats an unknown-key line per parameter.
 */
const DISTRIBUTION_HOME: Readonly<Record<string, string>> = { stochastic: 'normal', correlated: 'marginal' };

function checkInstant(c: Checker, v: unknown, path: string): number | undefined {
  const ms = typeof v === 'string' ? parseInstantMs(v) : undefined;
  // Timestamps are whole milliseconds (as a step is): a finer fraction would be dropped
  // without a word, moving every row from the instant written.
  const fraction = typeof v === 'string' ? /:\d{2}\.\d{3}(\d+)/.exec(v) : null;
  if (ms !== undefined && fraction && /[1-9]/.test(fraction[1]!)) return c.fail(path, `timestamps are whole milliseconds; '${v}' has a finer fraction of a second (write at most three digits after the point)`);
  if (ms !== undefined) return ms;
  // A day past its month's end is named as such; anything else is not an instant at all.
  const bad = typeof v === 'string' ? calendarProblem(v) : undefined;
  return c.fail(path, bad !== undefined && (bad.includes('month has') || bad.includes('leap second')) ? bad : `expected an ISO 8601 instant such as "2024-01-01T00:00:00Z", got ${describe(v)}`);
}

function checkTimeline(c: Checker, raw: unknown): Timeline | undefined {
  const o = c.object(raw, 'timeline');
  if (!o) return undefined;
  c.keys(o, 'timeline', ['start', 'step', 'rows', 'end', 'jitter']);
  const start = o['start'] ?? '1970-01-01T00:00:00Z';
  const startMs = checkInstant(c, start, 'timeline.start');
  let stepMs: number | undefined;
  const step = o['step'] ?? '1s';
  if (typeof step !== 'string' || (stepMs = parseDurationMs(step)) === undefined) {
    // A month or a year is no fixed number of milliseconds, so no step of rows.
    const calendar = typeof step === 'string' && /^\s*(\d+\s*(mo|mos|months?|y|yr|yrs|years?)|P\d+[YM].*)\s*$/.test(step) ? ': months and years have no fixed length (a calendar step is not supported; write days, such as "30d")' : '';
    c.fail('timeline.step', `expected a duration such as "500ms", "1s", "5m", "1h", "1d" or "PT5M", got ${describe(step)}${calendar}`);
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
  const jitterMs = o['jitter'] === undefined || stepMs === undefined ? undefined : checkJitter(c, o['jitter'], stepMs, String(step));
  if (startMs === undefined || stepMs === undefined || rows === undefined || (o['jitter'] !== undefined && jitterMs === undefined)) return undefined;
  const late = timelineEndProblem(startMs, stepMs, rows, jitterMs);
  if (late !== undefined) return c.fail('timeline', late);
  if (jitterMs !== undefined && startMs - jitterMs < FIRST_INSTANT_MS) return c.fail('timeline.jitter', `would move row 0 before 0000-01-01T00:00:00Z, the first instant ISO 8601 timestamps can write; start later or jitter less`);
  // The seed is put in when the scenario is whole (validateScenario).
  return { start: new Date(startMs).toISOString(), startMs, stepMs, rows, ...(jitterMs !== undefined ? { jitter: { ms: jitterMs, seed: 0 } } : {}) };
}

/** `timeline.jitter`: whole milliseconds, under half a step so timestamps keep increasing. */
function checkJitter(c: Checker, raw: unknown, stepMs: number, step: string): number | undefined {
  const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
  if (ms === undefined) return c.fail('timeline.jitter', `expected a duration such as "100ms" (each row's timestamp moves by at most that much), got ${describe(raw)}`);
  if (!Number.isInteger(ms) || ms < 1) return c.fail('timeline.jitter', `must be a whole number of milliseconds >= 1ms, got ${String(raw)}`);
  const most = Math.floor((stepMs - 1) / 2);
  // Under 3ms no whole-millisecond jitter is under half a step: say so, not "at most 0ms".
  const room = most >= 1 ? `at most ${most}ms keeps the timestamps increasing` : `a step of ${step} leaves no room for one (jitter needs a step of at least 3ms)`;
  if (2 * ms >= stepMs) return c.fail('timeline.jitter', `${String(raw)} is not under half the step (${step}): two rows moved toward each other could swap or meet; ${room}`);
  return ms;
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

/** The duration kinds default to when the plan places no event: checked against, never used. */
const UNUSED_DURATION: [number, number] = [1, 1];

function checkAnomalies(c: Checker, raw: unknown, timeline: Timeline | undefined, resolveFile: (file: string) => string): AnomalyPlan | undefined {
  if (raw === undefined || raw === null) return { mode: 'none' };
  const o = c.object(raw, 'anomalies');
  if (!o) return undefined;
  c.keys(o, 'anomalies', ['frequency', 'count', 'duration', ...PLAN_EXTRA_KEYS], ANOMALY_KEY_ALIASES);
  if (o['frequency'] !== undefined && o['count'] !== undefined) {
    return c.fail('anomalies', "give either 'frequency' (growth-stable) or 'count' (exact, not growth-stable), not both");
  }
  if (o['frequency'] === undefined && o['count'] === undefined) {
    return c.fail('anomalies', "give 'frequency' (expected fraction of anomalous rows) or 'count' (exact number of events)");
  }
  // Kinds: with `kinds`, the top-level duration is only the default of entries
  // without their own, and the rate and fit checks use the kinds' durations.
  const kindsOnly = o['kinds'] !== undefined && o['duration'] === undefined;
  // `frequency: 0` or `count: 0` places no event (anomalies switched off), so no duration is
  // used: none is required, of the plan or of its kinds; one that is given is still checked.
  const placesNothing = (o['frequency'] === 0 || o['count'] === 0) && o['duration'] === undefined;
  const topDuration = kindsOnly || placesNothing ? undefined : checkDurationRange(c, o['duration'], 'anomalies.duration', timeline?.stepMs);
  const extras = checkPlanExtras(c, o, timeline?.stepMs, (r, p) => checkDurationRange(c, r, p, timeline?.stepMs), placesNothing ? UNUSED_DURATION : topDuration, resolveFile);
  if (!extras) return undefined;
  const { envelope, ...planExtras } = extras;
  // With kinds, the plan's duration is the envelope of the kinds' ranges (what events can be).
  const duration = envelope ?? topDuration;
  const noneMode = (): AnomalyPlan => ({ mode: 'none', ...(planExtras.cleanTwin ? { cleanTwin: planExtras.cleanTwin } : {}) });
  const mean = planExtras.kinds ? meanKindDuration(planExtras.kinds) : undefined;
  if (o['frequency'] !== undefined) {
    const frequency = c.number(o['frequency'], 'anomalies.frequency', { ge: 0, lt: 1 });
    if (frequency === 0) return noneMode();
    if (frequency === undefined || !duration) return undefined;
    const max = mean !== undefined ? maxFeasibleFrequency(mean, mean) : maxFeasibleFrequency(duration[0], duration[1]);
    if (frequency > max) {
      const what = mean !== undefined ? `a mean duration of ${mean.toFixed(1)} rows over the kinds` : `durations ${duration[0]}–${duration[1]} rows`;
      return c.fail('anomalies.frequency', `at most ${feasibleFrequencyText(max)} of rows can be anomalous with ${what} (events never overlap and are separated by a normal row), got ${frequency}`);
    }
    return { mode: 'frequency', frequency, duration, ...planExtras };
  }
  const count = c.number(o['count'], 'anomalies.count', { integer: true, ge: 0 });
  if (count === 0) return noneMode();
  if (count === undefined || !duration) return undefined;
  if (timeline && count * (duration[0] + 1) - 1 > timeline.rows) {
    return c.fail('anomalies.count', `${count} events of at least ${duration[0]} rows (plus one normal row between events) do not fit in ${timeline.rows} rows`);
  }
  return { mode: 'count', count, duration, ...planExtras };
}

/** Checks what every variable shares (name, type, description), then hands over to its kind. */
function checkVariable(c: Checker, name: string, raw: unknown, path: string, stream: number, baseDir: string, allowNonFinite: boolean): Variable | undefined {
  if (!NAME_RE.test(name)) return c.fail(path, `variable names must start with an ASCII letter (A–Z, a–z) or _ and hold only those, digits and _, got ${JSON.stringify(name)}`);
  // Readers such as DuckDB match column names without regard to case: IS_ANOMALY is is_anomaly.
  const reserved = RESERVED_COLUMNS.find((r) => r === name.toLowerCase());
  if (reserved) return c.fail(path, `'${name}' is ${reserved === name ? '' : `'${reserved}' in another case, `}a column paranom writes itself (readers such as DuckDB ignore case); choose another name`);
  const o = c.object(raw, path);
  if (!o) return undefined;
  const type = o['type'] ?? 'stochastic';
  const kinds = Object.keys(VARIABLE_KINDS);
  // Own keys only: `valueOf` or `constructor` would otherwise find Object.prototype's.
  const kind = typeof type === 'string' && Object.hasOwn(VARIABLE_KINDS, type) ? VARIABLE_KINDS[type] : undefined;
  if (!kind) {
    return c.fail(join(path, 'type'), unknownChoice('variable type', type, kinds));
  }
  const home = typeof type === 'string' && Object.hasOwn(DISTRIBUTION_HOME, type) ? DISTRIBUTION_HOME[type]! : undefined;
  if (home !== undefined && o['dist'] !== undefined && o[home] === undefined) return c.fail(path, misplacedDistribution(name, type as string, home, o, ['type', 'description', 'limits', ...kind.keys]));
  c.keys(o, path, ['type', 'description', ...kind.keys, 'limits']);
  if (o['description'] !== undefined && typeof o['description'] !== 'string') c.fail(join(path, 'description'), `expected a string, got ${describe(o['description'])}`);
  const resolveFile = (file: string) => inputPath(baseDir, file);
  const v = kind.validate(c, { name, stream, path, raw: o, resolveFile, allowNonFinite });
  if (!v || o['limits'] === undefined) return v;
  const limits = checkLimits(c, o['limits'], join(path, 'limits'), v);
  return limits ? { ...v, limits } : undefined;
}

/** Says where a distribution written on the variable goes, with the user's own keys moved there. */
function misplacedDistribution(name: string, type: string, home: string, o: Record<string, unknown>, own: readonly string[]): string {
  const moved = Object.keys(o).filter((k) => !own.includes(k));
  const inner = moved.map((k) => `${k}: ${flowValue(o[k])}`).join(', ');
  const anomalous = home === 'normal' ? " (and the anomalous one under 'anomalous:')" : '';
  return `a distribution goes under '${home}:'${anomalous}, not on the variable itself: write ${name}: { type: ${type}, ${home}: { ${inner} } }`;
}

/** A value as it would be written in flow-style YAML: plain where that reads back the same, else as JSON. */
function flowValue(v: unknown): string {
  if (typeof v === 'string' && /^[A-Za-z_][\w.-]*$/.test(v) && !['true', 'false', 'null', 'yes', 'no', 'on', 'off'].includes(v.toLowerCase())) return v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * Splits what belongs to fleets (`outages`, `count_per`) from the rest of the anomalies
 * block. A fleet-wide count is checked per entity (fleet/count-split.ts), so the block is
 * checked here with one event, and its count put back after.
 */
function splitFleetAnomalies(raw: unknown): { inner: unknown; outagesRaw: unknown; countPer: unknown; fleetCount: unknown } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('outages' in raw || 'count_per' in raw)) return { inner: raw, outagesRaw: undefined, countPer: undefined, fleetCount: undefined };
  const { outages, count_per: countPer, ...rest } = raw as Record<string, unknown>;
  const fleetCount = countPer === 'fleet' && typeof rest['count'] === 'number' ? rest['count'] : undefined;
  if (fleetCount !== undefined && Number.isSafeInteger(fleetCount) && fleetCount >= 1) rest['count'] = 1;
  // Outages alone (no events per entity): the entities' own plan is none.
  return { inner: Object.keys(rest).length === 0 ? undefined : rest, outagesRaw: outages, countPer, fleetCount };
}

/** `count_per: fleet`: the fleet-wide count back in the plan, and each entity's share fitting its timeline. */
function checkCountPer(c: Checker, countPer: unknown, fleetCount: unknown, anomalies: AnomalyPlan | undefined, fleet: { count: number } | undefined, seed: number | undefined, timeline: Timeline | undefined): AnomalyPlan | undefined {
  if (countPer === undefined || countPer === 'entity') return anomalies;
  if (!fleet) return c.fail('anomalies.count_per', 'applies to fleets (entities:)');
  if (countPer !== 'fleet') return c.fail('anomalies.count_per', `expected entity or fleet, got ${describe(countPer)}`);
  if (!anomalies || anomalies.mode !== 'count' || typeof fleetCount !== 'number' || seed === undefined || !timeline) {
    if (anomalies && anomalies.mode !== 'count') c.fail('anomalies.count_per', "fleet spreads anomalies.count over the fleet; it needs 'count'");
    return undefined;
  }
  const shares = splitCount(seed, fleetCount, fleet.count);
  const most = shares.reduce((m, x) => Math.max(m, x), 0);
  if (most * (anomalies.duration[0] + 1) - 1 > timeline.rows) return c.fail('anomalies.count', `an entity takes ${most} of the fleet's ${fleetCount} events; ${most} events of at least ${anomalies.duration[0]} rows do not fit in its ${timeline.rows} rows`);
  return { ...anomalies, count: fleetCount };
}

/** Splits `uniqueness.scope` (a fleet's) from the rest of the uniqueness block. */
function uniquenessScope(raw: unknown): { scope: unknown; rawUniqueness: unknown } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !('scope' in raw)) return { scope: undefined, rawUniqueness: raw };
  const { scope, ...rest } = raw as Record<string, unknown>;
  return { scope, rawUniqueness: rest };
}

/** `callback_timeout`: a duration ("30s", "2m") or seconds, from 10 ms to one day. */
function checkCallbackTimeout(c: Checker, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'number' ? raw * 1000 : typeof raw === 'string' ? parseDurationMs(raw) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 10 || ms > 86_400_000) return c.fail('callback_timeout', `expected a duration from 10ms to 1d (such as "30s"), got ${describe(raw)}`);
  return Math.round(ms);
}

/**
 * Validates a parsed scenario document; `baseDir` is the scenario file's folder, against
 * which files named in the scenario are resolved.
 */
export function validateScenario(doc: unknown, options: { baseDir?: string } = {}): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  const c = new Checker();
  const o = c.object(doc, '');
  if (!o) return { ok: false, issues: c.issues };
  // Per-entity parameters: validated at the values drawn over the fleet (reader/per-entity.ts).
  const perEntity = findPerEntity(o);
  if (perEntity.length > 0) return validatePerEntity(o, perEntity, options.baseDir ?? process.cwd(), (plain) => validateScenario(plain, options));
  c.keys(o, '', ['name', 'description', 'seed', 'timeline', 'anomalies', 'variables', 'uniqueness', 'callback_timeout', 'allow_non_finite', 'entities', 'correlations', 'splits']);
  const allowNonFinite = o['allow_non_finite'] === undefined || o['allow_non_finite'] === false ? false : o['allow_non_finite'] === true ? true : c.fail('allow_non_finite', `expected true or false, got ${describe(o['allow_non_finite'])}`) ?? false;
  const callbackTimeoutMs = checkCallbackTimeout(c, o['callback_timeout']);
  const name = o['name'] === undefined ? 'scenario' : c.string(o['name'], 'name');
  const seed = o['seed'] === undefined ? 0 : c.number(o['seed'], 'seed', { integer: true, ge: 0, le: Number.MAX_SAFE_INTEGER });
  if (o['description'] !== undefined && typeof o['description'] !== 'string') c.fail('description', `expected a string, got ${describe(o['description'])}`);
  const timeline = o['timeline'] === undefined ? c.fail('timeline', 'required') : checkTimeline(c, o['timeline']);
  // `anomalies.outages` belongs to fleets (reader/outages.ts); the rest is one series' plan.
  const { inner: rawAnomalies, outagesRaw, countPer, fleetCount } = splitFleetAnomalies(o['anomalies']);
  const checkedAnomalies = checkAnomalies(c, rawAnomalies, timeline, (file) => inputPath(options.baseDir ?? process.cwd(), file));
  const variables: Variable[] = [];
  const vars = o['variables'] === undefined ? c.fail('variables', 'required: at least one variable') : c.object(o['variables'], 'variables');
  // Inline groups (`type: correlated` with a matrix) declare their members as variables.
  const expanded = expandCorrelatedEntries(c, vars ?? {}, o['correlations']);
  if (vars) {
    if (Object.keys(vars).length === 0) c.fail('variables', 'must declare at least one variable');
    const streams = new Map<number, string>();
    const lower = new Map<string, string>();
    for (const { name: vname, raw, path } of expanded.entries) {
      const same = lower.get(vname.toLowerCase());
      if (same !== undefined) {
        c.fail(path, same === vname ? `variable '${vname}' is declared twice (a correlated group's members are variables too); rename one of them` : `differs from variable '${same}' only in case; readers such as DuckDB would see one column — rename one of them`);
        continue;
      }
      lower.set(vname.toLowerCase(), vname);
      const v = checkVariable(c, vname, raw, path, variableStream(vname), options.baseDir ?? process.cwd(), allowNonFinite);
      if (!v) continue;
      const other = streams.get(v.stream);
      if (other !== undefined) c.fail(path, `its random stream collides with variable '${other}'; rename one of them`);
      streams.set(v.stream, vname);
      variables.push(v);
    }
  }
  // Callback dependencies (`after:`) and the targets of anomaly kinds.
  const declared = expanded.entries.map((e) => e.name);
  // Groups link their members before kinds resolve targets (decorrelate acts on members).
  const correlations = resolveCorrelations(c, expanded.groups, variables, declared, new Map(expanded.entries.map((e) => [e.name, e])));
  checkDependencies(c, variables, declared);
  if (checkedAnomalies) checkPlanAgainstVariables(c, checkedAnomalies, variables, declared, correlations);
  if (timeline) for (const v of variables) if (v.type === 'process') for (const p of periodProblems(v, timeline.stepMs)) c.fail(`${join(join('variables', v.name), 'components')}[${p.component}].period`, p.message);
  if (timeline) for (const p of rowLimitProblems({ variables, timeline, baseDir: options.baseDir ?? process.cwd(), ...(allowNonFinite ? { allowNonFinite: true as const } : {}) }, timeline.rows)) c.fail(join('variables', p.variable), p.message);
  // `uniqueness.scope` belongs to fleets; the rest of the block is the one-series uniqueness.
  const { scope, rawUniqueness } = uniquenessScope(o['uniqueness']);
  const uniqueness = checkUniqueness(c, rawUniqueness, variables, declared);
  // Uniqueness decides keys from generated values before anomaly kinds change them, so a
  // kind acting on a key could make written keys collide: refuse that combination.
  if (uniqueness && checkedAnomalies && checkedAnomalies.mode !== 'none') {
    // Events are measured (min_effect, label: changed) on values before uniqueness redraws
    // keys: only where no measured value can depend on a key's attempt.
    const measured = checkedAnomalies.minEffect ? 'min_effect' : checkedAnomalies.label ? 'label' : undefined;
    const unmeasured = measured ? measuredBesideUniqueness(uniqueness, variables) : undefined;
    if (unmeasured) c.fail(`anomalies.${measured}`, `${measured === 'label' ? "'changed'" : 'measuring events'} beside uniqueness: ${unmeasured}`);
    (checkedAnomalies.kinds ?? []).forEach((k, i) => {
      const hit = keyChangedBy(uniqueness, `${k.kind} events`, k.variables);
      if (hit) c.fail(`anomalies.kinds[${i}]`, hit);
    });
  }
  const outages = outagesRaw === undefined ? undefined : o['entities'] === undefined ? c.fail('anomalies.outages', 'outages hit many entities at once: they need a fleet (entities:)') : checkOutages(c, outagesRaw, timeline, variables, (r, p) => checkDurationRange(c, r, p, timeline?.stepMs), declared);
  // An outage changes its targets' generated values after uniqueness decided the keys, as a kind would.
  const outageHit = uniqueness && outages ? keyChangedBy(uniqueness, `${outages.kind} outages`, outages.variables) : undefined;
  if (outageHit) c.fail('anomalies.outages', outageHit);
  const entities = o['entities'] === undefined ? undefined : checkEntities(c, o['entities'], [...RESERVED_COLUMNS, ...declared], options.baseDir ?? process.cwd(), outagesRaw !== undefined);
  const anomalies = checkCountPer(c, countPer, fleetCount, checkedAnomalies, entities, seed, timeline);
  if (checkedAnomalies?.cleanTwin) {
    const clash = twinNameClashes({ anomalies: checkedAnomalies, variables, entities: entities ? { key: entities.key, outages } : undefined });
    if (clash.length > 0) c.fail('anomalies.clean_twin', twinClashMessage(clash, 'the clean twin'));
  }
  if (scope !== undefined && o['entities'] === undefined) c.fail('uniqueness.scope', 'applies to fleets (entities:); a single series is its own scope');
  else if (scope !== undefined && scope !== 'entity') c.fail('uniqueness.scope', scope === 'fleet' ? "'fleet' (unique across all entities) is not supported yet; use scope: entity (unique within each entity), or give each entity its own key values" : `expected entity, got ${describe(scope)}`);
  const splits = o['splits'] === undefined ? undefined : checkSplits(c, o['splits'], timeline);
  const placement = splits && anomalies ? splitsPlacementProblem(anomalies.mode, outages?.mode) : undefined;
  if (placement) c.fail('splits', placement);
  if (c.issues.length > 0 || name === undefined || seed === undefined || !timeline || !anomalies || uniqueness === undefined || (o['entities'] !== undefined && !entities)) {
    return { ok: false, issues: c.issues };
  }
  return { ok: true, scenario: { name, seed, timeline: timeline.jitter ? { ...timeline, jitter: { ms: timeline.jitter.ms, seed } } : timeline, anomalies, variables, uniqueness, ...(entities ? { entities: { ...entities, ...(uniqueness ? { uniquenessScope: 'entity' as const } : {}), params: [], ...(outages ? { outages } : {}), ...(countPer === 'fleet' ? { countPer: 'fleet' as const } : {}) } } : {}), baseDir: resolve(options.baseDir ?? process.cwd()), ...(callbackTimeoutMs !== undefined ? { callbackTimeoutMs } : {}), ...(allowNonFinite ? { allowNonFinite: true as const } : {}), ...(correlations ? { correlations } : {}), ...(splits ? { splits } : {}) } };
}
