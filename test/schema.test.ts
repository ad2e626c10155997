/**
 * schema/scenario.schema.json is what editors use to check scenarios as they are typed, so
 * it must agree with src/reader/validate.ts: accept every scenario paranom accepts, and
 * reject what validate.ts rejects wherever a schema can express the rule. Cross-field
 * rules (min < max, events fitting the timeline, ...) are left to validate.ts alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The named export: under NodeNext the default import of this CommonJS module is not the class.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as Record<string, unknown>;
// Strict about types and tuples so a sloppy schema fails here, not silently in an editor;
// union types are needed for constant values (number, string or boolean).
const ajv = new Ajv2020({ allErrors: true, strictTypes: true, strictTuples: true, allowUnionTypes: true });
const check = ajv.compile(schema);

function errorsOf(doc: unknown): ErrorObject[] {
  return check(doc) ? [] : [...(check.errors ?? [])];
}

const examples = readdirSync(join(root, 'scenarios')).filter((f) => /\.ya?ml$/.test(f));

describe('scenario schema', () => {
  it('is a valid draft 2020-12 schema', () => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('finds example scenarios to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('accepts scenarios/%s', (file) => {
    const text = readFileSync(join(root, 'scenarios', file), 'utf8');
    expect(errorsOf(parse(text))).toEqual([]);
    // And paranom itself accepts it, so the example and the schema cannot drift together.
    expect(() => parseScenario(text, join(root, 'scenarios', file))).not.toThrow();
  });

  // Documents paranom accepts, chosen to cover every optional form; the schema must not
  // be stricter than validate.ts on any of them.
  const valid: Record<string, string> = {
    'minimal (defaults for name, seed, start, step)': `
timeline: { rows: 10 }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'every distribution, dtype and description': `
name: all
description: one of each
seed: 9007199254740991
timeline: { start: "2024-01-01 12:00", step: 250ms, rows: 1000000000000 }
variables:
  u: { type: stochastic, description: uniform, normal: { dist: uniform, min: -1, max: 1.5 } }
  n: { dtype: float32, normal: { dist: normal, mean: 0, sd: 1 }, anomalous: { dist: normal, mean: 5, sd: 0.1 } }
  l: { normal: { dist: lognormal, mu: -2, sigma: 0.5 } }
  e: { normal: { dist: exponential, rate: 0.25 } }
  p: { dtype: int32, normal: { dist: poisson, lambda: 1000000000 } }
  b: { dtype: bool, normal: { dist: bernoulli, p: 0 }, anomalous: { dist: bernoulli, p: 1 } }
  i: { normal: { dist: integer, min: -5, max: -5 } }
  c: { dtype: string, normal: { dist: categorical, values: [a, b], weights: [0, 2] } }
  cn: { normal: { dist: categorical, values: [1, 2.5] } }
  cb: { normal: { dist: categorical, values: [true, false] } }
  k: { normal: { dist: constant, value: site-7 } }
  k0: { normal: { dist: constant, value: 0 } }
  kb: { dtype: bool, normal: { dist: constant, value: false } }
  _private9: { normal: { dist: constant, value: "" } }`,
    'end instead of rows, count mode, durations as times': `
timeline: { start: "2024-01-01T00:00:00+02:00", end: "2024-01-02", step: 1m }
anomalies: { count: 3, duration: ["5m", "1h"] }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'a single fixed duration': `
timeline: { rows: 1000 }
anomalies: { frequency: 0.01, duration: 5 }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'mixed duration forms and frequency 0': `
timeline: { rows: 1000, step: 1s }
anomalies: { frequency: 0, duration: [2, "10s"] }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'correlation groups: copula marginals, covariance with means, linked process noise, decorrelate and lag': `
timeline: { rows: 1000 }
anomalies:
  frequency: 0.01
  duration: [5, 20]
  kinds:
    - { kind: decorrelate, variables: [a, b] }
    - { kind: decorrelate, mode: flip, variables: [p] }
    - { kind: lag, lag: [2, 4], channel: b, variables: [a, b] }
correlations:
  g: { description: one plant, variables: [a, b, p], correlation: [[1, 0.5, 0.2], [0.5, 1, 0.1], [0.2, 0.1, 1]] }
  h: { variables: [c, d], covariance: [[4, 1], [1, 1]], mean: [1, 2] }
variables:
  a: { type: correlated, marginal: { dist: uniform, min: 0, max: 1 } }
  b: { type: correlated, dtype: float32 }
  p: { type: process, components: [{ type: sine, period: 50 }, { type: noise, sd: 0.1 }] }
  c: { type: correlated }
  d: { type: correlated }`,
    'a correlated group written as one variable': `
timeline: { rows: 1000 }
variables:
  plant:
    type: correlated
    dtype: float32
    correlation: [[1, 0.8], [0.8, 1]]
    variables:
      temperature: { dist: normal, mean: 60, sd: 4 }
      pressure: { dtype: float64, marginal: { dist: lognormal, mu: 0.7, sigma: 0.1 } }
  pair: { type: correlated, covariance: [[4, 1], [1, 1]], mean: [1, 2], variables: [x, y] }`,
    'splits as a fraction, rows and a duration': `
timeline: { rows: 100000, step: 1m }
splits: { train: 0.6, test: "7d" }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'label margins around events, both forms': `
timeline: { rows: 1000 }
anomalies: { frequency: 0.01, duration: 5, label: changed, label_margin: [10, 40] }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 }, anomalous: { dist: normal, mean: 5, sd: 1 } } }`,
    'one label margin for both sides': `
timeline: { rows: 1000 }
anomalies: { frequency: 0.01, duration: 5, label_margin: 25 }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    // Before: both refused with 'anomalies.duration: required', of a plan that places no event.
    'anomalies switched off: frequency 0 or count 0 without a duration': `
timeline: { rows: 1000 }
anomalies: { frequency: 0, kinds: [{ kind: spike, magnitude: 3 }] }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'count 0 without a duration': `
timeline: { rows: 1000 }
anomalies: { count: 0 }
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
    'anomalies: null': `
timeline: { rows: 1000 }
anomalies: null
variables: { x: { normal: { dist: normal, mean: 0, sd: 1 } } }`,
  };

  it.each(Object.entries(valid))('accepts what paranom accepts: %s', (_name, text) => {
    expect(() => parseScenario(text)).not.toThrow();
    expect(errorsOf(parse(text))).toEqual([]);
  });

  // Clearly broken documents: the schema must reject each, pointing at the right place.
  const base = (patch: string) => `timeline: { rows: 100 }\nvariables:\n  t: { normal: { dist: normal, mean: 0, sd: 1 } }\n${patch}`;
  const broken: Array<[string, unknown, string, string]> = [
    ['a list instead of a mapping', parse('- timeline: { rows: 1 }'), '', 'type'],
    ['no variables', parse('timeline: { rows: 100 }'), '', 'required'],
    ['unknown top-level key', parse(base('colour: blue')), '', 'additionalProperties'],
    ['negative sd', parse('timeline: { rows: 100 }\nvariables: { t: { normal: { dist: normal, mean: 0, sd: -1 } } }'), '/variables/t/normal/sd', 'exclusiveMinimum'],
    ['a parameter of another distribution', parse('timeline: { rows: 100 }\nvariables: { t: { normal: { dist: normal, mean: 0, sd: 1, rate: 2 } } }'), '/variables/t/normal', 'additionalProperties'],
    ['unknown distribution', parse('timeline: { rows: 100 }\nvariables: { t: { normal: { dist: gaussian, mean: 0, sd: 1 } } }'), '/variables/t/normal/dist', 'enum'],
    ['reserved variable name', parse('timeline: { rows: 100 }\nvariables: { timestamp: { normal: { dist: normal, mean: 0, sd: 1 } } }'), '/variables', 'propertyNames'],
    ['rows and end together', parse('timeline: { rows: 100, end: "2024-01-01" }\nvariables: { t: { normal: { dist: normal, mean: 0, sd: 1 } } }'), '/timeline', 'oneOf'],
    ['step without a unit', parse('timeline: { rows: 100, step: 5 }\nvariables: { t: { normal: { dist: normal, mean: 0, sd: 1 } } }'), '/timeline/step', 'type'],
    ['a group with both correlation and covariance', parse(base('correlations: { g: { variables: [a, b], correlation: [[1, 0], [0, 1]], covariance: [[1, 0], [0, 1]] } }')), '/correlations/g', 'oneOf'],
    ['splits without train', parse(base('splits: { test: 10 }')), '/splits', 'required'],
    ['frequency and count together', parse(base('anomalies: { frequency: 0.1, count: 3, duration: [1, 2] }')), '/anomalies', 'oneOf'],
    ['a label margin with one side', parse(base('anomalies: { frequency: 0.1, duration: 5, label_margin: [3] }')), '/anomalies/label_margin', 'oneOf'],
    ['no duration for events that can occur', parse(base('anomalies: { frequency: 0.1 }')), '/anomalies', 'anyOf'],
    ['a noise wave_period without a wave', parse(base('anomalies: { frequency: 0.1, duration: 5, kinds: [{ kind: noise, magnitude: 1, wave_period: 20 }] }')), '/anomalies/kinds/0', 'dependentRequired'],
    ['duration with three bounds', parse(base('anomalies: { frequency: 0.1, duration: [1, 2, 3] }')), '/anomalies/duration', 'anyOf'],
    ['categorical weights all zero', parse('timeline: { rows: 100 }\nvariables: { s: { normal: { dist: categorical, values: [a, b], weights: [0, 0] } } }'), '/variables/s/normal/weights', 'contains'],
    ['a source drift that moves nothing (every alone)', parse('timeline: { rows: 100 }\nvariables: { s: { type: source, file: s.csv, drift: { every: 10 } } }'), '/variables/s/drift', 'anyOf'],
    ['a source drift with offset and gain both 0', parse('timeline: { rows: 100 }\nvariables: { s: { type: source, file: s.csv, drift: { offset: 0, gain: 0, every: 10 } } }'), '/variables/s/drift', 'anyOf'],
    ['a source timestamp unit of another spelling', parse('timeline: { rows: 100 }\nvariables: { s: { type: source, file: s.csv, timestamps: { map: at, unit: sec } } }'), '/variables/s/timestamps/unit', 'enum'],
    ['categorical values of mixed types', parse('timeline: { rows: 100 }\nvariables: { s: { normal: { dist: categorical, values: [1, two] } } }'), '/variables/s/normal/values', 'anyOf'],
  ];

  it('accepts the unit of a source\'s epoch timestamps (validate.ts reads the file, which test/source-epoch.test.ts does)', () => {
    for (const unit of ['s', 'ms', 'us', 'ns']) expect(errorsOf(parse(`timeline: { rows: 100 }\nvariables: { s: { type: source, file: s.csv, timestamps: { map: at, unit: ${unit} } } }`))).toEqual([]);
  });

  it.each(broken)('rejects %s', (_name, doc, instancePath, keyword) => {
    const errors = errorsOf(doc);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => [e.instancePath, e.keyword])).toContainEqual([instancePath, keyword]);
  });

  // The broken-scenario fixtures of scenario-errors.test.ts, seen through the schema.
  const brokenDir = join(root, 'test/fixtures/broken');
  /** Not parseable as YAML at all (the schema never sees them). */
  const unparseable = new Set(['invalid-yaml.yaml', 'invalid-json.json', 'duplicate-key.yaml', 'alias-before-anchor.yaml', 'alias-bomb.yaml', 'nested-too-deep.json']);
  /** Broken only by a rule a schema cannot state: comparisons between fields, calendars, arithmetic. */
  const crossField = new Set([
    'uniform-min-above-max.yaml',
    'uniform-min-equals-max.yaml',
    'weights-length-mismatch.yaml',
    'frequency-infeasible.yaml',
    'count-does-not-fit.yaml',
    'duration-reversed.yaml',
    'duration-shorter-than-step.yaml',
    'step-fractional-ms.yaml',
    'end-before-start.yaml',
    'end-too-far.yaml',
    'start-not-a-day.yaml',
    'string-dist-in-float-column.yaml',
    'integer-overflows-int32.yaml',
    'normal-tail-overflows-int32.yaml',
    'entities-key-clash.yaml',
    'categorical-fractions-in-int32.yaml',
    'constant-fraction-in-int32.yaml',
    'replay-lag-under-a-step.yaml',
  ]);
  const fixtures = readdirSync(brokenDir).sort();

  it.each(fixtures)('fixture %s: rejected by the schema unless only validate.ts can tell', (file) => {
    const doc = parseDocument(readFileSync(join(brokenDir, file), 'utf8'), { uniqueKeys: true });
    let data: unknown;
    const parsed = doc.errors.length === 0 && (() => {
      try {
        data = doc.toJS({ maxAliasCount: 100 });
        return true;
      } catch {
        return false;
      }
    })();
    expect(parsed).toBe(!unparseable.has(file));
    if (!parsed) return;
    // Cross-field fixtures must be otherwise well-formed, so that each one tests the
    // single rule it is named after.
    expect(errorsOf(data).length === 0).toBe(crossField.has(file));
  });
});
