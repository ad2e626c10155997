/**
 * Anomaly kinds: how events choose their kind and duration, the realised rate,
 * the segment table's kind, variables and parameters, validation, the clean twin, and the
 * example scenario. The effect of each kind on values is pinned in kinds-contract.test.ts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { eventsStartingIn } from '../src/anomaly/events.js';
import { seedKey } from '../src/random/counter.js';
import { segmentTable } from '../src/dataset/segments.js';
import { segmentsOf } from '../src/generate/event-outcome.js';
import { prepareScenario } from '../src/variables/registry.js';
import { withCleanTwin } from '../src/anomaly/kinds/clean-twin.js';
import type { Scenario } from '../src/model/types.js';
import { duck, scenarioFrom, tempDir, VALVE } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const SIGNAL = { type: 'process', components: [{ type: 'sine', period: 100, amplitude: 1 }, { type: 'noise', sd: 0.1 }] };

function withKinds(anomalies: Record<string, unknown>, variables: Record<string, unknown> = { p: SIGNAL }, rows = 100_000): Scenario {
  return scenarioFrom({ seed: 5, timeline: { rows }, anomalies, variables });
}

const allEvents = (s: Scenario) => eventsStartingIn(s.anomalies, seedKey(s.seed), s.timeline.rows, 0, s.timeline.rows);

describe('choosing kinds and durations', () => {
  it('picks kinds by weight and gives each its own duration range', () => {
    const s = withKinds({ frequency: 0.05, duration: [10, 20], kinds: [{ kind: 'spike', weight: 3, magnitude: 2, duration: 1 }, { kind: 'level_shift', shift: 1 }] }, { p: SIGNAL }, 2_000_000);
    const events = allEvents(s);
    const spikes = events.filter((e) => e.kind === 'spike');
    const shifts = events.filter((e) => e.kind === 'level_shift');
    expect(spikes.length + shifts.length).toBe(events.length);
    const share = spikes.length / events.length;
    expect(Math.abs(share - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / events.length));
    expect(spikes.every((e) => e.duration === 1 && e.spec === 0)).toBe(true);
    expect(shifts.every((e) => e.duration >= 10 && e.duration <= 20 && e.spec === 1)).toBe(true);
  });

  it('realises the requested anomalous fraction with mixed durations (20 seeds × 1M rows)', () => {
    let anomalous = 0;
    let total = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = { ...withKinds({ frequency: 0.02, kinds: [{ kind: 'spike', magnitude: 1, duration: 1, weight: 2 }, { kind: 'flat_line', duration: [50, 400] }] }, { p: SIGNAL }, 1_000_000), seed };
      for (const e of allEvents(s)) anomalous += e.end - e.start;
      total += 1_000_000;
    }
    expect(Math.abs(anomalous / total / 0.02 - 1)).toBeLessThan(0.05);
  });

  it('count mode: exactly that many events, each with a kind and its duration', () => {
    const s = withKinds({ count: 40, kinds: [{ kind: 'spike', magnitude: 2, duration: 1 }, { kind: 'dropout', duration: [100, 200] }] });
    const events = allEvents(s);
    expect(events).toHaveLength(40);
    for (const e of events) expect(e.kind === 'spike' ? e.duration === 1 : e.duration >= 100 && e.duration <= 200).toBe(true);
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['spike', 'dropout']));
  });

  it('events with kinds are prefix-stable and layout-independent (a shard looks back the longest kind)', () => {
    const s = withKinds({ frequency: 0.05, duration: [5, 10], kinds: [{ kind: 'spike', magnitude: 1 }, { kind: 'flat_line', duration: [2000, 5000] }] }, { p: SIGNAL }, 300_000);
    const big = { ...s, timeline: { ...s.timeline, rows: 900_000 } };
    const key = seedKey(s.seed);
    const small = eventsStartingIn(s.anomalies, key, 300_000, 0, 300_000).filter((e) => !e.truncated);
    const grown = eventsStartingIn(big.anomalies, key, 900_000, 0, 300_000).filter((e) => e.end <= 300_000);
    expect(grown).toEqual(small);
    // A shard starting inside a long flat-line sees the event that started before it.
    const long = small.find((e) => e.kind === 'flat_line')!;
    const inside = generateShard(s, long.start + 1000, long.start + 1100);
    expect(inside.events[0]).toMatchObject({ id: long.id, kind: 'flat_line' });
    expect(inside.isAnomaly.every((x) => x === 1)).toBe(true);
  });
});

describe('how kinds meet variables', () => {
  it('a callback generated after a target reads its values with the anomaly applied', async () => {
    const s = parseScenario(
      JSON.stringify({
        timeline: { rows: 50_000 },
        anomalies: { frequency: 0.05, duration: [10, 50], kinds: [{ kind: 'level_shift', shift: 7, variables: ['x'] }] },
        variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } }, c: { type: 'callback', module: 'basic.js', normal: 'derived' } },
      }),
      join(root, 'test/fixtures/callbacks/s.json'),
    );
    await prepareScenario(s);
    const r = generateShard(s, 0, 50_000);
    const x = r.values[0]!.data;
    const c = r.values[1]!.data;
    let bad = 0;
    for (let i = 0; i < r.rows; i++) if (c[i] !== 2 * x[i]!) bad++;
    expect(bad).toBe(0);
    expect(r.isAnomaly.some((a, i) => a === 1 && Math.abs(x[i]!) > 4)).toBe(true);
  });

  it('D4: a kind acting on p is unchanged by adding another target variable', () => {
    const kinds = [{ kind: 'noise', magnitude: 1 }, { kind: 'dropout', rate: 0.5 }];
    const a = generateShard(withKinds({ frequency: 0.05, duration: [10, 30], kinds }), 0, 50_000);
    const b = generateShard(withKinds({ frequency: 0.05, duration: [10, 30], kinds }, { q: SIGNAL, p: SIGNAL }), 0, 50_000);
    const pa = a.values.find((v) => v.name === 'p')!;
    const pb = b.values.find((v) => v.name === 'p')!;
    expect(Buffer.from(pb.data.buffer).equals(Buffer.from(pa.data.buffer))).toBe(true);
    expect(Buffer.from(pb.valid!).equals(Buffer.from(pa.valid!))).toBe(true);
  });

  it('variables with an anomalous definition keep it on every event; kinds default to the others', () => {
    const s = withKinds({ frequency: 0.05, duration: [10, 30], kinds: [{ kind: 'level_shift', shift: 3 }] }, { d: { normal: { dist: 'uniform', min: 0, max: 1 }, anomalous: { dist: 'uniform', min: 10, max: 11 } }, p: SIGNAL, tag: { normal: { dist: 'categorical', values: ['a', 'b'] } } });
    const a = s.anomalies;
    expect(a.mode !== 'none' && a.kinds![0]!.variables).toEqual(['p']);
  });
});

describe('the segment table', () => {
  it('records kind, the variables each event changes, and its drawn parameters', () => {
    const s = withKinds({ frequency: 0.05, duration: [10, 30], kinds: [{ kind: 'spike', magnitude: [2, 4], direction: 'both' }, { kind: 'noise', magnitude: 1, wave: 'sine', variables: ['q'] }] }, { p: SIGNAL, q: SIGNAL, d: { normal: { dist: 'uniform', min: 0, max: 1 }, anomalous: { dist: 'uniform', min: 5, max: 6 } } });
    const t = segmentTable(s, segmentsOf(s, allEvents(s)).segments);
    expect(t.schema.fields.map((f) => f.name)).toContain('params');
    let spikes = 0;
    for (let i = 0; i < t.numRows; i++) {
      const row = t.get(i)!.toJSON() as Record<string, unknown>;
      const params = JSON.parse(String(row['params'])) as Record<string, unknown>;
      if (row['kind'] === 'spike') {
        spikes++;
        expect(row['variables']).toBe('p,q,d');
        expect(['up', 'down']).toContain(params['direction']);
        expect(params['magnitude']).toBeGreaterThanOrEqual(2);
        expect(params['magnitude']).toBeLessThanOrEqual(4);
      } else {
        expect(row['variables']).toBe('q,d');
        expect(params).toEqual({ direction: 'both', magnitude: 1, wave: 'sine' });
      }
    }
    expect(spikes).toBeGreaterThan(10);
  });

  it('is unchanged for scenarios without kinds (no params column, definition events)', () => {
    const s = scenarioFrom(VALVE);
    const t = segmentTable(s, segmentsOf(s, allEvents(s)).segments);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'kind', 'start_row', 'end_row', 'start_time', 'end_time', 'duration_rows', 'rows', 'truncated', 'variables', 'effect_rms', 'effect_max', 'changed_rows']);
    expect(t.get(0)!.toJSON()['variables']).toBe('temperature,pressure,flow,state,door_open');
  });
});

describe('validation', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp, Record<string, unknown>?]> = [
    ['an unknown kind', { frequency: 0.01, duration: 5, kinds: [{ kind: 'spik', magnitude: 1 }] }, /anomalies\.kinds\[0\]\.kind: unknown anomaly kind string 'spik' \(did you mean 'spike'\?\)/],
    ['a missing parameter', { frequency: 0.01, duration: 5, kinds: [{ kind: 'level_shift' }] }, /anomalies\.kinds\[0\]\.shift: required: size of the shift/],
    ['a reversed range', { frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: [5, 2] }] }, /anomalies\.kinds\[0\]\.magnitude\[1\]: must be >= the minimum \(5\), got 2/],
    ['a parameter of another kind', { frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, shift: 2 }] }, /anomalies\.kinds\[0\]\.shift: unknown key/],
    ['variance without factor or sd', { frequency: 0.01, duration: 5, kinds: [{ kind: 'variance' }] }, /variance needs 'factor'/],
    ['a direction typo', { frequency: 0.01, duration: 5, kinds: [{ kind: 'trend', slope: 1, direction: 'upward' }] }, /anomalies\.kinds\[0\]\.direction: expected one of: up, down, both/],
    ['no duration anywhere', { frequency: 0.01, kinds: [{ kind: 'spike', magnitude: 1 }] }, /anomalies\.kinds\[0\]\.duration: required when 'anomalies\.duration' is not given/],
    ['an infeasible frequency for the kinds', { frequency: 0.6, kinds: [{ kind: 'spike', magnitude: 1, duration: [1, 3] }] }, /anomalies\.frequency: at most 0\.\d+ of rows can be anomalous with a mean duration of 2\.0 rows over the kinds/],
    ['an unknown target', { frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, variables: ['pp'] }] }, /anomalies\.kinds\[0\]\.variables\[0\]: no variable named 'pp' \(did you mean 'p'\?\)/],
    ['frequency on a variable without seasonality', { frequency: 0.01, duration: 5, kinds: [{ kind: 'frequency', factor: 2, variables: ['n'] }] }, /'n' is not a process with a seasonal component/],
    ['a kind on a string variable', { frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, variables: ['s'] }] }, /'s' is a string variable; anomaly kinds act on numeric variables/],
    ['a flat_line on a string variable, with the remedy', { frequency: 0.01, duration: 5, kinds: [{ kind: 'flat_line', variables: ['s'] }] }, /'s' is a string variable; anomaly kinds act on numeric variables only \(flat_line and dropout too\); to make 's' anomalous, give it an 'anomalous' definition/],
    ['a kind with nothing to act on', { frequency: 0.01, duration: 5, kinds: [{ kind: 'frequency', factor: 2 }] }, /anomalies\.kinds\[0\]: no variable for 'frequency' to act on/, { n: { normal: { dist: 'normal', mean: 0, sd: 1 } } }],
    ['min_effect without kinds', { frequency: 0.01, duration: 5, min_effect: 0.5 }, /anomalies\.min_effect: needs 'anomalies\.kinds'/],
    ['a min_effect of zero', { frequency: 0.01, duration: 5, min_effect: 0, kinds: [{ kind: 'spike', magnitude: 1 }] }, /anomalies\.min_effect: must be > 0, got 0/],
    ['min_effect tries out of range', { frequency: 0.01, duration: 5, min_effect: { value: 1, tries: 0 }, kinds: [{ kind: 'spike', magnitude: 1 }] }, /anomalies\.min_effect\.tries: must be >= 1/],
    ['an unknown label mode', { frequency: 0.01, duration: 5, label: 'rows' }, /anomalies\.label: expected 'window' \(every row of an event; the default without min_effect\) or 'changed' \(only the rows whose values the event changed; the default with min_effect\)/],
    ['a clean twin clashing with a variable', { frequency: 0.01, duration: 5, clean_twin: true, kinds: [{ kind: 'spike', magnitude: 1, variables: ['p'] }] }, /anomalies\.clean_twin: the clean twin would write p_clean, already a column of the scenario/, { p: SIGNAL, p_clean: SIGNAL }],
    // DuckDB ignores the case of column names: P_CLEAN and p_clean would be one column.
    ['a clean twin clashing with a variable in another case', { frequency: 0.01, duration: 5, clean_twin: true, kinds: [{ kind: 'spike', magnitude: 1, variables: ['p'] }] }, /anomalies\.clean_twin: the clean twin would write p_clean \(as 'P_Clean'\), already a column/, { p: SIGNAL, P_Clean: SIGNAL }],
  ];
  it.each(bad)('refuses %s', (_name, anomalies, message, variables) => {
    expect(() => withKinds(anomalies, variables ?? { p: SIGNAL, n: { normal: { dist: 'normal', mean: 0, sd: 1 } }, s: { normal: { dist: 'categorical', values: ['a'] } } })).toThrow(message);
  });

  it('--with-clean refuses a scenario whose twin names are taken, in any case', () => {
    const s = withKinds({ frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, variables: ['p'] }] }, { p: SIGNAL, p_clean: SIGNAL });
    expect(() => withCleanTwin(s)).toThrow(/--with-clean would write p_clean, already a column of the scenario/);
    const upper = withKinds({ frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, variables: ['p'] }] }, { p: SIGNAL, P_CLEAN: SIGNAL });
    expect(() => withCleanTwin(upper)).toThrow(/--with-clean would write p_clean \(as 'P_CLEAN'\), already a column/);
  });

  it('refuses a fleet whose clean twin would take the key column or an outage-only target twin a variable has', () => {
    const fleet = (key: string, vars: Record<string, unknown>) => ({
      seed: 5, timeline: { rows: 1000 }, entities: { count: 3, key },
      anomalies: { frequency: 0.01, duration: 5, clean_twin: true, outages: { frequency: 0.05, duration: [5, 10], share: 1, kind: 'flat_line', variables: ['cpu'] } },
      variables: vars,
    });
    const cpu = { normal: { dist: 'normal', mean: 0, sd: 1 } };
    // Before: the key clash failed inside the Arrow writer (exit 1), the variable clash wrote no twin.
    expect(() => scenarioFrom(fleet('cpu_clean', { cpu }))).toThrow(/anomalies\.clean_twin: the clean twin would write cpu_clean, already a column/);
    expect(() => scenarioFrom(fleet('m', { cpu, Cpu_Clean: cpu }))).toThrow(/anomalies\.clean_twin: the clean twin would write cpu_clean \(as 'Cpu_Clean'\)/);
    const noTwin = { ...fleet('cpu_clean', { cpu }), anomalies: { frequency: 0.01, duration: 5, outages: { frequency: 0.05, duration: [5, 10], share: 1, kind: 'flat_line', variables: ['cpu'] } } };
    expect(() => withCleanTwin(scenarioFrom(noTwin))).toThrow(/--with-clean would write cpu_clean, already a column/);
  });

  it('names a largest frequency that is itself accepted, for events and for outages', () => {
    const stated = (f: () => unknown): number => {
      try {
        f();
      } catch (e) {
        return Number(/at most (\d\.\d+) of/.exec((e as Error).message)![1]);
      }
      throw new Error('expected a refusal');
    };
    const cpu = { normal: { dist: 'normal', mean: 0, sd: 1 } };
    // The largest fraction for 10–50 rows is 0.3619…: named rounded to nearest, "0.362" was refused.
    for (const duration of [[10, 50], [1, 3], [20, 200], [5, 5]]) {
      const events = (frequency: number) => withKinds({ frequency, duration }, { p: SIGNAL });
      const max = stated(() => events(0.99));
      expect(() => events(max)).not.toThrow();
      expect(() => events(max + 0.001)).toThrow(/anomalies\.frequency: at most/);
      const outages = (frequency: number) =>
        scenarioFrom({ seed: 5, timeline: { rows: 1000 }, entities: { count: 3 }, anomalies: { frequency: 0.01, duration: 5, outages: { frequency, duration, share: 1, kind: 'flat_line', variables: ['cpu'] } }, variables: { cpu } });
      const outageMax = stated(() => outages(0.99));
      expect(() => outages(outageMax)).not.toThrow();
      expect(() => outages(outageMax + 0.001)).toThrow(/outages\.frequency: at most/);
    }
  });
});

describe('the clean twin', () => {
  it('twins exactly the variables anomalies can reach, equal to the scenario without anomalies', () => {
    const s = withCleanTwin(withKinds({ frequency: 0.05, duration: [10, 30], kinds: [{ kind: 'level_shift', shift: 3, variables: ['p'] }] }, { p: SIGNAL, q: SIGNAL, d: { normal: { dist: 'uniform', min: 0, max: 1 }, anomalous: { dist: 'uniform', min: 5, max: 6 } } }));
    const r = generateShard(s, 0, 20_000);
    expect(r.values.map((v) => v.name)).toEqual(['p', 'q', 'd', 'p_clean', 'd_clean']);
    const clean = generateShard({ ...s, anomalies: { mode: 'none' } }, 0, 20_000);
    for (const name of ['p', 'd']) {
      const twin = r.values.find((v) => v.name === `${name}_clean`)!;
      expect(Buffer.from(twin.data.buffer).equals(Buffer.from(clean.values.find((v) => v.name === name)!.data.buffer))).toBe(true);
    }
  });
});

describe('example scenario', () => {
  it('scenarios/anomaly-kinds.yaml generates every kind, recorded in anomalies.parquet', async () => {
    const out = join(tempDir(), 'kinds');
    await generate(withCleanTwin(parseScenario(await import('node:fs').then((fs) => fs.readFileSync(join(root, 'scenarios/anomaly-kinds.yaml'), 'utf8')), join(root, 'scenarios/anomaly-kinds.yaml'))), { out, rows: 300_000, workers: 2, shardRows: 131_072 });
    const kinds = await duck(`SELECT kind, count(*) AS n FROM read_parquet('${out}/anomalies.parquet') GROUP BY kind ORDER BY kind`);
    expect(kinds.map((k) => k['kind'])).toEqual(['amplitude', 'dropout', 'flat_line', 'frequency', 'level_shift', 'noise', 'spike', 'trend', 'variance']);
    const [r] = await duck(`SELECT count(*) FILTER (WHERE signal IS NULL) AS nulls, count(*) FILTER (WHERE NOT is_anomaly AND signal <> signal_clean) AS leaks FROM read_parquet('${out}/data/*.parquet')`);
    expect(Number(r!['nulls'])).toBeGreaterThan(0);
    expect(Number(r!['leaks'])).toBe(0);
  });
});

describe('the JSON Schema', () => {
  it('accepts kinds, processes, callbacks and sources, and points at a mistake in each', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const ajv = new Ajv2020({ allErrors: true, strictTypes: true, strictTuples: true, allowUnionTypes: true });
    const check = ajv.compile(JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as object);
    const errors = (doc: unknown) => (check(doc) ? [] : (check.errors ?? []).map((e) => [e.instancePath, e.keyword]));
    for (const f of ['anomaly-kinds.yaml', 'process-load.yaml', 'callback-flow.yaml', 'nab-cpu-injection.yaml']) {
      expect(errors(parse(readFileSync(join(root, 'scenarios', f), 'utf8'))), f).toEqual([]);
    }
    const base = { timeline: { rows: 10 }, variables: { p: { type: 'process', components: [{ type: 'noise', sd: 1 }] } } };
    expect(errors({ ...base, anomalies: { frequency: 0.1, duration: 5, kinds: [{ kind: 'spik', magnitude: 1 }] } })).toContainEqual(['/anomalies/kinds/0/kind', 'enum']);
    expect(errors({ ...base, anomalies: { frequency: 0.1, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, shift: 2 }] } })).toContainEqual(['/anomalies/kinds/0', 'unevaluatedProperties']);
    expect(errors({ ...base, anomalies: { frequency: 0.1, kinds: [{ kind: 'level_shift' }] } })).toContainEqual(['/anomalies/kinds/0', 'required']);
    expect(errors({ timeline: { rows: 10 }, variables: { p: { type: 'process', components: [{ type: 'ar', coefficients: [0.5], period: 3 }] } } })).toContainEqual(['/variables/p/components/0', 'additionalProperties']);
    expect(errors({ timeline: { rows: 10 }, variables: { c: { type: 'callback', module: 'm.py', normal: 'f' } } })).toContainEqual(['/variables/c/module', 'pattern']);
    expect(errors({ timeline: { rows: 10 }, variables: { s: { type: 'source', file: 'a.csv', past_end: 'wrap' } } })).toContainEqual(['/variables/s/past_end', 'enum']);
  });
});
