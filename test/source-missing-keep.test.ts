import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { grow } from '../src/run/grow.js';
import { verify } from '../src/run/verify.js';
import { loadScenario } from '../src/reader/load.js';
import { generateRows } from '../src/generate/rows.js';
import { duck, tempDir } from './helpers.js';
import { csvFile, reading, ROWS, SPELLED_GAPS, START } from './source-gaps.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** File rows whose reading is missing: scattered cells spelled as pandas does, and a run of 30 (rows 200–229). */
const GAPS = new Map<number, string>(SPELLED_GAPS);
for (let i = 200; i < 230; i++) GAPS.set(i, '');
/** Timeline rows mapped to a missing reading (timestamps: ignore, offset 0: row i is file row i). */
const GAP_ROWS = [...GAPS.keys()].filter((i) => i < ROWS).sort((a, b) => a - b);


function scenarioFile(dir: string, name: string, file: string, extra: string, anomalies: string, rows = ROWS): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, [
    'name: kept-gaps',
    'seed: 5',
    `timeline: { start: ${new Date(START).toISOString()}, step: 1m, rows: ${rows} }`,
    ...(anomalies ? [`anomalies: ${anomalies}`] : []),
    'variables:',
    `  v: { type: source, file: ${file}, column: value${extra} }`,
  ].join('\n') + '\n');
  return path;
}

/** Anomalies dense enough that events fall on the gaps: kinds that add, hold the first row, scale, and drop. */
const DENSE = '{ frequency: 0.3, duration: [4, 12], kinds: [{ kind: spike, magnitude: [20, 40] }, { kind: flat_line }, { kind: amplitude, factor: 3 }, { kind: level_shift, shift: 15 }, { kind: dropout, rate: 0.5 }] }';
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), ...args], { encoding: 'utf8' });
const rowsOf = (out: string) => duck(`SELECT row_number() OVER (ORDER BY timestamp) - 1 AS i, v, v_clean, is_anomaly, anomaly_id FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`);
const nullRows = async (out: string, column: string) => (await duck(`SELECT i FROM (SELECT row_number() OVER (ORDER BY timestamp) - 1 AS i, ${column} AS x FROM read_parquet('${out}/data/*.parquet')) WHERE x IS NULL ORDER BY i`)).map((r) => Number(r['i']));
const shardBytes = (out: string) => readdirSync(join(out, 'data')).sort().map((f) => [f, readFileSync(join(out, 'data', f)).toString('base64')]);

describe('missing readings kept as nulls (missing: keep)', () => {
  const dir = tempDir('paranom-source-keep-');
  csvFile(dir, 'gaps.csv', (i) => GAPS.get(i) ?? String(reading(i)));

  it('are null in the value column and its clean twin exactly at the rows mapped to them, with the same bytes for 1 and 2 workers, and verify finds the dataset whole', async () => {
    const scenario = scenarioFile(dir, 'keep', 'gaps.csv', ', missing: keep', '{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: spike, magnitude: [20, 40] }] }');
    await generate(loadScenario(scenario), { out: join(dir, 'w1'), workers: 1, withClean: true, shardRows: 100 });
    await generate(loadScenario(scenario), { out: join(dir, 'w2'), workers: 2, withClean: true, shardRows: 100 });
    const { n, clean } = (await duck(`SELECT count(*) FILTER (WHERE v IS NULL) AS n, count(*) FILTER (WHERE v_clean IS NULL) AS clean FROM read_parquet('${dir}/w1/data/*.parquet')`))[0]!;
    expect(Number(n)).toBe(GAP_ROWS.length);
    expect(Number(clean)).toBe(GAP_ROWS.length);
    expect(await nullRows(join(dir, 'w1'), 'v')).toEqual(GAP_ROWS);
    expect(await nullRows(join(dir, 'w1'), 'v_clean')).toEqual(GAP_ROWS);
    // The other rows replay their readings.
    const rows = await rowsOf(join(dir, 'w1'));
    expect(rows.filter((r) => r['v_clean'] !== null).map((r) => r['v_clean'])).toEqual([...Array(ROWS).keys()].filter((i) => !GAPS.has(i)).map(reading));
    expect(shardBytes(join(dir, 'w2'))).toEqual(shardBytes(join(dir, 'w1')));
    const manifest = JSON.parse(readFileSync(join(dir, 'w1', 'manifest.json'), 'utf8'));
    expect(manifest.columns.filter((c: { name: string }) => c.name.startsWith('v'))).toEqual([{ name: 'v', type: 'float64?' }, { name: 'v_clean', type: 'float64?' }]);
    expect(manifest.scenario.variables[0].missing).toBe('keep');
    expect((await verify(join(dir, 'w1'))).problems).toEqual([]);
    // A Parquet file's nulls and NaNs alike.
    await duck(`COPY (SELECT * REPLACE (CASE WHEN value IN ('', ' ', 'null') THEN NULL WHEN value IN ('NaN', 'nan') THEN 'NaN' WHEN value IN ('NA', 'N/A', 'None', '#N/A', '<NA>') THEN NULL ELSE value END::DOUBLE AS value) FROM read_csv('${dir}/gaps.csv', all_varchar = true)) TO '${dir}/gaps.parquet' (FORMAT parquet)`);
    await generate(loadScenario(scenarioFile(dir, 'keep-pq', 'gaps.parquet', ', missing: keep', '{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: spike, magnitude: [20, 40] }] }')), { out: join(dir, 'pq'), workers: 2, withClean: true, shardRows: 100 });
    expect(await rowsOf(join(dir, 'pq'))).toEqual(rows);
  });

  it('give an event starting on one the held reading as its first value, whether that row is generated with the event or before it', () => {
    const s = loadScenario(scenarioFile(dir, 'anchor', 'gaps.csv', ', missing: keep', '{ count: 1, duration: [10, 10], kinds: [{ kind: flat_line }, { kind: amplitude, factor: 3 }] }'));
    const a = reading(59); // rows 60 and 61 are gaps
    const want = [() => a, (x: number) => a + 3 * (x - a)];
    for (const spec of [0, 1]) {
      const e = { id: 60, start: 60, end: 70, duration: 10, truncated: false, kind: spec === 0 ? 'flat_line' : 'amplitude', spec };
      const whole = generateRows(s, 0, 100, [e]).values.find((c) => c.name === 'v')!;
      // Rows 65 on alone: the event's first row lies before them (a shard boundary).
      const tail = generateRows(s, 65, 100, [e]).values.find((c) => c.name === 'v')!;
      expect([whole.valid![60], whole.valid![61]]).toEqual([0, 0]);
      for (let i = 62; i < 70; i++) expect(whole.data[i]).toBeCloseTo(want[spec]!(reading(i)), 9);
      expect(Array.from(tail.data)).toEqual(Array.from(whole.data.subarray(65)));
      expect(Array.from(tail.valid!)).toEqual(Array.from(whole.valid!.subarray(65)));
    }
  });

  it('stay null whatever kinds run over them, a dropout among them', async () => {
    const scenario = scenarioFile(dir, 'dense', 'gaps.csv', ', missing: keep', DENSE);
    await generate(loadScenario(scenario), { out: join(dir, 'dense1'), workers: 1, withClean: true, shardRows: 65_536 });
    await generate(loadScenario(scenario), { out: join(dir, 'dense2'), workers: 2, withClean: true });
    const rows = await rowsOf(join(dir, 'dense1'));
    // Events cover gaps (else this test would prove nothing), and an event starts on one.
    const inEvents = GAP_ROWS.filter((i) => rows[i]!['anomaly_id'] !== null);
    expect(inEvents.length).toBeGreaterThan(4);
    for (const i of GAP_ROWS) expect([rows[i]!['v'], rows[i]!['v_clean']]).toEqual([null, null]);
    // Kinds leave NaN nowhere: every stored value is finite.
    expect(rows.every((r) => r['v'] === null || Number.isFinite(r['v']))).toBe(true);
    expect(rows.some((r, i) => r['v'] === null && !GAPS.has(i))).toBe(true); // the dropouts
    const sort = (out: string) => duck(`SELECT * FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`);
    expect(await sort(join(dir, 'dense2'))).toEqual(await sort(join(dir, 'dense1')));
    expect((await verify(join(dir, 'dense2'))).problems).toEqual([]);
  });

  it('over several shards, events across their boundaries among them, give the same bytes for 1 and 2 workers', async () => {
    // 140,000 rows replay the 500-row file 280 times: three shards of up to 65,536 rows.
    const scenario = scenarioFile(dir, 'shards', 'gaps.csv', ', missing: keep', DENSE, 140_000);
    await generate(loadScenario(scenario), { out: join(dir, 's1'), workers: 1, withClean: true, shardRows: 65_536 });
    await generate(loadScenario(scenario), { out: join(dir, 's2'), workers: 2, withClean: true, shardRows: 65_536 });
    expect(shardBytes(join(dir, 's1')).length).toBe(3);
    expect(shardBytes(join(dir, 's2'))).toEqual(shardBytes(join(dir, 's1')));
    const [r] = await duck(`SELECT count(*) FILTER (WHERE v_clean IS NULL) AS clean, count(*) FILTER (WHERE v_clean IS NULL AND v IS NOT NULL) AS filled, count(*) FILTER (WHERE isnan(v) OR isnan(v_clean)) AS nan FROM read_parquet('${dir}/s1/data/*.parquet')`);
    expect([Number(r!['clean']), Number(r!['filled']), Number(r!['nan'])]).toEqual([280 * GAPS.size, 0, 0]);
  });

  it('are never changed rows: an event on gaps alone has no effect, and with label: changed its rows are not labelled', async () => {
    const out = join(dir, 'changed');
    const anomalies = '{ frequency: 0.05, duration: [3, 5], label: changed, kinds: [{ kind: spike, magnitude: [20, 40] }, { kind: dropout, rate: 1 }] }';
    await generate(loadScenario(scenarioFile(dir, 'changed', 'gaps.csv', ', missing: keep', anomalies)), { out, workers: 1, withClean: true });
    const segments = await duck(`SELECT start_row, end_row, effect_rms, effect_max, changed_rows FROM read_parquet('${out}/anomalies.parquet') ORDER BY start_row`);
    const onGaps = segments.filter((s) => Number(s['start_row']) >= 200 && Number(s['end_row']) <= 230);
    expect(onGaps.length).toBeGreaterThan(0);
    for (const s of onGaps) expect([s['effect_rms'], s['effect_max'], Number(s['changed_rows'])]).toEqual([0, 0, 0]);
    const rows = await rowsOf(out);
    for (const i of GAP_ROWS) expect(rows[i]!['is_anomaly']).toBe(false);
    // Elsewhere events still change and label rows.
    expect(segments.some((s) => Number(s['changed_rows']) > 0)).toBe(true);
    expect(rows.some((r) => r['is_anomaly'] === true)).toBe(true);
  });

  it('keep their nulls in CSV and Arrow output, and growing keeps the first rows', async () => {
    const anomalies = '{ frequency: 0.05, duration: [3, 8], kinds: [{ kind: spike, magnitude: [20, 40] }] }';
    const base = await rowsOf(join(dir, 'w1'));
    await generate(loadScenario(scenarioFile(dir, 'csv', 'gaps.csv', ', missing: keep', anomalies)), { out: join(dir, 'csv'), workers: 1, withClean: true, format: 'csv' });
    const csvRows = readFileSync(join(dir, 'csv', 'data', readdirSync(join(dir, 'csv', 'data'))[0]!), 'utf8').trim().split('\n');
    const header = csvRows[0]!.split(',');
    const cells = csvRows.slice(1).map((l) => l.split(','));
    const empty = (col: string) => cells.flatMap((c, i) => (c[header.indexOf(col)] === '' ? [i] : []));
    expect(empty('v')).toEqual(GAP_ROWS);
    expect(empty('v_clean')).toEqual(GAP_ROWS);
    await generate(loadScenario(scenarioFile(dir, 'arrow', 'gaps.csv', ', missing: keep', anomalies)), { out: join(dir, 'arrow'), workers: 2, withClean: true, format: 'arrow', shardRows: 100 });
    const tables = readdirSync(join(dir, 'arrow', 'data')).sort().map((f) => tableFromIPC(readFileSync(join(dir, 'arrow', 'data', f))));
    const arrowNulls = (col: string) => tables.flatMap((t) => [...t.getChild(col)!]).flatMap((x, i) => (x === null ? [i] : []));
    expect(arrowNulls('v')).toEqual(GAP_ROWS);
    expect(arrowNulls('v_clean')).toEqual(GAP_ROWS);
    expect((await verify(join(dir, 'arrow'))).problems).toEqual([]);
    // Grown from 150 rows to 400: the same dataset as made at 400 at once.
    const small = scenarioFile(dir, 'small', 'gaps.csv', ', missing: keep', '{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: spike, magnitude: [20, 40] }] }', 150);
    await generate(loadScenario(small), { out: join(dir, 'grown'), workers: 1, withClean: true, shardRows: 100 });
    const first = await rowsOf(join(dir, 'grown'));
    await grow(join(dir, 'grown'), ROWS, { workers: 2 });
    const grown = await rowsOf(join(dir, 'grown'));
    expect(grown.slice(0, 150)).toEqual(first);
    expect(grown).toEqual(base);
    expect((await verify(join(dir, 'grown'))).problems).toEqual([]);
  });

  it('stay null under limits, which clamp the readings around them (before: limits dropped the gaps, and every gap held a reading)', async () => {
    const scenario = scenarioFile(dir, 'keep-limits', 'gaps.csv', ', missing: keep, limits: [-20, 20]', DENSE);
    await generate(loadScenario(scenario), { out: join(dir, 'limits'), workers: 2, withClean: true, shardRows: 100 });
    expect(await nullRows(join(dir, 'limits'), 'v_clean')).toEqual(GAP_ROWS);
    const nulls = await nullRows(join(dir, 'limits'), 'v');
    for (const i of GAP_ROWS) expect(nulls).toContain(i);
    const [r] = await duck(`SELECT min(v) AS lo, max(v) AS hi, min(v_clean) AS clo, max(v_clean) AS chi FROM read_parquet('${dir}/limits/data/*.parquet')`);
    expect([r!['lo'], r!['hi'], r!['clo'], r!['chi']]).toEqual([-20, 20, -20, 20]);
  });

  it('with drift, centre on the median of the readings present: the same values as a file with the gaps left out', async () => {
    const inner = (i: number) => GAPS.has(i) && i > 0;
    csvFile(dir, 'inner.csv', (i) => (inner(i) ? GAPS.get(i)! : String(reading(i))));
    csvFile(dir, 'left-out.csv', (i) => (inner(i) ? null : String(reading(i))));
    const none = '';
    await generate(loadScenario(scenarioFile(dir, 'drift-keep', 'inner.csv', ', timestamps: map, missing: keep, drift: { offset: 20, gain: 0.5, every: 50 }', none)), { out: join(dir, 'drift-keep'), workers: 1 });
    await generate(loadScenario(scenarioFile(dir, 'drift-left', 'left-out.csv', ', timestamps: map, drift: { offset: 20, gain: 0.5, every: 50 }', none)), { out: join(dir, 'drift-left'), workers: 1 });
    const values = (out: string) => duck(`SELECT v FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`);
    const kept = await values(join(dir, 'drift-keep'));
    const left = await values(join(dir, 'drift-left'));
    expect(kept.map((r, i) => (inner(i) ? null : r['v']))).toEqual(kept.map((r) => r['v']));
    expect(kept.filter((_, i) => !inner(i))).toEqual(left.filter((_, i) => !inner(i)));
    // The drift moved the values (else equal medians would prove nothing).
    expect(kept.filter((r, i) => !inner(i) && r['v'] !== reading(i)).length).toBeGreaterThan(ROWS / 2);
  });

  it('refuses kinds that rebuild an event from the clean series around it, naming the variable and the kind (exit 2)', () => {
    for (const [kind, params] of [['smoothing', ', window: 5'], ['reversal', '']]) {
      const r = cli('validate', scenarioFile(dir, `refuse-${kind}`, 'gaps.csv', ', missing: keep', `{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: ${kind}${params}, variables: [v] }] }`));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`anomalies.kinds[0].variables[0]: source 'v' keeps its missing readings as nulls (missing: keep), and '${kind}' reshapes an event from the clean series around it, gaps and all; write missing: hold on 'v' to use '${kind}' on it`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // With no targets named, the refusal says why the source was passed over.
      const by = cli('validate', scenarioFile(dir, `default-${kind}`, 'gaps.csv', ', missing: keep', `{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: ${kind}${params} }] }`));
      expect(by.status).toBe(2);
      expect(by.stderr).toContain(`anomalies.kinds[0]: no variable for '${kind}' to act on`);
      expect(by.stderr).toContain(`; source 'v' keeps its missing readings as nulls (missing: keep), and '${kind}' reshapes`);
      expect(cli('validate', scenarioFile(dir, `hold-${kind}`, 'gaps.csv', ', missing: hold', `{ frequency: 0.02, duration: [3, 8], kinds: [{ kind: ${kind}${params}, variables: [v] }] }`)).status).toBe(0);
    }
  });
});
