/**
 * Anomaly kinds and value-set variables (categorical, Bernoulli, constant): every kind,
 * generated with such variables beside magnitudes, leaves each of them inside its declared
 * values on every row; a kind that keeps values may name them and still does; any other
 * kind is refused where it names one, and `validate` and `generate` say the same. Fleet
 * outages that shift or spike leave them alone as well.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { KIND_NAMES } from '../src/anomaly/kinds/catalog.js';
import { ScenarioError } from '../src/errors.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';
import type { AnomalyKindName, Scenario } from '../src/model/types.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';
import { column, num, root, scenarioOf, withRows } from './contract-helpers.js';

const ROWS = 40_000;
const CLI = join(root, 'dist/src/cli/main.js');

/** The declared values of each value-set variable below. */
const VALUES: Record<string, readonly number[]> = {
  gear: [1, 2, 3],
  // Float labels whose differences are not exact: a label written as x + δ would drift off them.
  ratio: [0.1, 0.7, 3.3, 123.456],
  door: [0, 1],
  level: [7],
};

const LABELS = {
  gear: { dtype: 'int32', normal: { dist: 'categorical', values: [1, 2, 3] } },
  ratio: { normal: { dist: 'categorical', values: [0.1, 0.7, 3.3, 123.456], weights: [1, 2, 3, 4] } },
  door: { dtype: 'int32', normal: { dist: 'bernoulli', p: 0.3 } },
  level: { dtype: 'int64', normal: { dist: 'constant', value: 7 } },
};

/** Magnitudes every kind can act on: a float, a seasonal process and a correlation group. */
const MAGNITUDES = {
  t: { normal: { dist: 'normal', mean: 20, sd: 1 } },
  p: { type: 'process', components: [{ type: 'sine', period: 200, amplitude: 3 }, { type: 'noise', sd: 0.2 }] },
  a: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } },
  b: { type: 'correlated', marginal: { dist: 'normal', mean: 5, sd: 2 } },
};
const CORRELATIONS = { g: { variables: ['a', 'b'], correlation: [[1, 0.9], [0.9, 1]] } };

const MODEL = join(tempDir('paranom-value-set-vae-'), 'model');
writeSyntheticModel(MODEL, { window: 16, latent: 4, hidden: [8], seed: 3 });

const KIND_CASES: Record<AnomalyKindName, Record<string, unknown>> = {
  spike: { kind: 'spike', magnitude: 5 },
  level_shift: { kind: 'level_shift', shift: 3 },
  variance: { kind: 'variance', sd: 2 },
  trend: { kind: 'trend', slope: 0.5 },
  amplitude: { kind: 'amplitude', factor: 3 },
  frequency: { kind: 'frequency', factor: 3 },
  flat_line: { kind: 'flat_line' },
  dropout: { kind: 'dropout', rate: 0.7 },
  noise: { kind: 'noise', magnitude: 2 },
  learned: { kind: 'learned', model: MODEL },
  time_warp: { kind: 'time_warp', factor: 3 },
  pattern_shift: { kind: 'pattern_shift', shift: 5 },
  reversal: { kind: 'reversal' },
  smoothing: { kind: 'smoothing', window: 5 },
  clipping: { kind: 'clipping', level: 0.5 },
  replay: { kind: 'replay', lag: 100 },
  correlation_break: { kind: 'correlation_break' },
  decorrelate: { kind: 'decorrelate' },
  lag: { kind: 'lag', lag: 4 },
};

/** Kinds that keep every row among the variable's own values (or make it missing). */
const KEEPING: readonly AnomalyKindName[] = ['reversal', 'replay', 'correlation_break', 'flat_line', 'dropout'];

function scenario(kinds: unknown[], labels: Record<string, unknown> = LABELS): Scenario {
  return withRows(scenarioOf({ anomalies: { frequency: 0.05, duration: [5, 40], kinds, clean_twin: true }, correlations: CORRELATIONS, variables: { ...labels, ...MAGNITUDES } }), ROWS);
}

/** Rows of the value-set columns outside their values (and nulls, unless `nulls`). */
function outside(c: ShardColumns, nulls: boolean, values: Record<string, readonly number[]> = VALUES): string[] {
  const bad: string[] = [];
  for (const [name, set] of Object.entries(values)) {
    const x = column(c, name);
    for (let i = 0; i < c.rows && bad.length < 5; i++) {
      if (x.valid && x.valid[i] === 0) {
        if (!nulls) bad.push(`${name} row ${i}: null`);
      } else if (!set.includes(num(x, i))) bad.push(`${name} row ${i}: ${num(x, i)}`);
    }
  }
  return bad;
}

/** Event rows of `name` that differ from its clean twin (a null counts). */
function changedRows(c: ShardColumns, name: string): number {
  const x = column(c, name);
  const clean = column(c, `${name}_clean`);
  let n = 0;
  for (let i = 0; i < c.rows; i++) if ((x.valid && x.valid[i] === 0) || num(x, i) !== num(clean, i)) n++;
  return n;
}

function issuesOf(s: () => unknown): Array<{ path: string; message: string }> {
  try {
    s();
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.issues];
    throw e;
  }
  return [];
}

describe('value-set variables under anomaly kinds', () => {
  it('covers every anomaly kind', () => {
    expect(Object.keys(KIND_CASES).sort()).toEqual([...KIND_NAMES].sort());
  });

  for (const kind of KIND_NAMES) {
    it(`${kind}, default targets: every value-set column stays within its values on every row`, () => {
      const s = scenario([KIND_CASES[kind]]);
      for (const name of Object.keys(LABELS)) expect(s.anomalies.mode !== 'none' && s.anomalies.kinds![0]!.variables).not.toContain(name);
      const c = generateShard(s, 0, ROWS);
      expect(c.events.length).toBeGreaterThan(20);
      expect(outside(c, false)).toEqual([]);
      // The kind acted: some magnitude moved (the value-set columns were left out, not everything).
      const moved = ['t', 'p', 'a', 'b'].filter((n) => c.values.some((v) => v.name === `${n}_clean`)).map((n) => changedRows(c, n));
      expect(Math.max(...moved)).toBeGreaterThan(0);
    });
  }

  for (const kind of KEEPING) {
    it(`${kind}, naming the value-set variables: they stay within their values and do change`, () => {
      const s = scenario([{ ...KIND_CASES[kind], variables: ['t', ...Object.keys(LABELS)] }]);
      const c = generateShard(s, 0, ROWS);
      expect(outside(c, kind === 'dropout')).toEqual([]);
      // correlation_break keeps its first target (gear, in declared order) and reverses the others.
      for (const name of kind === 'correlation_break' ? ['ratio', 'door'] : ['gear', 'ratio', 'door']) expect(changedRows(c, name)).toBeGreaterThan(20);
    });
  }

  it('flat_line and dropout may name a value-set variable with its own anomalous definition: values stay within both definitions', () => {
    const labels = { ...LABELS, gear: { ...LABELS.gear, anomalous: { dist: 'categorical', values: [1, 2, 3, 9], weights: [1, 1, 1, 5] } } };
    const c = generateShard(scenario([{ kind: 'flat_line', variables: ['gear'] }, { kind: 'dropout', rate: 0.5, variables: ['gear'] }], labels), 0, ROWS);
    expect(c.events.length).toBeGreaterThan(20);
    expect(outside(c, true, { ...VALUES, gear: [1, 2, 3, 9] })).toEqual([]);
  });

  for (const kind of KIND_NAMES.filter((k) => !KEEPING.includes(k) && k !== 'frequency' && k !== 'decorrelate')) {
    it(`${kind} naming a categorical is refused where it names it, with the way to make it anomalous`, () => {
      const issues = issuesOf(() => scenario([{ ...KIND_CASES[kind], variables: ['t', 'gear'] }]));
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('anomalies.kinds[0].variables[1]');
      expect(issues[0]!.message).toContain("'gear' is a categorical variable (values 1, 2, 3): its values are labels, not magnitudes");
      expect(issues[0]!.message).toContain(`'${kind}' would write values outside them`);
      expect(issues[0]!.message).toContain("give it an 'anomalous' definition");
    });
  }

  it('frequency and decorrelate naming a categorical are refused as before (no seasonal component, no correlation group)', () => {
    const frequency = issuesOf(() => scenario([{ ...KIND_CASES.frequency, variables: ['door'] }]));
    expect(frequency.map((i) => i.path)).toEqual(['anomalies.kinds[0].variables[0]']);
    expect(frequency[0]!.message).toContain("'door' is not a process with a seasonal component");
    expect(issuesOf(() => scenario([{ ...KIND_CASES.decorrelate, variables: ['level'] }]))[0]!.message).toContain("'level' is in no correlation group");
  });

  it('flat_line with a value of its own is refused on a Bernoulli variable; rearranging a variable with an anomalous definition is refused', () => {
    const held = issuesOf(() => scenario([{ kind: 'flat_line', value: 1, variables: ['door'] }]));
    expect(held.map((i) => i.path)).toEqual(['anomalies.kinds[0].variables[0]']);
    expect(held[0]!.message).toContain("'door' is a Bernoulli variable (values 0 and 1); flat_line with 'value' holds a value of its own");
    const labels = { ...LABELS, gear: { ...LABELS.gear, anomalous: { dist: 'categorical', values: [9] } } };
    const rearranged = issuesOf(() => scenario([{ kind: 'replay', lag: 100, variables: ['gear'] }], labels));
    expect(rearranged.map((i) => i.path)).toEqual(['anomalies.kinds[0].variables[0]']);
    expect(rearranged[0]!.message).toContain("with its own 'anomalous' definition, which draws its event rows; 'replay' moves its normal series in time");
  });

  it("a kind left with no target says why the value-set variables were left out", () => {
    const issues = issuesOf(() => withRows(scenarioOf({ anomalies: { frequency: 0.05, duration: [5, 40], kinds: [{ kind: 'spike', magnitude: 5 }] }, variables: LABELS }), ROWS));
    expect(issues.map((i) => i.path)).toEqual(['anomalies.kinds[0]']);
    expect(issues[0]!.message).toContain("no variable for 'spike' to act on");
    expect(issues[0]!.message).toContain("categorical, Bernoulli and constant variables are left out, their values being labels, not magnitudes ('gear' is a categorical variable (values 1, 2, 3); 'ratio' is a categorical variable (values 0.1, 0.7, 3.3, 123.456); 'door' is a Bernoulli variable (values 0 and 1); 'level' is a constant variable (value 7)");
  });

  it('validate and generate agree: the same refusal, exit 2, nothing written; and the same acceptance', () => {
    const dir = tempDir('paranom-value-set-cli-');
    const write = (name: string, kinds: string) => {
      const file = join(dir, name);
      writeFileSync(file, `seed: 3\ntimeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 5000 }\nvariables:\n  gear: { dtype: int32, normal: { dist: categorical, values: [1, 2, 3] } }\n  t: { normal: { dist: normal, mean: 20, sd: 1 } }\nanomalies: { frequency: 0.05, duration: [5, 20], kinds: ${kinds} }\n`);
      return file;
    };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const refused = write('refused.yaml', '[{ kind: reversal, variables: [gear] }, { kind: spike, magnitude: 5, variables: [t, gear] }]');
    const v = run('validate', refused);
    const out = join(dir, 'out');
    const g = run('generate', refused, '--out', out);
    expect([v.status, g.status]).toEqual([2, 2]);
    expect(v.stderr).toMatch(/anomalies\.kinds\[1\]\.variables\[1\]: 'gear' is a categorical variable \(values 1, 2, 3\): its values are labels, not magnitudes, and 'spike' would write values outside them/);
    expect(v.stderr).not.toContain('kinds[0]');
    expect(v.stderr).not.toMatch(/^\s+at /m);
    expect(g.stderr).toBe(v.stderr);
    expect(existsSync(out)).toBe(false);
    const accepted = write('accepted.yaml', '[{ kind: reversal, variables: [gear, t] }, { kind: spike, magnitude: 5 }]');
    expect(run('validate', accepted).status).toBe(0);
    expect(run('generate', accepted, '--out', out).status).toBe(0);
  });
});

describe('value-set variables under fleet outages', () => {
  const fleet = (outages: Record<string, unknown>) => ({
    seed: 4,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 4000 },
    entities: { count: 4, key: 'machine' },
    anomalies: { frequency: 0.01, duration: [5, 40], outages: { frequency: 0.1, duration: [50, 150], share: 0.75, ...outages } },
    variables: { t: MAGNITUDES.t, ratio: LABELS.ratio, door: { normal: { dist: 'bernoulli', p: 0.3 }, dtype: 'float32' } },
  });

  it('a level_shift outage leaves float categorical and Bernoulli variables within their values, and moves the float magnitude', async () => {
    const out = join(tempDir('paranom-value-set-outage-'), 'out');
    await generate(scenarioFrom(fleet({ kind: 'level_shift', amount: 50 })), { out, workers: 1 });
    const [r] = await duck(`SELECT count(*) FILTER (WHERE ratio NOT IN (0.1, 0.7, 3.3, 123.456)) AS ratio, count(*) FILTER (WHERE door NOT IN (0, 1)) AS door, count(*) FILTER (WHERE t > 40) AS moved FROM read_parquet('${out}/data/*.parquet')`);
    expect([Number(r!['ratio']), Number(r!['door'])]).toEqual([0, 0]);
    expect(Number(r!['moved'])).toBeGreaterThan(100);
  });

  it('a spike outage naming a categorical is refused there; a flat_line outage may name it', () => {
    const issues = issuesOf(() => scenarioFrom(fleet({ kind: 'spike', amount: 5, variables: ['t', 'ratio'] })));
    expect(issues.map((i) => i.path)).toEqual(['anomalies.outages.variables[1]']);
    expect(issues[0]!.message).toContain("'ratio' is a categorical variable (values 0.1, 0.7, 3.3, 123.456): its values are labels, not magnitudes, and a spike outage would move it off them");
    expect(issuesOf(() => scenarioFrom(fleet({ kind: 'flat_line', variables: ['ratio'] })))).toEqual([]);
    const none = issuesOf(() => scenarioFrom({ ...fleet({ kind: 'level_shift', amount: 5 }), variables: { ratio: LABELS.ratio } }));
    expect(none.map((i) => i.message)).toEqual(["no variable an outage of kind level_shift can act on (categorical, Bernoulli and constant variables are left out, their values being labels: 'ratio')"]);
  });
});
