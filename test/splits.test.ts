/**
 * Splits: train_clean, train and test from one scenario and seed, each a dataset directory
 * DuckDB reads as the README describes — row counts, time ranges, no anomalies in the clean
 * split, the clean split equal to train outside its events, test equal to the later rows of
 * one run over the whole timeline — and the ownership rules in each split directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generate } from '../src/run/generate.js';
import { grow } from '../src/run/grow.js';
import { mergeToFile } from '../src/run/merge.js';
import { generateSplits, type SplitsIndex } from '../src/run/splits.js';
import { verify } from '../src/run/verify.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';

const CLI = 'dist/src/cli/main.js';
const N = 300_000;
const TRAIN = 210_000;
const STEP_MS = 1000;
const START_MS = Date.parse('2024-03-01T00:00:00Z');

const DOC = {
  name: 'splits-test',
  seed: 5,
  timeline: { start: '2024-03-01T00:00:00Z', step: '1s', rows: N },
  splits: { train: 0.7 },
  anomalies: {
    frequency: 0.02,
    duration: [50, 400],
    kinds: [{ kind: 'level_shift', shift: [2, 4] }, { kind: 'decorrelate', variables: ['a', 'b'] }, { kind: 'lag', lag: 20, variables: ['load'] }],
  },
  correlations: { g: { variables: ['a', 'b'], correlation: [[1, 0.8], [0.8, 1]] } },
  variables: {
    a: { type: 'correlated', marginal: { dist: 'normal', mean: 1, sd: 1 } },
    b: { type: 'correlated', marginal: { dist: 'lognormal', mu: 0, sigma: 0.3 } },
    load: { type: 'process', components: [{ type: 'sine', period: '1h', amplitude: 5 }, { type: 'trend', slope: 0.0001 }, { type: 'random_walk', sd: 0.02 }, { type: 'noise', sd: 0.3 }] },
    state: { normal: { dist: 'categorical', values: ['idle', 'run'], weights: [1, 3] }, anomalous: { dist: 'categorical', values: ['fault'] } },
  },
};

const data = (dir: string) => `read_parquet('${dir}/data/*.parquet')`;
const num = (x: unknown) => Number(x);

describe('splits', () => {
  const base = tempDir('paranom-splits-');
  const out = join(base, 'bench');
  let run: Promise<SplitsIndex> | undefined;
  const splits = () => (run ??= generateSplits(scenarioFrom(DOC), { out, workers: 2, shardRows: 65_536 }).then((r) => r.index));

  it('writes three datasets and splits.json with their rows and time ranges', async () => {
    const index = await splits();
    expect(JSON.parse(readFileSync(join(out, 'splits.json'), 'utf8'))).toEqual(index);
    const iso = (row: number) => new Date(START_MS + row * STEP_MS).toISOString();
    expect(index.splits.map((e) => [e.name, e.anomalies, e.first_row, e.rows, e.start, e.end])).toEqual([
      ['train_clean', false, 0, TRAIN, iso(0), iso(TRAIN - 1)],
      ['train', true, 0, TRAIN, iso(0), iso(TRAIN - 1)],
      ['test', true, TRAIN, N - TRAIN, iso(TRAIN), iso(N - 1)],
    ]);
    for (const e of index.splits) {
      const [r] = await duck(`SELECT count(*) AS n, epoch_ms(min(timestamp)) AS lo, epoch_ms(max(timestamp)) AS hi, count(*) FILTER (WHERE is_anomaly) AS anomalous FROM ${data(join(out, e.dir))}`);
      expect([num(r!['n']), num(r!['lo']), num(r!['hi'])], e.name).toEqual([e.rows, Date.parse(e.start), Date.parse(e.end)]);
      const [seg] = await duck(`SELECT count(*) AS n FROM read_parquet('${join(out, e.dir, 'anomalies.parquet')}')`);
      if (e.anomalies) expect(num(r!['anomalous']), e.name).toBeGreaterThan(0.01 * e.rows);
      else expect([num(r!['anomalous']), num(seg!['n'])]).toEqual([0, 0]);
    }
  });

  it('train_clean equals train outside the event windows of train, and differs inside them', async () => {
    await splits();
    const cols = ['a', 'b', 'load', 'state'];
    const [r] = await duck(`
      WITH ev AS (SELECT start_row, end_row FROM read_parquet('${join(out, 'train', 'anomalies.parquet')}')),
      pairs AS (
        SELECT (epoch_ms(t.timestamp) - ${START_MS}) / ${STEP_MS} AS row, ${cols.map((c) => `t.${c} IS NOT DISTINCT FROM c.${c} AS same_${c}`).join(', ')}, t.is_anomaly
        FROM ${data(join(out, 'train'))} t JOIN ${data(join(out, 'train_clean'))} c USING (timestamp))
      SELECT count(*) AS rows,
        count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ev WHERE row BETWEEN start_row AND end_row) AND NOT (${cols.map((c) => `same_${c}`).join(' AND ')})) AS differ_outside,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ev WHERE row BETWEEN start_row AND end_row) AND NOT (${cols.map((c) => `same_${c}`).join(' AND ')})) AS differ_inside,
        count(*) FILTER (WHERE is_anomaly AND NOT EXISTS (SELECT 1 FROM ev WHERE row BETWEEN start_row AND end_row)) AS labelled_outside
      FROM pairs`);
    expect(num(r!['rows'])).toBe(TRAIN);
    expect(num(r!['differ_outside'])).toBe(0);
    expect(num(r!['labelled_outside'])).toBe(0);
    expect(num(r!['differ_inside'])).toBeGreaterThan(0.01 * TRAIN);
  });

  it('train and test are the rows of one run over the whole timeline, events included', async () => {
    await splits();
    const { splits: _, ...plain } = DOC;
    const whole = join(base, 'whole');
    await generate(scenarioFrom(plain), { out: whole, workers: 2 });
    const digest = async (dir: string, where = 'true') =>
      (await duck(`SELECT count(*) AS n, md5(string_agg(concat_ws('|', timestamp, a, b, load, state, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM ${data(dir)} WHERE ${where}`))[0];
    expect(await digest(join(out, 'train'))).toEqual(await digest(whole, `epoch_ms(timestamp) < ${START_MS + TRAIN * STEP_MS}`));
    expect(await digest(join(out, 'test'))).toEqual(await digest(whole, `epoch_ms(timestamp) >= ${START_MS + TRAIN * STEP_MS}`));
    // The test split's segment table: the whole run's events that reach its rows, with the same effects.
    const events = async (file: string, where: string) => (await duck(`SELECT id, kind, start_row, end_row, effect_rms FROM read_parquet('${file}') WHERE ${where} ORDER BY id`)).map((r) => JSON.stringify(r));
    const testEvents = await events(join(out, 'test', 'anomalies.parquet'), 'true');
    expect(testEvents.length).toBeGreaterThan(5);
    expect(testEvents).toEqual(await events(join(whole, 'anomalies.parquet'), `end_row >= ${TRAIN}`));
  });

  it('keeps each split a dataset verify accepts, and resumes rather than redoes a finished run', async () => {
    const index = await splits();
    for (const e of index.splits) expect((await verify(join(out, e.dir), { sampleBlocks: 2 })).problems, e.name).toEqual([]);
    const again = await generateSplits(scenarioFrom(DOC), { out, workers: 2, shardRows: 65_536 });
    expect(again.results.map((r) => r.result.generated)).toEqual([0, 0, 0]);
  });

  it('merges and scores the test split like any dataset; grow, verify and merge name the splits instead of failing', async () => {
    await splits();
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    // Before: the test split's rows (from row TRAIN) failed merge's coverage check as "damaged" (exit 1).
    const merged = join(base, 'test.parquet');
    expect(cli('merge', join(out, 'test'), '--to', merged).status).toBe(0);
    const [m] = await duck(`SELECT count(*) AS n, epoch_ms(min(timestamp)) AS lo FROM read_parquet('${merged}')`);
    expect([num(m!['n']), num(m!['lo'])]).toEqual([N - TRAIN, START_MS + TRAIN * STEP_MS]);
    // Before: eval with the test split as labels stopped with an internal error.
    const scored = cli('eval', join(out, 'test', 'data', 'part-00000.parquet'), '--labels', join(out, 'test'), '--score-column', 'load', '--json');
    expect(scored.status, scored.stderr).toBe(0);
    expect((JSON.parse(scored.stdout) as { rows: number }).rows).toBe(65_536);
    const before = readFileSync(join(out, 'train', 'manifest.json'), 'utf8');
    const refusals: Array<[string[], RegExp]> = [
      // Before: train grew into test's rows, and splits.json no longer said what was there.
      [['grow', join(out, 'train'), '--rows', String(N)], /bench\/train is the train split of .*bench \(splits\.json\); growing one split would make it overlap/],
      [['grow', join(out, 'test'), '--rows', String(N)], /bench\/test is the test split/],
      // Before: "no manifest — not a complete paranom dataset", exit 1.
      [['verify', out], /bench holds splits \(splits\.json\), one dataset each: name one of them, such as .*bench\/train/],
      [['grow', out, '--rows', String(N)], /bench holds splits \(splits\.json\); they grow together or not at all — generate the splits again with more rows/],
    ];
    for (const [args, says] of refusals) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(says);
    }
    expect(readFileSync(join(out, 'train', 'manifest.json'), 'utf8')).toBe(before);
  });
});

describe('splits of a fleet', () => {
  it('splits every entity at the same row: each split has every entity, and train and test are the rows of one run', async () => {
    const base = tempDir('paranom-fleet-splits-');
    const rows = 20_000;
    const doc = {
      ...DOC,
      timeline: { ...DOC.timeline, rows },
      splits: { train: 12_000 },
      entities: { count: 4, key: 'machine', order: 'time_entity' },
      anomalies: { ...DOC.anomalies, outages: { frequency: 0.01, duration: [50, 100], share: 0.5, variables: ['load'], kind: 'level_shift', amount: [3, 5] } },
    };
    await generateSplits(scenarioFrom(doc), { out: join(base, 'splits'), workers: 2 });
    const { splits: _, ...plain } = doc;
    await generate(scenarioFrom(plain), { out: join(base, 'whole'), workers: 2 });
    const cut = START_MS + 12_000 * STEP_MS;
    const digest = async (dir: string, where = 'true') =>
      (await duck(`SELECT count(*) AS n, count(DISTINCT machine) AS m, md5(string_agg(concat_ws('|', machine, timestamp, a, b, load, state, is_anomaly, anomaly_id), ',' ORDER BY machine, timestamp)) AS h FROM ${data(dir)} WHERE ${where}`))[0];
    expect(await digest(join(base, 'splits', 'train'))).toEqual(await digest(join(base, 'whole'), `epoch_ms(timestamp) < ${cut}`));
    const test = await digest(join(base, 'splits', 'test'));
    expect([num(test!['n']), num(test!['m'])]).toEqual([4 * 8_000, 4]);
    expect(test).toEqual(await digest(join(base, 'whole'), `epoch_ms(timestamp) >= ${cut}`));
    const [clean] = await duck(`SELECT count(*) AS n, count(*) FILTER (WHERE is_anomaly) AS anomalous FROM ${data(join(base, 'splits', 'train_clean'))}`);
    expect([num(clean!['n']), num(clean!['anomalous'])]).toEqual([4 * 12_000, 0]);
    // Before: the fleet's test split (each entity's rows from 12,000) failed the coverage check
    // of merge and grow as "damaged" (exit 1); now merge writes its rows and grow names the split.
    const merged = join(base, 'test.parquet');
    expect((await mergeToFile(join(base, 'splits', 'test'), merged)).rows).toBe(4 * 8_000);
    expect((await duck(`SELECT count(*) AS n, count(DISTINCT machine) AS m, md5(string_agg(concat_ws('|', machine, timestamp, a, b, load, state, is_anomaly, anomaly_id), ',' ORDER BY machine, timestamp)) AS h FROM read_parquet('${merged}')`))[0]).toEqual(test);
    await expect(grow(join(base, 'splits', 'test'), 30_000)).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/is the test split of .* growing one split would make it overlap/) });
  });
});

describe('splits: ownership and the command line', () => {
  const paranom = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const small = (dir: string, extra: Record<string, unknown> = {}) => {
    const file = join(dir, 'scenario.json');
    const { splits: _, ...plain } = DOC;
    writeFileSync(file, JSON.stringify({ ...plain, timeline: { ...DOC.timeline, rows: 20_000 }, ...extra }));
    return file;
  };

  it('generate --splits writes the three splits of a scenario without splits; --stdout is refused', () => {
    const dir = tempDir();
    const file = small(dir);
    const r = paranom('generate', file, '--out', join(dir, 'out'), '--splits', '0.6', '--workers', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/test\s+rows 12,000–19,999/);
    const index = JSON.parse(readFileSync(join(dir, 'out', 'splits.json'), 'utf8')) as SplitsIndex;
    expect(index.splits.map((e) => e.rows)).toEqual([12_000, 12_000, 8_000]);
    const s = paranom('generate', file, '--stdout', '--splits');
    expect(s.code).toBe(2);
    expect(s.err).toContain('--splits writes three dataset directories');
  });

  it('never touches files it did not write: a foreign file in a split, a foreign splits.json, a dataset in --out', () => {
    const dir = tempDir();
    const file = small(dir, { splits: { train: 10_000 } });
    const out = join(dir, 'out');
    mkdirSync(join(out, 'train'), { recursive: true });
    writeFileSync(join(out, 'train', 'notes.txt'), 'mine');
    const r = paranom('generate', file, '--out', out, '--workers', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds files paranom did not write \(notes\.txt\)/);
    expect(readFileSync(join(out, 'train', 'notes.txt'), 'utf8')).toBe('mine');
    // Refused before any split was written.
    expect(existsSync(join(out, 'train_clean'))).toBe(false);
    expect(existsSync(join(out, 'splits.json'))).toBe(false);

    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'splits.json'), '{"mine": true}');
    const f = paranom('generate', file, '--out', other, '--workers', '1');
    expect(f.code).toBe(2);
    expect(f.err).toContain('was not written by paranom');
    expect(readFileSync(join(other, 'splits.json'), 'utf8')).toBe('{"mine": true}');

    const plainOut = join(dir, 'plain');
    const { splits: _, ...plain } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'plain.json'), JSON.stringify(plain));
    expect(paranom('generate', join(dir, 'plain.json'), '--out', plainOut, '--workers', '1').code).toBe(0);
    const d = paranom('generate', file, '--out', plainOut, '--workers', '1');
    expect(d.code).toBe(2);
    expect(d.err).toContain('holds a dataset');
  });

  it('--force replaces only the splits paranom wrote; a file of the user in --out stays', () => {
    const dir = tempDir();
    const file = small(dir, { splits: { train: 10_000 } });
    const out = join(dir, 'out');
    expect(paranom('generate', file, '--out', out, '--workers', '1').code).toBe(0);
    writeFileSync(join(out, 'README.txt'), 'mine');
    const again = paranom('generate', file, '--out', out, '--seed', '6', '--workers', '1');
    expect(again.code).toBe(2);
    expect(again.err).toContain('--force');
    expect(paranom('generate', file, '--out', out, '--seed', '6', '--workers', '1', '--force').code).toBe(0);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toBe('mine');
    expect((JSON.parse(readFileSync(join(out, 'splits.json'), 'utf8')) as SplitsIndex).seed).toBe(6);
  });

  it('refuses splits that do not fit the timeline, and count-mode anomalies', () => {
    expect(() => scenarioFrom({ ...DOC, splits: { train: 200_000, test: 200_000 } })).toThrow(/splits: train \(200,000 rows\) and test \(200,000 rows\) need more than the timeline's 300,000 rows/);
    expect(() => scenarioFrom({ ...DOC, anomalies: { count: 3, duration: [5, 10] } })).toThrow(/splits: needs anomalies placed by 'frequency'/);
    expect(() => scenarioFrom({ ...DOC, splits: { train: 'soon' } })).toThrow(/splits\.train: expected a row count/);
  });

  it('refuses a whole number written with a decimal point (train: 1.0 was one row), in YAML, JSON and --splits; 1 and 0.7 still read as before', () => {
    const yaml = (train: string) => `timeline: { start: '2024-01-01T00:00:00Z', step: 1s, rows: 1000 }\nsplits:\n  train: ${train}\nanomalies: { frequency: 0.01, duration: [2, 5] }\nvariables:\n  a: { normal: { dist: normal, mean: 0, sd: 1 } }\n`;
    expect(() => parseScenario(yaml('1.0'), 'x.yaml')).toThrow(/x\.yaml:3:10 splits\.train: 1\.0 would be 1 row: a whole number is a row count; write a fraction below 1 \(such as 0\.7\)/);
    expect(() => parseScenario(yaml('600.0'), 'x.yaml')).toThrow(/splits\.train: 600\.0 would be 600 rows/);
    const json = JSON.stringify({ ...DOC, splits: { train: 0.5, test: 'X' } }).replace('"X"', '2.00');
    expect(() => parseScenario(json, 'x.json')).toThrow(/splits\.test: 2\.00 would be 2 rows/);
    expect(parseScenario(yaml('1'), 'x.yaml').splits?.train).toEqual({ rows: 1 });
    expect(parseScenario(yaml('0.7'), 'x.yaml').splits?.train).toEqual({ fraction: 0.7 });
    expect(parseScenario(yaml('1e2'), 'x.yaml').splits?.train).toEqual({ rows: 100 });
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, yaml('1.0').replace(/splits:\n.*\n/, ''));
    const r = spawnSync(process.execPath, [CLI, 'generate', file, '--out', join(dir, 'out'), '--splits', '1.0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--splits: 1\.0 would be 1 row/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it("refuses a fleet's outages placed by count, in the scenario and with --splits (before: written, and train + test were not the rows of one run)", () => {
    const fleet = { ...DOC, timeline: { ...DOC.timeline, rows: 3000 }, entities: { count: 2 }, anomalies: { ...DOC.anomalies, outages: { count: 2, duration: [5, 30], share: 0.5, variables: ['load'], kind: 'level_shift', amount: [1, 3] } } };
    expect(() => scenarioFrom(fleet)).toThrow(/splits: needs outages placed by 'frequency': 'anomalies\.outages\.count' spreads its outages over the whole timeline/);
    const dir = tempDir();
    const { splits: _, ...plain } = fleet;
    const file = join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify(plain));
    const r = paranom('generate', file, '--out', join(dir, 'out'), '--splits', '0.5', '--workers', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain("splits: needs outages placed by 'frequency'");
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('a test split after events with a callback variable', () => {
  it('measures the events running into test with the callback module loaded (before: internal error, "callback module was not loaded")', async () => {
    const { loadScenario } = await import('../src/reader/load.js');
    const dir = tempDir();
    writeFileSync(join(dir, 'cb.js'), 'export function level(ctx) { return 10 + ctx.random.normal(0, 1); }\n');
    const file = join(dir, 's.json');
    // Events of 30–60 rows at a high rate: one runs across the split at row 1,000.
    writeFileSync(file, JSON.stringify({ seed: 3, timeline: { rows: 2000 }, splits: { train: 1000 }, anomalies: { frequency: 0.3, duration: [30, 60], kinds: [{ kind: 'level_shift', shift: 2 }] }, variables: { c: { type: 'callback', module: 'cb.js', normal: 'level' } } }));
    await generateSplits(await loadScenario(file), { out: join(dir, 'out'), workers: 2 });
    const starts = (await duck(`SELECT start_row FROM read_parquet('${join(dir, 'out/test/anomalies.parquet')}')`)).map((x) => Number(x['start_row']));
    expect(starts.some((s) => s < 1000), 'an event starts in train and runs into test').toBe(true);
  });
});
