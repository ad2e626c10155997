/**
 * Validation of `anomalies.kinds`: a weighted list of kinds, each with its parameters, an
 * optional duration range of its own and an optional list of target variables. Targets
 * are resolved once the variables are known (resolveKindTargets).
 */
import { recordedPath } from '../../model/input-path.js';
import { Checker, checkNameList, describe, join, noSuchVariable, unknownChoice } from '../../model/checker.js';
import { parseDurationMs, spellDurationMs } from '../../model/units.js';
import type { AnomalyKindName, AnomalyKindSpec, AnomalyPlan, CorrelationGroup, LearnedModelRef, MinEffect, ProcessVariable, Variable } from '../../model/types.js';
import { readVaeCodec } from '../../vae/model.js';
import { downsampleOf } from '../../vae/downsample.js';
import { ModelFormatError } from '../../vae/layers-format.js';
import { actsOnComponents, KIND_NAMES, KIND_PARAMS, type ParamDef } from './catalog.js';
import { valueSetOf, valueSetRefusal } from './value-set.js';
import { isShapeKind } from './shapes.js';

const NUMERIC = ['float64', 'float32', 'int32', 'int64'];
const SEASONAL = ['sine', 'square', 'sawtooth', 'triangle'];
/** Variable types a kind acts on unless its `variables` say otherwise (vae variables make their own anomalies). */
const DEFAULT_TARGET_TYPES: readonly string[] = ['stochastic', 'callback', 'process', 'source', 'correlated'];

function checkRange(c: Checker, raw: unknown, path: string, def: Extract<ParamDef, { type: 'range' }>): [number, number] | undefined {
  const pair = typeof raw === 'number' ? [raw, raw] : raw;
  if (!Array.isArray(pair) || pair.length !== 2) return c.fail(path, `expected a number or [min, max], got ${describe(raw)}`);
  const rule = { ...(def.gt !== undefined ? { gt: def.gt } : {}), ...(def.ge !== undefined ? { ge: def.ge } : {}), ...(def.lt !== undefined ? { lt: def.lt } : {}), ...(def.le !== undefined ? { le: def.le } : {}) };
  const lo = c.number(pair[0], typeof raw === 'number' ? path : join(path, 0), rule);
  // A single number is both ends: checked once, so a bad one is reported once.
  const hi = typeof raw === 'number' ? lo : c.number(pair[1], join(path, 1), rule);
  if (lo === undefined || hi === undefined) return undefined;
  if (hi < lo) return c.fail(join(path, 1), `must be >= the minimum (${lo}), got ${hi}`);
  return [lo, hi];
}

function checkSpan(c: Checker, raw: unknown, path: string, stepMs: number | undefined): [number, number] | undefined {
  if (typeof raw === 'string') {
    const ms = parseDurationMs(raw);
    if (ms === undefined || ms <= 0) return c.fail(path, `expected a row count or a duration such as "30s", got ${describe(raw)}`);
    if (stepMs === undefined) return undefined;
    // Rows are a step apart: a duration under one step names no row (a replay would be moved
    // a whole step all the same), as for the anomaly durations and split lengths.
    if (ms < stepMs) return c.fail(path, `${raw} is shorter than one step of the timeline (${spellDurationMs(stepMs)}); give at least one step, or a row count`);
    return [ms / stepMs, ms / stepMs];
  }
  const n = c.number(raw, path, { gt: 0 });
  return n === undefined ? undefined : [n, n];
}

/**
 * Checks the `kinds` list. `checkDuration` validates a duration range as `anomalies.duration`
 * does; `fallback` is that top-level range (undefined when absent or invalid).
 */
function checkKinds(
  c: Checker,
  raw: unknown,
  stepMs: number | undefined,
  checkDuration: (raw: unknown, path: string) => [number, number] | undefined,
  fallback: [number, number] | undefined,
  hasFallback: boolean,
  resolveFile: (file: string) => string,
): AnomalyKindSpec[] | undefined {
  const path = 'anomalies.kinds';
  if (!Array.isArray(raw) || raw.length === 0) return c.fail(path, `expected a non-empty list of kinds such as [{ kind: spike, magnitude: 5 }], got ${describe(raw)}`);
  const out: AnomalyKindSpec[] = [];
  let ok = true;
  raw.forEach((entry, i) => {
    const p = join(path, i);
    const o = c.object(entry, p);
    if (!o) return void (ok = false);
    const kind = o['kind'];
    if (typeof kind !== 'string' || !(KIND_NAMES as readonly string[]).includes(kind)) {
      c.fail(join(p, 'kind'), unknownChoice('anomaly kind', kind, KIND_NAMES));
      return void (ok = false);
    }
    const name = kind as AnomalyKindName;
    const defs = KIND_PARAMS[name];
    c.keys(o, p, ['kind', 'weight', 'duration', 'variables', ...(name === 'learned' ? ['model'] : []), ...Object.keys(defs)]);
    const weight = o['weight'] === undefined ? 1 : c.number(o['weight'], join(p, 'weight'), { gt: 0 });
    let duration: [number, number] | undefined;
    if (o['duration'] !== undefined) duration = checkDuration(o['duration'], join(p, 'duration'));
    else if (!hasFallback) c.fail(join(p, 'duration'), "required when 'anomalies.duration' is not given");
    else duration = fallback;
    // An empty list would read as no list at all (the default targets): say so instead.
    const variables = Array.isArray(o['variables']) && o['variables'].length === 0 ? c.fail(join(p, 'variables'), "an empty list names no variable; leave 'variables' out for the default targets, or name at least one") : checkNameList(c, o['variables'], join(p, 'variables'));
    const params: Record<string, [number, number] | string> = {};
    for (const [key, def] of Object.entries(defs)) {
      const v = o[key];
      const pp = join(p, key);
      if (def.type === 'choice') {
        if (v === undefined) params[key] = def.default;
        else if (typeof v === 'string' && (def.values.includes(v) || (def.names && v !== ''))) params[key] = v;
        else ok = c.fail(pp, `expected one of: ${def.values.join(', ')}, got ${describe(v)}`) ?? false;
      } else if (def.type === 'span') {
        if (v === undefined) continue;
        const r = checkSpan(c, v, pp, stepMs);
        if (r) params[key] = r;
        else ok = false;
      } else if (v === undefined) {
        if (def.required) ok = c.fail(pp, `required: ${def.description}`) ?? false;
        else if (def.default !== undefined) params[key] = typeof def.default === 'number' ? [def.default, def.default] : def.default;
      } else {
        const r = checkRange(c, v, pp, def);
        if (r) params[key] = r;
        else ok = false;
      }
    }
    if (name === 'variance' && o['factor'] === undefined && o['sd'] === undefined) {
      ok = c.fail(p, "variance needs 'factor' (multiplies the noise of process variables) or 'sd' (adds Gaussian noise), or both") ?? false;
    }
    if (name === 'noise' && params['wave_period'] !== undefined) {
      // Unused without a wave, and read at whole rows: under 2 rows a wave aliases, as a
      // process component's period would (a period of 1 row puts every row at one phase).
      const period = (params['wave_period'] as [number, number])[0];
      const waves = (defs['wave'] as Extract<ParamDef, { type: 'choice' }>).values.filter((w) => w !== 'none');
      if (params['wave'] === 'none') ok = c.fail(join(p, 'wave_period'), `shapes a wave, and there is none: add wave (${waves.join(', ')}), or remove wave_period`) ?? false;
      else if (period < 2) ok = c.fail(join(p, 'wave_period'), `a period of ${period} row${period === 1 ? '' : 's'} is under 2 rows: the wave is read at whole rows, so it would alias; give at least 2 rows`) ?? false;
    }
    if (name === 'replay' && o['lag'] === undefined) ok = c.fail(join(p, 'lag'), 'required: how far away the replayed segment comes from, in rows or as a duration such as "12h"') ?? false;
    let learned: LearnedModelRef | undefined;
    if (name === 'learned') {
      learned = checkLearnedModel(c, o['model'], join(p, 'model'), resolveFile);
      if (!learned) ok = false;
    }
    if (weight === undefined || !duration || !variables) return void (ok = false);
    // Targets are resolved later; an explicit list is kept as given until then.
    out.push({ kind: name, weight, duration, params, variables, ...(learned ? { learned } : {}) });
  });
  return ok && out.length === raw.length ? out : undefined;
}

/** Reads a `learned` kind's model (a directory written by train-vae, relative to the scenario). */
function checkLearnedModel(c: Checker, raw: unknown, path: string, resolveFile: (file: string) => string): LearnedModelRef | undefined {
  if (typeof raw !== 'string' || raw === '') return c.fail(path, `required: a model directory written by 'paranom train-vae', relative to the scenario, such as models/NAME; got ${describe(raw)}`);
  const dir = resolveFile(raw);
  try {
    const m = readVaeCodec(dir);
    return { model: recordedPath(raw), sha256: m.codecSha256, window: m.meta.window * downsampleOf(m.meta), channels: [...m.meta.channels], channelVariables: [] };
  } catch (err) {
    if (err instanceof ModelFormatError) return c.fail(path, err.message);
    const e = err as NodeJS.ErrnoException;
    return c.fail(path, e.code === 'ENOENT' ? `'${raw}': missing model file ${e.path ?? ''}` : `'${raw}': cannot read the model (${e.message})`);
  }
}

/** A member of a correlation group: a correlated variable, or a process whose noise is linked to one. */
function inCorrelationGroup(v: Variable): boolean {
  return v.type === 'correlated' || (v.type === 'process' && v.components.some((comp) => comp.type === 'noise' && comp.dist === 'normal' && comp.link !== undefined));
}

function hasComponent(v: Variable, types: readonly string[]): boolean {
  return v.type === 'process' && (v as ProcessVariable).components.some((c) => types.includes(c.type));
}

/**
 * Why a kind that rebuilds an event from the clean series around it (shape kinds, learned)
 * cannot act on a source that keeps its missing readings as nulls: that series has them.
 */
function gapRefusal(spec: AnomalyKindSpec, v: Variable): string | undefined {
  if (v.type !== 'source' || v.missing !== 'keep' || !(isShapeKind(spec.kind) || spec.kind === 'learned')) return undefined;
  return `source '${v.name}' keeps its missing readings as nulls (missing: keep), and '${spec.kind}' reshapes an event from the clean series around it, gaps and all; write missing: hold on '${v.name}' to use '${spec.kind}' on it`;
}

/** Why a kind cannot act on a variable, or undefined when it can. */
function incompatibility(spec: AnomalyKindSpec, v: Variable): string | undefined {
  if (!NUMERIC.includes(v.dtype)) return `'${v.name}' is a ${v.dtype} variable; anomaly kinds act on numeric variables only (flat_line and dropout too); to make '${v.name}' anomalous, give it an 'anomalous' definition (for a categorical, the same values with other weights, or other values)`;
  if (v.type === 'id') return `'${v.name}' is an id variable, unique by construction; anomaly kinds do not act on it`;
  const gaps = gapRefusal(spec, v);
  if (gaps) return gaps;
  const acts = actsOnComponents(spec.kind, spec.params);
  if (acts.scores && !inCorrelationGroup(v)) return `'${v.name}' is in no correlation group; 'decorrelate' redraws the members of a group of 'correlations' (correlated variables and processes with linked noise)`;
  if (acts.seasonal && spec.kind === 'frequency' && !hasComponent(v, SEASONAL)) return `'${v.name}' is not a process with a seasonal component (${SEASONAL.join(', ')}), which 'frequency' changes`;
  if (acts.seasonal && v.type === 'process' && !hasComponent(v, SEASONAL)) return `process '${v.name}' has no seasonal component (${SEASONAL.join(', ')}) for 'amplitude' to scale`;
  if (acts.noise && spec.params['sd'] === undefined && !hasComponent(v, ['noise'])) return `'${v.name}' is not a process with a noise component, which 'variance' with only 'factor' scales (give 'sd' to add noise to any variable)`;
  return valueSetRefusal(spec, v);
}

/**
 * Resolves each kind's target variables: those it names, or by default every numeric
 * variable without an `anomalous` definition of its own that the kind can act on, value-set
 * variables (categorical, Bernoulli, constant: labels, not magnitudes) left out.
 */
function resolveKindTargets(c: Checker, kinds: AnomalyKindSpec[], variables: readonly Variable[], declared: readonly string[], groups: readonly CorrelationGroup[] = []): void {
  kinds.forEach((spec, i) => resolveTargets(c, spec, i, variables, declared));
  kinds.forEach((spec, i) => {
    // A correlation break keeps its first target and reverses the others: it needs two.
    if (spec.kind === 'correlation_break' && spec.variables.length === 1) c.fail(join(join('anomalies.kinds', i), 'variables'), `correlation_break needs at least two variables that move together (the first is kept, the others reversed), got ${spec.variables[0]}`);
    const channel = spec.params['channel'];
    if (spec.kind === 'lag' && channel !== 'any' && !spec.variables.includes(channel as string)) c.fail(join(join('anomalies.kinds', i), 'channel'), `'${String(channel)}' is not among the kind's variables (${spec.variables.join(', ')}); name one of them, or 'any' to draw it per event`);
    if (spec.kind === 'decorrelate' && spec.params['mode'] === 'flip') {
      // Flipping every member of a group negates all its scores, which keeps every correlation.
      const whole = groups.find((g) => g.variables.every((n) => spec.variables.includes(n)));
      if (whole) c.fail(join(join('anomalies.kinds', i), 'variables'), `mode flip reverses the named variables' correlation with the rest of their group, but it names all of group '${whole.name}' (${whole.variables.join(', ')}); leave at least one out, or use mode remove`);
    }
  });
}

function resolveTargets(c: Checker, spec: AnomalyKindSpec, i: number, variables: readonly Variable[], declared: readonly string[]): void {
  {
    const p = join('anomalies.kinds', i);
    const channels = spec.learned?.channels ?? [];
    if (spec.learned && channels.length > 1) {
      // A multi-channel model encodes its channels together: one variable per channel, in order.
      const named = spec.variables.length > 0 ? spec.variables : channels;
      if (named.length !== channels.length) {
        c.fail(join(p, 'variables'), `the model has ${channels.length} channels (${channels.join(', ')}); name one variable per channel, in that order, got ${named.length}`);
        return;
      }
      if (spec.variables.length === 0 && !channels.every((ch) => declared.includes(ch))) {
        c.fail(join(p, 'variables'), `required: the model has channels ${channels.join(', ')}, which are not all variables; name one variable per channel, in that order`);
        return;
      }
      spec.learned.channelVariables = [...named];
      if (spec.variables.length === 0) spec.variables = [...named];
    }
    if (spec.variables.length > 0) {
      spec.variables.forEach((name, j) => {
        const v = variables.find((x) => x.name === name);
        if (!v) {
          // A variable that failed its own validation was reported already.
          if (!declared.includes(name)) c.fail(join(join(p, 'variables'), j), noSuchVariable(name, declared));
          return;
        }
        const why = incompatibility(spec, v);
        if (why) c.fail(join(join(p, 'variables'), j), why);
      });
      spec.variables = variables.filter((v) => spec.variables.includes(v.name)).map((v) => v.name);
      return;
    }
    const candidates = variables.filter((v) => DEFAULT_TARGET_TYPES.includes(v.type) && v.anomalous === null && NUMERIC.includes(v.dtype));
    const labels = candidates.filter((v) => valueSetOf(v) !== undefined);
    spec.variables = candidates.filter((v) => !labels.includes(v) && incompatibility(spec, v) === undefined).map((v) => v.name);
    if (spec.variables.length === 0 && variables.length === declared.length) {
      // Say why a value-set variable was passed over: the scenario may have nothing else.
      const left = labels.map((v) => `'${v.name}' is ${valueSetOf(v)!}`).join('; ');
      const why = labels.length === 0 ? '' : `; categorical, Bernoulli and constant variables are left out, their values being labels, not magnitudes (${left}; an 'anomalous' definition makes such a variable anomalous)`;
      const gaps = candidates.map((v) => gapRefusal(spec, v)).filter((x) => x !== undefined);
      c.fail(p, `no variable for '${spec.kind}' to act on: by default a kind acts on the numeric variables without an 'anomalous' definition${spec.kind === 'frequency' ? ' that are processes with a seasonal component' : ''}${why}; name its targets in 'variables'${gaps.map((g) => `; ${g}`).join('')}`);
    }
  }
}

/** Keys `anomalies` accepts for kinds, the clean twin, the effect floor and the labelling. */
export const PLAN_EXTRA_KEYS = ['kinds', 'clean_twin', 'min_effect', 'label', 'min_change', 'label_margin'] as const;

/**
 * The least change that labels a row under `label: changed`, in robust sd of its event's
 * clean context: a row moved by less is one a detector cannot tell from normal (a
 * crossfade's first rows, a deformation's zero crossings and shoulders), and labelling it
 * teaches alarms on normal data. Half an sd, not a hair (0.1, the earlier default): with
 * 0.1, nearly a third of the labelled rows of the whole generator (hand-written, shape and
 * learned kinds, `min_effect` 1) moved by less than one sd, and a detector trained on the
 * same data labelled at 0.5 found held-out generated anomalies better (the README's
 * "Long training", H5).
 */
export const DEFAULT_MIN_CHANGE = 0.5;

/** Attempts per event when `min_effect` gives none. */
const DEFAULT_EFFECT_TRIES = 8;

/** `min_effect: 0.5` or `min_effect: { value: 0.5, tries: 12, below: drop | normal }`. */
function checkMinEffect(c: Checker, raw: unknown, hasKinds: boolean): MinEffect | undefined {
  const path = 'anomalies.min_effect';
  if (!hasKinds) return c.fail(path, "needs 'anomalies.kinds': an event below the minimum is redrawn with other parameters or another kind");
  if (typeof raw === 'number') {
    const threshold = c.number(raw, path, { gt: 0 });
    return threshold === undefined ? undefined : { threshold, tries: DEFAULT_EFFECT_TRIES };
  }
  const o = c.object(raw, path);
  if (!o) return undefined;
  c.keys(o, path, ['value', 'tries', 'below']);
  const threshold = c.number(o['value'], join(path, 'value'), { gt: 0 });
  const tries = o['tries'] === undefined ? DEFAULT_EFFECT_TRIES : c.number(o['tries'], join(path, 'tries'), { integer: true, ge: 1, le: 64 });
  const below = o['below'] ?? 'drop';
  if (below !== 'drop' && below !== 'normal') return c.fail(join(path, 'below'), `${unknownChoice('choice', below, ['drop', 'normal'])} (what becomes of an event still below the minimum after its tries)`);
  return threshold === undefined || tries === undefined ? undefined : { threshold, tries, ...(below === 'normal' ? { below } : {}) };
}

/**
 * Checks `anomalies.kinds` and `anomalies.clean_twin`. Returns the plan extras and the
 * duration envelope of the kinds (the plan's `duration` when the top level gives none),
 * or undefined when something is wrong.
 */
export function checkPlanExtras(
  c: Checker,
  o: Record<string, unknown>,
  stepMs: number | undefined,
  checkDuration: (raw: unknown, path: string) => [number, number] | undefined,
  duration: [number, number] | undefined,
  resolveFile: (file: string) => string,
): { kinds?: AnomalyKindSpec[]; cleanTwin?: true; minEffect?: MinEffect; label?: 'changed'; minChange?: number; labelMargin?: [number, number]; envelope?: [number, number] } | undefined {
  let cleanTwin: true | undefined;
  if (o['clean_twin'] !== undefined) {
    if (typeof o['clean_twin'] !== 'boolean') return c.fail('anomalies.clean_twin', `expected true or false, got ${describe(o['clean_twin'])}`);
    if (o['clean_twin']) cleanTwin = true;
  }
  let label: 'changed' | undefined;
  if (o['label'] !== undefined) {
    if (o['label'] !== 'window' && o['label'] !== 'changed') return c.fail('anomalies.label', `expected 'window' (every row of an event; the default without min_effect) or 'changed' (only the rows whose values the event changed; the default with min_effect), got ${describe(o['label'])}`);
    if (o['label'] === 'changed') label = 'changed';
  } else if (o['min_effect'] !== undefined) {
    // A scenario that asks every event to have an effect labels where it has one: the
    // usefulness experiment's pre-registered test chose it (README, "The whole generator as
    // a user writes it").
    label = 'changed';
  }
  let minChange: number | undefined;
  if (o['min_change'] !== undefined) {
    if (!label) return c.fail('anomalies.min_change', "applies with 'label: changed' (the least change that labels a row), the default with min_effect; add either, or remove min_change");
    minChange = c.number(o['min_change'], 'anomalies.min_change', { ge: 0 });
    if (minChange === undefined) return undefined;
  }
  const minEffect = o['min_effect'] === undefined ? undefined : checkMinEffect(c, o['min_effect'], o['kinds'] !== undefined);
  if (o['min_effect'] !== undefined && !minEffect) return undefined;
  const labelMargin = o['label_margin'] === undefined ? undefined : checkLabelMargin(c, o['label_margin']);
  if (o['label_margin'] !== undefined && !labelMargin) return undefined;
  const common = {
    ...(cleanTwin ? { cleanTwin } : {}),
    ...(minEffect ? { minEffect } : {}),
    ...(label ? { label, minChange: minChange ?? DEFAULT_MIN_CHANGE } : {}),
    // A zero margin labels as no margin does: leave it out, so the scenario stays as before.
    ...(labelMargin && (labelMargin[0] > 0 || labelMargin[1] > 0) ? { labelMargin } : {}),
  };
  if (o['kinds'] === undefined) return common;
  // A default given (`duration`), or one written but invalid (reported already), makes a kind's own duration optional.
  const kinds = checkKinds(c, o['kinds'], stepMs, checkDuration, duration, duration !== undefined || o['duration'] !== undefined, resolveFile);
  if (!kinds) return undefined;
  const envelope: [number, number] = [Math.min(...kinds.map((k) => k.duration[0])), Math.max(...kinds.map((k) => k.duration[1]))];
  return { kinds, ...common, envelope };
}

/** `label_margin: 50` (rows before and after each event) or `label_margin: [before, after]`. */
function checkLabelMargin(c: Checker, raw: unknown): [number, number] | undefined {
  const path = 'anomalies.label_margin';
  const rows = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_LABEL_MARGIN;
  if (rows(raw)) return [raw, raw];
  if (Array.isArray(raw) && raw.length === 2) {
    if (rows(raw[0]) && rows(raw[1])) return [raw[0], raw[1]];
    // The pair's form is right: name the side that is not, so its line and value are shown.
    const i = rows(raw[0]) ? 1 : 0;
    return c.fail(`${path}[${i}]`, `expected a whole number of rows from 0 to ${MAX_LABEL_MARGIN} (labelled ${i === 0 ? 'before' : 'after'} each event), got ${describe(raw[i])}`);
  }
  return c.fail(path, `expected a whole number of rows from 0 to ${MAX_LABEL_MARGIN} (labelled before and after each event) or [before, after], got ${describe(raw)}`);
}

/** Largest `label_margin`: a shard looks this far past its rows for events, so it is bounded. */
const MAX_LABEL_MARGIN = 1_000_000;

/** What `anomalies` asks of the variables: kind targets resolved. */
export function checkPlanAgainstVariables(c: Checker, plan: AnomalyPlan, variables: readonly Variable[], declared: readonly string[], groups: readonly CorrelationGroup[] = []): void {
  if (plan.mode !== 'none' && plan.kinds) resolveKindTargets(c, plan.kinds, variables, declared, groups);
}
