/**
 * Source variables: a CSV or Parquet column replayed along the timeline, its
 * timestamps ignored or mapped, what happens past the end of the file, the clean twin
 * beside the injected series, and the NAB example.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, TimestampMillisecond, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseScenario, withOverrides } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { prepareScenario } from '../src/variables/registry.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { scenarioHash } from '../src/dataset/provenance.js';
import type { Manifest } from '../src/dataset/manifest.js';
import type { Scenario } from '../src/model/types.js';
import { duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');

function scenarioIn(dir: string, variable: Record<string, unknown>, extra: Record<string, unknown> = {}): Scenario {
  return parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 20 }, variables: { v: { type: 'source', ...variable } }, ...extra }), join(dir, 'scenario.json'));
}

async function values(s: Scenario, rows = s.timeline.rows): Promise<number[]> {
  await prepareScenario(s);
  return Array.from(generateShard({ ...s, timeline: { ...s.timeline, rows } }, 0, rows).values[0]!.data as Float64Array);
}

function csvDir(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'series.csv'), text);
  return dir;
}

const FIVE = 'timestamp,value,other\n2024-01-01 00:00:00,1,9\n2024-01-01 00:01:00,2,9\n2024-01-01 00:02:00,3,9\n2024-01-01 00:03:00,4,9\n2024-01-01 00:04:00,5,9\n';

describe('replaying a column with timestamps ignored', () => {
  const dir = csvDir(FIVE);

  it('row i takes file row offset + i; past the end it cycles, holds or stops', async () => {
    expect(await values(scenarioIn(dir, { file: 'series.csv', column: 'value' }), 12)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]);
    expect(await values(scenarioIn(dir, { file: 'series.csv', column: 'value', offset: 3 }), 7)).toEqual([4, 5, 1, 2, 3, 4, 5]);
    expect(await values(scenarioIn(dir, { file: 'series.csv', column: 'value', past_end: 'hold' }), 8)).toEqual([1, 2, 3, 4, 5, 5, 5, 5]);
    expect(() => scenarioIn(dir, { file: 'series.csv', column: 'value', past_end: 'error' })).toThrow(/reads series\.csv, which has 5 rows, fewer than the \d+ rows of the timeline, and past_end is 'error'/);
    const stop = scenarioIn(dir, { file: 'series.csv', column: 'value', past_end: 'error' }, { timeline: { rows: 5 } });
    expect(await values(stop, 5)).toEqual([1, 2, 3, 4, 5]);
    await expect(values(stop, 6)).rejects.toThrow(/variable 'v': row 5 is past the end of .*series\.csv \(5 rows\) and past_end is 'error' \(seed 0\); set past_end: cycle or hold, or generate fewer rows/);
  });

  it('reads quoted fields and a BOM; rows are a pure function of the index (any shard gives the same)', async () => {
    const d = csvDir('\uFEFF"timestamp","reading"\n"2024-01-01",1.5\n"2024-01-02","2.5"\n"2024-01-03",-3e2\n');
    const s = scenarioIn(d, { file: 'series.csv' });
    expect((s.variables[0] as { column: string }).column).toBe('reading');
    expect(await values(s, 4)).toEqual([1.5, 2.5, -300, 1.5]);
    await prepareScenario(s);
    const t = { ...s, timeline: { ...s.timeline, rows: 1000 } };
    expect(Array.from(generateShard(t, 497, 503).values[0]!.data)).toEqual(Array.from(generateShard(t, 0, 1000).values[0]!.data.subarray(497, 503)));
  });
});

describe('mapping the file timestamps onto the timeline', () => {
  // Irregular times: 0, 2, 3, 7 minutes; the mean spacing is 7/3 min, so the span is 9⅓ min.
  const dir = csvDir('timestamp,value\n2023-06-01T10:00:00Z,10\n2023-06-01T10:02:00Z,20\n2023-06-01T10:03:00Z,30\n2023-06-01T10:07:00Z,40\n');

  it('samples and holds: the last file row at or before each row, shifted to timeline.start', async () => {
    const s = scenarioIn(dir, { file: 'series.csv', timestamps: 'map', past_end: 'hold' }, { timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 12 } });
    expect(await values(s)).toEqual([10, 10, 20, 30, 30, 30, 30, 40, 40, 40, 40, 40]);
  });

  it("cycles over the file's span (first to last time plus the mean spacing)", async () => {
    const s = scenarioIn(dir, { file: 'series.csv', timestamps: { map: 'timestamp' } }, { timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 20 } });
    // Row 10 is 10 min in: past the 9⅓-min span, so 40 s into the next cycle; row 19 starts a third.
    expect(await values(s)).toEqual([10, 10, 20, 30, 30, 30, 30, 40, 40, 40, 10, 10, 20, 30, 30, 30, 30, 40, 40, 10]);
  });

  it('with past_end: error, refuses a timeline longer than the span in validate, --rows and grow (before: validate said ok and the run failed at its first row past the span)', async () => {
    // The 9⅓-min span covers rows 0–9 of a 1-minute timeline.
    const stop = (rows: number) => scenarioIn(dir, { file: 'series.csv', timestamps: 'map', past_end: 'error' }, { timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows } });
    expect(await values(stop(10))).toEqual([10, 10, 20, 30, 30, 30, 30, 40, 40, 40]);
    expect(() => stop(11)).toThrow(/variables\.v: maps the timestamps of series\.csv, whose span covers the first 10 rows of the timeline, fewer than its 11 rows, and past_end is 'error'; use past_end: cycle or hold, or fewer rows/);
    expect(() => withOverrides(stop(10), { rows: 11 })).toThrow(/variable 'v' maps the timestamps of series\.csv, whose span covers the first 10 rows/);
  });

  it("reads RFC 3339's lower-case t and z as the upper-case ones (before: 'is not an ISO 8601 instant')", async () => {
    const lower = csvDir('timestamp,value\n2023-06-01t10:00:00z,10\n2023-06-01t10:02:00.000z,20\n2023-06-01t10:03:00z,30\n2023-06-01t12:07:00+02:00,40\n');
    const timeline = { timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 12 } };
    expect(await values(scenarioIn(lower, { file: 'series.csv', timestamps: 'map', past_end: 'hold' }, timeline))).toEqual(await values(scenarioIn(dir, { file: 'series.csv', timestamps: 'map', past_end: 'hold' }, timeline)));
  });

  it('refuses timestamps that do not increase', () => {
    const d = csvDir('timestamp,value\n2023-06-01T10:00:00Z,1\n2023-06-01T10:00:00Z,2\n');
    expect(() => scenarioIn(d, { file: 'series.csv', timestamps: 'map' })).toThrow(/variables\.v\.file: series\.csv: line 3: timestamps must increase strictly to be mapped onto the timeline, got '2023-06-01T10:00:00Z' after '2023-06-01T10:00:00Z' on line 2 \(timestamps: ignore replays the rows without them\)/);
  });

  it('names the line of a timestamp out of order past blank lines and quoted line breaks, with both cells as written (before: row + 2, line 4 here)', () => {
    const d = csvDir('timestamp,value,note\n\n2023-06-01T10:00:00Z,1,"two\nlines"\n2023-06-01 10:01:00,2,x\n2023-06-01T12:01:00+02:00,3,y\n');
    expect(() => scenarioIn(d, { file: 'series.csv', column: 'value', timestamps: 'map' })).toThrow(/series\.csv: line 6: timestamps must increase strictly to be mapped onto the timeline, got '2023-06-01T12:01:00\+02:00' after '2023-06-01 10:01:00' on line 5; both are 2023-06-01T10:01:00\.000Z \(timestamps/);
    const fine = csvDir('timestamp,value\n2023-06-01T10:00:00.0001Z,1\n2023-06-01T10:00:00.0009Z,2\n');
    expect(() => scenarioIn(fine, { file: 'series.csv', column: 'value', timestamps: 'map' })).toThrow(/line 3: .*got '2023-06-01T10:00:00\.0009Z' after '2023-06-01T10:00:00\.0001Z' on line 2; both are 2023-06-01T10:00:00\.000Z \(timestamps are read to the millisecond\)/);
  });
});

describe('Parquet sources', () => {
  it('reads a float column and maps a Parquet timestamp column', async () => {
    const dir = tempDir();
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const table = new Table({
      at: vectorFromArray([t0, t0 + 120_000, t0 + 240_000], new TimestampMillisecond('UTC')),
      load: vectorFromArray([0.5, 1.5, 2.5]),
    });
    writeFileSync(join(dir, 'series.parquet'), encodeParquet(table, new Map()));
    expect(await values(scenarioIn(dir, { file: 'series.parquet', column: 'load' }), 4)).toEqual([0.5, 1.5, 2.5, 0.5]);
    const mapped = scenarioIn(dir, { file: 'series.parquet', column: 'load', timestamps: { map: 'at' } });
    expect(await values(mapped, 7)).toEqual([0.5, 0.5, 1.5, 1.5, 2.5, 2.5, 0.5]);
    expect(() => scenarioIn(dir, { file: 'series.parquet', column: 'lod' })).toThrow(/series\.parquet: no column 'lod' \(columns: at, load\)/);
  });
});

describe('validation', () => {
  const dir = csvDir(FIVE);
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a missing file', { file: 'nope.csv' }, /variables\.v\.file: no such file: 'nope\.csv'/],
    ['another format', { file: 'series.json' }, /'series\.json' must end in one of: \.csv, \.parquet/],
    ['an unknown column', { file: 'series.csv', column: 'valeu' }, /series\.csv: no column 'valeu' \(columns: timestamp, value, other\)/],
    ['an ambiguous default column', { file: 'series.csv' }, /variables\.v\.column: required: series\.csv has columns timestamp, value, other; name the one to replay/],
    ['an integer dtype', { file: 'series.csv', column: 'value', dtype: 'int64' }, /a source fills a float64 or float32 column/],
    ['an offset past the file', { file: 'series.csv', column: 'value', offset: 5 }, /variables\.v\.offset: must be below the file's 5 rows, got 5/],
    ['an unknown past_end', { file: 'series.csv', column: 'value', past_end: 'wrap' }, /variables\.v\.past_end: expected one of: cycle, hold, error/],
  ];
  it.each(bad)('refuses %s', (_name, v, message) => {
    expect(() => scenarioIn(dir, v)).toThrow(message);
  });

  it('refuses a cell that is not a number (a missing reading, unless missing: hold), naming its line', () => {
    const d = csvDir('timestamp,value\n2024-01-01,1\n2024-01-02,n/a\n');
    expect(() => scenarioIn(d, { file: 'series.csv' })).toThrow(/series\.csv: line 3: 'n\/a' in column 'value' is a missing reading \(1 of \d+ rows are missing\): write missing: hold/);
  });

  it('reads a quoted field that spans lines as one field, and refuses what a CSV reader would not guess', async () => {
    // A note column holding a line break: the record is one row, so line numbers stay right.
    const d = csvDir('value,note\r\n1,"first\nsecond"\r\n2,x\r\n"3",""\r\n');
    expect(await values(scenarioIn(d, { file: 'series.csv', column: 'value' }), 4)).toEqual([1, 2, 3, 1]);
    const refused: Array<[string, RegExp]> = [
      // Before: the quoted line break split the field into the values 1 and 2.
      ['value\n"1\n2"\n3\n', /series\.csv: line 2: '1\n2' in column 'value' is not a number/],
      ['value\n1\n"2\n3\n', /series\.csv: line 3: a quoted field is never closed/],
      // Before: Number() read 0x10 as 16 and the first of two 'value' columns was taken.
      ['value\n1\n0x10\n', /series\.csv: line 3: '0x10' in column 'value' is not a number/],
      ['value,value\n1,2\n', /series\.csv: 2 columns are named 'value' \(columns 1 and 2\)/],
      ['a,value\n1,2\n3\n', /series\.csv: line 3: 1 field, but the header has 2/],
    ];
    for (const [text, message] of refused) expect(() => scenarioIn(csvDir(text), { file: 'series.csv', column: 'value' })).toThrow(message);
  });

  it('refuses a mapped timestamp that is not a calendar date instead of rolling it over', () => {
    // Date.parse reads 2023-02-29 as 2023-03-01, which would shift the whole mapped series.
    const d = csvDir('timestamp,value\n2023-02-28T00:00:00Z,1\n2023-02-29T00:00:00Z,2\n');
    expect(() => scenarioIn(d, { file: 'series.csv', timestamps: 'map' })).toThrow(/series\.csv: line 3: '2023-02-29T00:00:00Z' in column 'timestamp' is not an ISO 8601 instant: 2023-02-29 is not a calendar date \(that month has 28 days\)/);
  });

  it('says how to map a file whose times are epoch numbers, or sit in a column of another name', () => {
    const epoch = csvDir('timestamp,value\n1709251200,1\n1709251260,2\n');
    expect(() => scenarioIn(epoch, { file: 'series.csv', timestamps: 'map' })).toThrow(/series\.csv: line 2: '1709251200' in column 'timestamp' is not an ISO 8601 instant \(epoch numbers do not say their unit: name it, as timestamps: \{ map: timestamp, unit: s \} for seconds, or ms, us, ns\)/);
    // Text that is no time at all gets no such advice.
    expect(() => scenarioIn(csvDir('timestamp,value\nyesterday,1\n'), { file: 'series.csv', timestamps: 'map' })).toThrow(/'yesterday' in column 'timestamp' is not an ISO 8601 instant$/m);
    const named = csvDir('time,value\n2024-03-01T00:00:00Z,1\n2024-03-01T00:01:00Z,2\n');
    expect(() => scenarioIn(named, { file: 'series.csv', column: 'value', timestamps: 'map' })).toThrow(/series\.csv: no timestamp column 'timestamp' \(columns: time, value\); name the file's timestamp column with timestamps: \{ map: <column> \}/);
    expect(() => scenarioIn(named, { file: 'series.csv', column: 'value', timestamps: { map: 'time' } })).not.toThrow();
  });

  it('refuses a leap second by name, in a mapped source and as the timeline\'s start (before: "not an ISO 8601 instant", which it is)', () => {
    const d = csvDir('timestamp,value\n2016-12-31T23:59:59Z,1\n2016-12-31T23:59:60Z,2\n2017-01-01T00:00:00Z,3\n');
    expect(() => scenarioIn(d, { file: 'series.csv', timestamps: 'map' })).toThrow(/series\.csv: line 3: '2016-12-31T23:59:60Z' in column 'timestamp' cannot be placed: 23:59:60 is a leap second, which timestamps in epoch milliseconds cannot hold: write it as 23:59:59\.999, or drop the row/);
    // RFC 3339's lower-case t and z: the same leap second, named the same way.
    expect(() => scenarioIn(csvDir('timestamp,value\n2016-12-31t23:59:59z,1\n2016-12-31t23:59:60z,2\n'), { file: 'series.csv', timestamps: 'map' })).toThrow(/line 3: '2016-12-31t23:59:60z' in column 'timestamp' cannot be placed: 23:59:60 is a leap second/);
    const doc = { name: 'leap', seed: 1, timeline: { start: '2016-12-31 23:59:60.5Z', step: '1s', rows: 10 }, variables: { v: { normal: { dist: 'normal', mean: 0, sd: 1 } } } };
    expect(() => parseScenario(JSON.stringify(doc), join(d, 'leap.json'))).toThrow(/timeline\.start: 23:59:60 is a leap second/);
  });

  it('keeps the file relative and its content hash in the scenario: new data, new scenario hash', () => {
    const d = csvDir(FIVE);
    const a = scenarioIn(d, { file: 'series.csv', column: 'value' });
    expect(a.variables[0]).toMatchObject({ file: expect.not.stringMatching(/^\//), fileRows: 5 });
    writeFileSync(join(d, 'series.csv'), FIVE.replace(',5,', ',6,'));
    expect(scenarioHash(scenarioIn(d, { file: 'series.csv', column: 'value' }))).not.toBe(scenarioHash(a));
  });
});

describe('the NAB example: anomalies injected into a real series, with its clean twin', () => {
  it('generate --with-clean: cpu_clean is the NAB series, cpu differs only inside events', async () => {
    const out = join(tempDir(), 'nab');
    const r = spawnSync(process.execPath, [CLI, 'generate', 'scenarios/nab-cpu-injection.yaml', '--out', out, '--with-clean', '--workers', '2'], { encoding: 'utf8', cwd: root });
    expect(r.status, r.stderr).toBe(0);
    const nab = readFileSync(join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    const rows = await duck(`SELECT cpu, cpu_clean, is_anomaly FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`);
    expect(rows.length).toBe(8064);
    let cleanMismatch = 0;
    let changedOutside = 0;
    let nulls = 0;
    rows.forEach((row, i) => {
      if (row['cpu_clean'] !== nab[i % nab.length]) cleanMismatch++;
      if (!row['is_anomaly'] && row['cpu'] !== row['cpu_clean']) changedOutside++;
      if (row['cpu'] === null) nulls++;
    });
    expect(cleanMismatch).toBe(0);
    expect(changedOutside).toBe(0);
    const segments = await duck(`SELECT kind, variables, params, rows FROM read_parquet('${out}/anomalies.parquet')`);
    expect(segments.length).toBeGreaterThan(3);
    for (const s of segments) expect(s['variables']).toBe('cpu');
    const dropoutRows = segments.filter((s) => s['kind'] === 'dropout').reduce((a, s) => a + Number(s['rows']), 0);
    expect(nulls).toBe(dropoutRows); // rate 1: every row of a dropout event is missing
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.scenario.anomalies).toMatchObject({ cleanTwin: true });
    // Inputs are named relative to the scenario, and the scenario's folder relative to the dataset.
    expect(JSON.stringify(manifest)).not.toContain(`"${root}`);
    expect(manifest.inputs_dir).not.toMatch(/^\//);
  });

  it('CSV output writes a missing value as an empty field', async () => {
    const out = join(tempDir(), 'nab-csv');
    const r = spawnSync(process.execPath, [CLI, 'generate', 'scenarios/nab-cpu-injection.yaml', '--out', out, '--format', 'csv', '--rows', '8064'], { encoding: 'utf8', cwd: root });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(out, 'data/part-00000.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,cpu,is_anomaly,anomaly_id');
    const empty = lines.filter((l) => /^[^,]+,,true,\d+$/.test(l));
    expect(empty.length).toBeGreaterThan(0);
  });
});
