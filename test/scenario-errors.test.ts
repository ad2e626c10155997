/**
 * Every broken scenario in test/fixtures/broken is a small, realistic mistake. For each,
 * loading must throw a ScenarioError that names the place (path inside the scenario, and
 * line where known) and says what is wrong; and `paranom validate` must print the same,
 * exit 2 and show no stack trace (the CLI's contract for user mistakes).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError, type ScenarioIssue } from '../src/errors.js';
import { loadScenario, parseScenario } from '../src/reader/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');
const DIR = 'test/fixtures/broken';

interface Case {
  file: string;
  /** Path of one reported issue ('' for the document itself). */
  path: string;
  /** A fragment of that issue's message. */
  message: string;
  /** Line the issue must point at, where the position is worth pinning. */
  line?: number;
}

const CASES: Case[] = [
  // Structure of the document
  { file: 'empty.yaml', path: '', message: 'the file is empty' },
  { file: 'list-root.yaml', path: '', message: 'expected a mapping, got a list of 1 item', line: 1 },
  { file: 'invalid-yaml.yaml', path: '', message: 'not valid YAML/JSON: Flow map', line: 3 },
  { file: 'invalid-json.json', path: '', message: 'not valid YAML/JSON: Missing , between flow map items', line: 4 },
  { file: 'duplicate-key.yaml', path: '', message: 'Map keys must be unique', line: 6 },
  { file: 'alias-before-anchor.yaml', path: '', message: 'Unresolved alias' },
  { file: 'alias-bomb.yaml', path: '', message: 'Excessive alias count' },
  // Before: the parser's recursion exhausted the native stack and the process died (exit 134).
  { file: 'nested-too-deep.json', path: '', message: 'lists and mappings nested more than 256 levels deep' },
  { file: 'missing-timeline.yaml', path: 'timeline', message: 'required' },
  { file: 'missing-variables.yaml', path: 'variables', message: 'required: at least one variable' },
  { file: 'key-typo-toplevel.yaml', path: 'timline', message: "unknown key (did you mean 'timeline'?)", line: 3 },
  { file: 'anomalies-rate.yaml', path: 'anomalies.rate', message: "unknown key (did you mean 'frequency'?)", line: 5 },
  { file: 'dist-on-variable.yaml', path: 'variables.temp', message: "a distribution goes under 'normal:'", line: 4 },
  // Top-level fields
  { file: 'name-empty.yaml', path: 'name', message: "expected a non-empty string, got string ''" },
  { file: 'seed-negative.yaml', path: 'seed', message: 'must be >= 0, got -1', line: 2 },
  // Fleets
  { file: 'entities-count-zero.yaml', path: 'entities.count', message: 'must be >= 1, got 0', line: 6 },
  { file: 'entities-key-clash.yaml', path: 'entities.key', message: "'cpu' is already the column 'cpu'", line: 6 },
  { file: 'entities-order-typo.yaml', path: 'entities.order', message: "unknown order string 'time_entitiy' (did you mean 'time_entity'?)" },
  { file: 'entities-count-and-names.yaml', path: 'entities', message: "give only one of 'count', 'names' and 'source', got count and names" },
  { file: 'entities-duplicate-names.yaml', path: 'entities.names', message: "entry 2: 'web-1' names two entities (also entry 0)" },
  { file: 'seed-non-integer.yaml', path: 'seed', message: 'must be an integer, got 4.2' },
  { file: 'seed-string.json', path: 'seed', message: "expected a finite number, got string '42'", line: 3 },
  // Timeline
  { file: 'step-bad-unit.yaml', path: 'timeline.step', message: "expected a duration such as \"500ms\", \"1s\", \"5m\", \"1h\", \"1d\" or \"PT5M\", got string '1Sec'" },
  { file: 'step-zero.yaml', path: 'timeline.step', message: 'must be a whole number of milliseconds >= 1ms, got 0s' },
  { file: 'step-fractional-ms.yaml', path: 'timeline.step', message: 'must be a whole number of milliseconds >= 1ms, got 0.5ms' },
  { file: 'rows-zero.yaml', path: 'timeline.rows', message: 'must be >= 1, got 0' },
  { file: 'rows-non-integer.yaml', path: 'timeline.rows', message: 'must be an integer, got 1000.5' },
  { file: 'rows-string.yaml', path: 'timeline.rows', message: "expected a finite number, got string '1M'" },
  { file: 'rows-and-end.yaml', path: 'timeline', message: "give either 'rows' or 'end', not both" },
  { file: 'end-before-start.yaml', path: 'timeline.end', message: 'must be after timeline.start (2024-06-01T00:00:00Z), got 2024-01-01T00:00:00Z', line: 5 },
  { file: 'end-too-far.yaml', path: 'timeline.end', message: 'rows are allowed' },
  { file: 'start-bad-date.yaml', path: 'timeline.start', message: "expected an ISO 8601 instant such as \"2024-01-01T00:00:00Z\", got string '2024-13-01T00:00:00Z'" },
  { file: 'start-not-a-day.yaml', path: 'timeline.start', message: '2023-02-29 is not a calendar date (that month has 28 days)' },
  // Anomalies
  { file: 'frequency-one.yaml', path: 'anomalies.frequency', message: 'must be < 1, got 1' },
  { file: 'frequency-as-percent.yaml', path: 'anomalies.frequency', message: 'must be < 1, got 5', line: 5 },
  { file: 'frequency-infeasible.yaml', path: 'anomalies.frequency', message: 'of rows can be anomalous with durations 20–200 rows' },
  { file: 'frequency-and-count.yaml', path: 'anomalies', message: "give either 'frequency' (growth-stable) or 'count'" },
  { file: 'anomalies-without-rate.yaml', path: 'anomalies', message: "give 'frequency' (expected fraction of anomalous rows) or 'count'" },
  { file: 'count-does-not-fit.yaml', path: 'anomalies.count', message: '50 events of at least 20 rows (plus one normal row between events) do not fit in 1000 rows' },
  { file: 'count-negative.yaml', path: 'anomalies.count', message: 'must be >= 0, got -5' },
  { file: 'duration-reversed.yaml', path: 'anomalies.duration[1]', message: 'must be >= the minimum duration (200), got 20' },
  { file: 'duration-bad-unit.yaml', path: 'anomalies.duration[0]', message: "expected a row count or a duration such as \"30s\", got string '20 Sec'" },
  { file: 'duration-missing.yaml', path: 'anomalies.duration', message: 'required: [min, max] rows' },
  { file: 'duration-shorter-than-step.yaml', path: 'anomalies.duration[0]', message: '10s is shorter than one step of the timeline' },
  // Variables
  { file: 'variables-empty.yaml', path: 'variables', message: 'must declare at least one variable' },
  { file: 'variables-list.yaml', path: 'variables', message: 'expected a mapping, got a list of 2 items' },
  { file: 'reserved-timestamp.yaml', path: 'variables.timestamp', message: "'timestamp' is a column paranom writes itself", line: 7 },
  { file: 'reserved-is-anomaly.yaml', path: 'variables.is_anomaly', message: "'is_anomaly' is a column paranom writes itself" },
  { file: 'reserved-anomaly-id.json', path: 'variables.anomaly_id', message: "'anomaly_id' is a column paranom writes itself" },
  { file: 'bad-variable-name.yaml', path: 'variables.flow-rate', message: 'variable names must start with an ASCII letter (A–Z, a–z) or _ and hold only those, digits and _, got "flow-rate"' },
  { file: 'unknown-variable-type.yaml', path: 'variables.temperature.type', message: "unknown variable type string 'random'; expected one of: stochastic" },
  // The name of a property every object has is no variable type either.
  { file: 'variable-type-of-object.yaml', path: 'variables.temperature.type', message: "unknown variable type string 'valueOf'; expected one of: stochastic" },
  { file: 'normal-missing.yaml', path: 'variables.temperature.normal', message: 'required' },
  { file: 'key-typo-anomolous.yaml', path: 'variables.temperature.anomolous', message: "unknown key (did you mean 'anomalous'?)", line: 8 },
  { file: 'variable-description-number.yaml', path: 'variables.temperature.description', message: 'expected a string, got number 42' },
  { file: 'bad-dtype.yaml', path: 'variables.pressure.dtype', message: "unknown column type string 'float'; expected one of: float64" },
  { file: 'string-dist-in-float-column.yaml', path: 'variables.state.normal', message: 'a categorical distribution of strings cannot fill a float64 column' },
  { file: 'integer-overflows-int32.yaml', path: 'variables.bytes_sent.anomalous', message: 'values from 0 to 10000000000 do not fit an int32 column' },
  { file: 'normal-tail-overflows-int32.yaml', path: 'variables.reading.normal', message: 'this normal distribution can yield values from about -8.50e+12 to 8.50e+12 (its tails), which do not fit an int32 column' },
  // Distributions
  { file: 'normal-negative-sd.yaml', path: 'variables.temperature.normal.sd', message: 'must be > 0, got -1', line: 7 },
  { file: 'dist-typo.yaml', path: 'variables.pressure.normal.dist', message: "unknown distribution string 'lognormla' (did you mean 'lognormal'?)" },
  { file: 'param-typo-std.yaml', path: 'variables.temperature.normal.std', message: "unknown key (did you mean 'sd'?)" },
  { file: 'uniform-min-above-max.yaml', path: 'variables.temperature.anomalous.max', message: 'must be > min (60), got 40' },
  { file: 'uniform-min-equals-max.yaml', path: 'variables.valve_position.normal.max', message: 'must be > min (5), got 5' },
  { file: 'weights-length-mismatch.yaml', path: 'variables.state.normal.weights', message: 'must have one weight per value (3), got 2' },
  { file: 'weights-all-zero.yaml', path: 'variables.state.normal.weights', message: 'must not all be 0' },
  { file: 'weights-negative.yaml', path: 'variables.state.normal.weights[1]', message: 'must be >= 0, got -0.2' },
  { file: 'bernoulli-p-above-one.yaml', path: 'variables.door_open.anomalous.p', message: 'must be <= 1, got 1.5' },
  { file: 'bernoulli-p-negative.json', path: 'variables.door_open.normal.p', message: 'must be >= 0, got -0.1', line: 5 },
  { file: 'poisson-zero-lambda.yaml', path: 'variables.flow_events.anomalous.lambda', message: 'must be > 0, got 0' },
  { file: 'exponential-missing-rate.yaml', path: 'variables.wait_time.normal.rate', message: 'required' },
  { file: 'constant-without-value.yaml', path: 'variables.site.normal.value', message: 'required' },
  { file: 'categorical-mixed-types.yaml', path: 'variables.gear.normal.values[2]', message: "values must all be strings, all numbers or all booleans: values[0] is a number, this one string 'three'" },
  { file: 'categorical-null-value.yaml', path: 'variables.gear.normal.values[1]', message: "expected a string, number or boolean, got null (write 'null' in quotes for the text null" },
  { file: 'categorical-duplicate-values.yaml', path: 'variables.state.normal.values', message: 'must not repeat a value' },
  { file: 'categorical-no-values.yaml', path: 'variables.state.normal.values', message: 'expected a non-empty list, got an empty list' },
  { file: 'integer-non-integer-bounds.yaml', path: 'variables.rpm.normal.min', message: 'must be an integer, got 0.5' },
  // Before: accepted, and 0.5 and 1 written as the same category 1; the empty list read as the default targets.
  { file: 'categorical-fractions-in-int32.yaml', path: 'variables.gear.normal', message: '0.5 is not a whole number, and an int32 column would round it to 1; list whole numbers, or use dtype float64' },
  // Before: accepted, and every row written as 3.
  { file: 'constant-fraction-in-int32.yaml', path: 'variables.level.normal.value', message: '2.5 is not a whole number, and an int32 column would round it to 3; write a whole number, or use dtype float64' },
  // Before: accepted, and every event replayed from one whole step (1s) away.
  { file: 'replay-lag-under-a-step.yaml', path: 'anomalies.kinds[0].lag', message: '0.5s is shorter than one step of the timeline (1s); give at least one step, or a row count' },
  { file: 'kind-variables-empty.yaml', path: 'anomalies.kinds[0].variables', message: "an empty list names no variable; leave 'variables' out for the default targets, or name at least one" },
  // Several problems at once (checked in full below)
  { file: 'three-problems.yaml', path: 'timeline.rows', message: 'must be >= 1, got 0' },
  { file: 'invalid-variable-named-elsewhere.yaml', path: 'uniqueness.key[2]', message: "no variable named 'nope'" },
];

function issuesOf(file: string): readonly ScenarioIssue[] {
  try {
    loadScenario(join(root, DIR, file));
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues;
  }
  throw new Error(`${file} was accepted`);
}

/** How the CLI labels an issue's path. */
const label = (path: string) => path || '(root)';

describe('broken scenarios: loadScenario', () => {
  it('has at least 35 cases, one per fixture file', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(35);
    expect(CASES.map((c) => c.file).sort()).toEqual(readdirSync(join(root, DIR)).sort());
  });

  it.each(CASES)('$file: $path', ({ file, path, message, line }) => {
    const issues = issuesOf(file);
    const hit = issues.find((i) => i.path === path && i.message.includes(message));
    expect(hit, `issues were: ${JSON.stringify(issues)}`).toBeDefined();
    if (line !== undefined) expect(hit!.line).toBe(line);
  });

  it('formats an issue as file:line:col path: message', () => {
    const file = join(root, DIR, 'normal-negative-sd.yaml');
    expect(() => loadScenario(file)).toThrow(`${file}:7:46 variables.temperature.normal.sd: must be > 0, got -1`);
    expect(issuesOf('normal-negative-sd.yaml')).toEqual([
      { path: 'variables.temperature.normal.sd', message: 'must be > 0, got -1', line: 7, column: 46 },
    ]);
  });

  it('takes a decimal step or duration that names whole milliseconds, read from its digits (before: 1.1h, 0.7d and 1.001s were refused as not whole milliseconds: 1.1 × 3,600,000 is 3,960,000.0000000005 in binary)', () => {
    for (const [step, ms] of [['1.1h', 3_960_000], ['0.7d', 60_480_000], ['1.001s', 1001], ['2.50s', 2500]] as const) {
      const s = parseScenario(JSON.stringify({ timeline: { step, rows: 10 }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), join(root, 'step.json'));
      expect(s.timeline.stepMs, step).toBe(ms);
    }
    expect(parseScenario(JSON.stringify({ timeline: { step: '1s', rows: 100_000 }, anomalies: { frequency: 0.01, duration: ['1.1h', '0.7d'] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), join(root, 'd.json')).anomalies).toMatchObject({ duration: [3960, 60_480] });
  });

  it('reports every problem, not just the first', () => {
    expect(issuesOf('three-problems.yaml').map((i) => `${i.path}: ${i.message}`)).toEqual([
      'seed: must be >= 0, got -3',
      'timeline.rows: must be >= 1, got 0',
      'variables.temperature.normal.sd: must be > 0, got -1',
    ]);
  });

  it('says once where a distribution written on the variable goes, and the line it suggests validates', () => {
    const file = join(root, DIR, 'dist-on-variable.yaml');
    const issues = issuesOf('dist-on-variable.yaml');
    // One issue per variable, not an unknown-key line per parameter.
    expect(issues.map((i) => i.path)).toEqual(['variables.temp', 'variables.mode', 'variables.press']);
    const text = readFileSync(file, 'utf8').split('\n');
    for (const i of issues) {
      const suggested = /write (.*)$/.exec(i.message)![1]!;
      text[i.line! - 1] = `  ${suggested}`;
    }
    const fixed = parseScenario(text.join('\n'), file);
    expect(fixed.variables.map((v) => v.name)).toEqual(['temp', 'mode', 'press', 'flow']);
    expect(fixed.variables[0]).toMatchObject({ type: 'stochastic', normal: { dist: 'normal', mean: 20, sd: 1.5 } });
    expect(fixed.variables[1]).toMatchObject({ normal: { dist: 'categorical', values: ['idle', 'run'] } });
    expect(fixed.variables[2]).toMatchObject({ type: 'correlated', marginal: { dist: 'lognormal', mu: 0.7, sigma: 0.1 } });
  });

  it("reports a kind's single-number parameter once (a number stands for [n, n], and both ends were checked)", () => {
    const doc = {
      timeline: { rows: 100 },
      anomalies: { frequency: 0.01, duration: [1, 5], kinds: [{ kind: 'spike', magnitude: -3 }, { kind: 'level_shift', shift: [1, -2] }] },
      variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
    };
    let issues: readonly ScenarioIssue[] = [];
    try {
      parseScenario(JSON.stringify(doc), join(root, 'kinds.json'));
    } catch (err) {
      issues = (err as ScenarioError).issues;
    }
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'anomalies.kinds[0].magnitude: must be > 0, got -3',
      'anomalies.kinds[1].shift[1]: must be > 0, got -2',
    ]);
  });

  it('a plan that places no event (frequency 0, count 0) needs no duration, and still has what it is given checked (before: "anomalies.duration: required")', () => {
    const issuesOf = (anomalies: unknown): string[] => {
      try {
        const s = parseScenario(JSON.stringify({ timeline: { rows: 100 }, anomalies, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), join(root, 'off.json'));
        expect(s.anomalies).toEqual({ mode: 'none' });
        return [];
      } catch (err) {
        return (err as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(issuesOf({ frequency: 0 })).toEqual([]);
    expect(issuesOf({ count: 0 })).toEqual([]);
    expect(issuesOf({ frequency: 0, kinds: [{ kind: 'spike', magnitude: 3 }, { kind: 'level_shift', shift: 1, duration: [2, 4] }] })).toEqual([]);
    expect(issuesOf({ frequency: 0, duration: [5, 2] })).toEqual(['anomalies.duration[1]: must be >= the minimum duration (5), got 2']);
    expect(issuesOf({ count: 0, kinds: [{ kind: 'spike', magnitude: -3 }] })).toEqual(['anomalies.kinds[0].magnitude: must be > 0, got -3']);
    expect(issuesOf({ frequency: 0.01 })).toEqual(['anomalies.duration: required: [min, max] rows (or durations such as ["20s", "5m"])']);
    expect(issuesOf({ frequency: 0.01, kinds: [{ kind: 'spike', magnitude: 3 }] })).toEqual(["anomalies.kinds[0].duration: required when 'anomalies.duration' is not given"]);
  });

  it('a constant drawn per entity into an integer column is drawn whole, as an integer bound or a limit drawn per entity is', () => {
    const doc = (per: Record<string, unknown>) => JSON.stringify({ timeline: { rows: 100 }, entities: { count: 3 }, variables: { x: { dtype: 'int32', normal: { dist: 'constant', value: { per_entity: per } } } } });
    expect(() => parseScenario(doc({ dist: 'integer', min: 0, max: 10 }), join(root, 'pe.json'))).not.toThrow();
    expect(() => parseScenario(doc({ dist: 'uniform', min: 0, max: 10 }), join(root, 'pe.json'))).toThrow(/variables\.x\.normal\.value: [\d.e-]+ is not a whole number, and an int32 column would round it to \d+; write a whole number, or use dtype float64 \(the smallest per-entity value drawn/);
  });

  it("refuses noise's wave_period without a wave, or under 2 rows (before: accepted, and unused or aliased to one phase on every row)", () => {
    const issuesOf = (kind: Record<string, unknown>, step = '1s'): string[] => {
      try {
        parseScenario(JSON.stringify({ timeline: { rows: 1000, step }, anomalies: { frequency: 0.05, duration: [20, 40], kinds: [kind] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), join(root, 'wave.json'));
        return [];
      } catch (err) {
        return (err as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(issuesOf({ kind: 'noise', magnitude: 1, wave_period: 20 })).toEqual(['anomalies.kinds[0].wave_period: shapes a wave, and there is none: add wave (sine, square, triangle, sawtooth), or remove wave_period']);
    expect(issuesOf({ kind: 'noise', magnitude: 1, wave: 'sine', wave_period: 1 })).toEqual(['anomalies.kinds[0].wave_period: a period of 1 row is under 2 rows: the wave is read at whole rows, so it would alias; give at least 2 rows']);
    expect(issuesOf({ kind: 'noise', magnitude: 1, wave: 'sine', wave_period: '90s' }, '1m')).toEqual(['anomalies.kinds[0].wave_period: a period of 1.5 rows is under 2 rows: the wave is read at whole rows, so it would alias; give at least 2 rows']);
    expect(issuesOf({ kind: 'noise', magnitude: 1, wave: 'sine', wave_period: 2 })).toEqual([]);
    expect(issuesOf({ kind: 'noise', magnitude: 1, wave: 'triangle', wave_period: '2m' }, '1m')).toEqual([]);
  });

  it('reports a one-member correlation group once, not its member again as in no group', () => {
    const doc = {
      timeline: { rows: 100 },
      correlations: { one: { variables: ['c'], correlation: [[1]] } },
      variables: { c: { type: 'correlated' }, d: { type: 'correlated' } },
    };
    let issues: readonly ScenarioIssue[] = [];
    try {
      parseScenario(JSON.stringify(doc), join(root, 'groups.json'));
    } catch (err) {
      issues = (err as ScenarioError).issues;
    }
    expect(issues.map((i) => i.path)).toEqual(['correlations.one.variables', 'variables.d']);
    expect(issues[0]!.message).toMatch(/expected at least two variables to correlate, got 1/);
    expect(issues[1]!.message).toMatch(/'d' is a correlated variable in no group/);
  });

  it('refuses a start or end finer than a millisecond (it was cut to the millisecond without a word)', () => {
    const doc = (start: string, end: string) => ({ timeline: { start, end, step: '1ms' }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } });
    let issues: readonly ScenarioIssue[] = [];
    try {
      parseScenario(JSON.stringify(doc('2024-01-01T00:00:00.1234Z', '2024-01-01T00:00:01.0005+01:00')), join(root, 'fine.json'));
    } catch (err) {
      issues = (err as ScenarioError).issues;
    }
    expect(issues.map((i) => i.path)).toEqual(['timeline.start', 'timeline.end']);
    expect(issues[0]!.message).toMatch(/timestamps are whole milliseconds; '2024-01-01T00:00:00\.1234Z' has a finer fraction/);
    // Trailing zeros say nothing finer, and are read as before.
    const s = parseScenario(JSON.stringify(doc('2024-01-01T00:00:00.123000Z', '2024-01-01T00:00:00.130Z')), join(root, 'fine.json'));
    expect(s.timeline.startMs).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 123));
    expect(s.timeline.rows).toBe(7);
  });

  it('reports a declared but invalid variable once, not again as "no variable named" where the key and outages name it', () => {
    expect(issuesOf('invalid-variable-named-elsewhere.yaml').map((i) => `${i.path}: ${i.message.replace(/;.*/, '')}`)).toEqual([
      'variables.x.normal.sd: must be > 0, got -1',
      "variables.y.normal.dist: unknown distribution string 'nope'",
      "uniqueness.key[2]: no variable named 'nope'",
      "anomalies.outages.variables[1]: no variable named 'nosuch'",
    ]);
  });
});

interface CliResult {
  file: string;
  code: number | string;
  stdout: string;
  stderr: string;
}

/**
 * Runs `paranom validate` on many files in one node process: each run re-evaluates the
 * built CLI module (a fresh URL query) with process.argv set, the output streams captured
 * and process.exit replaced by a throw that unwinds the run, as a real exit would end the
 * process; output after that first exit is dropped, since a real process prints nothing
 * more. Starting one process per file would cost ~0.4 s each. A few files are also run as
 * real processes below, to pin the true exit status.
 */
const BATCH_DRIVER = `
import { pathToFileURL } from 'node:url';
const cli = process.env.PARANOM_CLI;
const files = JSON.parse(process.env.PARANOM_FILES);
const realOut = process.stdout.write.bind(process.stdout);
const EXIT = Symbol('exit');
const results = [];
for (const [i, file] of files.entries()) {
  const r = { file, code: undefined, stdout: '', stderr: '' };
  // As a stream does, a write calls back once taken: the binary waits on that before it exits.
  const taken = (a, b) => { const cb = typeof a === 'function' ? a : b; if (cb) queueMicrotask(cb); return true; };
  process.stdout.write = (s, a, b) => { if (r.code === undefined) r.stdout += s; return taken(a, b); };
  process.stderr.write = (s, a, b) => { if (r.code === undefined) r.stderr += s; return taken(a, b); };
  process.exit = (c) => { r.code ??= c ?? 0; throw EXIT; };
  process.argv = [process.execPath, cli, 'validate', file];
  try {
    await import(pathToFileURL(cli).href + '?run=' + i);
  } catch (e) {
    if (r.code === undefined) {
      r.stderr += 'escaped: ' + (e && e.stack ? e.stack : String(e));
      r.code = 'escaped';
    }
  }
  r.code ??= 0;
  results.push(r);
}
process.stdout.write = realOut;
realOut(JSON.stringify(results));
`;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function validateAll(files: string[]): Promise<Map<string, CliResult>> {
  const r = await run(['--input-type=module', '-e', BATCH_DRIVER], { PARANOM_CLI: CLI, PARANOM_FILES: JSON.stringify(files) });
  if (r.code !== 0) throw new Error(`batch driver failed (${r.code}): ${r.stderr}`);
  return new Map((JSON.parse(r.stdout) as CliResult[]).map((x) => [x.file, x]));
}

describe('broken scenarios: paranom validate', () => {
  const EXAMPLE = 'scenarios/valve-sensors.yaml';
  let results: Map<string, CliResult>;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing; run 'npm run build' first`);
    results = await validateAll([EXAMPLE, ...CASES.map((c) => `${DIR}/${c.file}`)]);
  });

  it('accepts a good scenario in the same harness (the harness can tell ok from not ok)', () => {
    const r = results.get(EXAMPLE)!;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${EXAMPLE}: ok`);
    expect(r.stderr).toBe('');
  });

  it.each(CASES)('$file: exit 2, path and message on stderr, no stack', ({ file, path, message }) => {
    const rel = `${DIR}/${file}`;
    const r = results.get(rel)!;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^paranom: /);
    expect(r.stderr).toContain(`${rel}: `);
    const lines = r.stderr.split('\n').filter((l) => l.includes(`${label(path)}: `) && l.includes(message));
    expect(lines, r.stderr).not.toHaveLength(0);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('internal error');
  });

  it('prints the exact issue line for a negative sd', () => {
    const rel = `${DIR}/normal-negative-sd.yaml`;
    expect(results.get(rel)!.stderr).toBe(
      `paranom: ${rel}: 1 problem in scenario\n  ${rel}:7:46 variables.temperature.normal.sd: must be > 0, got -1\n`,
    );
  });

  it('prints the problems in file order, whatever order the checks ran in', () => {
    // The unknown key (5:20) is found before the missing frequency (5:12).
    const lines = results.get(`${DIR}/anomalies-rate.yaml`)!.stderr.split('\n').slice(1, -1);
    expect(lines.map((l) => /:(\d+:\d+) /.exec(l)![1])).toEqual(['5:12', '5:20']);
  });

  it('prints all three problems of a file with three', () => {
    const stderr = results.get(`${DIR}/three-problems.yaml`)!.stderr;
    expect(stderr).toContain('3 problems in scenario');
    expect(stderr).toContain('seed: must be >= 0, got -3');
    expect(stderr).toContain('timeline.rows: must be >= 1, got 0');
    expect(stderr).toContain('variables.temperature.normal.sd: must be > 0, got -1');
  });

  // Real processes for a few representative files: the exit status is the process's own.
  it.each(['normal-negative-sd.yaml', 'three-problems.yaml', 'invalid-yaml.yaml', 'alias-bomb.yaml', 'empty.yaml'])(
    'real process: %s exits 2 without a stack trace',
    async (file) => {
      const r = await run([CLI, 'validate', `${DIR}/${file}`]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`paranom: ${DIR}/${file}: `);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).toBe(results.get(`${DIR}/${file}`)!.stderr);
    },
  );
});
