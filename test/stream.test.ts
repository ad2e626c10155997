/**
 * `generate --stdout`: the stream carries exactly the dataset's rows. Each format is read
 * back by a reader that knows nothing of paranom (DuckDB for CSV and NDJSON, apache-arrow's
 * IPC reader for Arrow, as DuckDB's arrow extension cannot be installed here) and compared
 * value by value with the Parquet dataset of the same scenario; 1 and 2 workers give the
 * same bytes; --start-at gives the same rows as the full stream; --labels-to gives the
 * dataset's segment table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { duck, scenarioFrom, tempDir, VALVE } from './helpers.js';
import { startRowOf } from '../src/run/stream.js';
import { readParquetRows } from '../src/formats/read.js';
import { Pacer } from '../src/run/pacer.js';
import { IsoTimeFormatter } from '../src/formats/iso-time.js';

const CLI = 'dist/src/cli/main.js';

function paranom(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr.toString() };
}

/** Every dtype, quoting and non-ASCII in categories, a process with memory (AR), nulls (dropout). */
const SCENARIO = {
  ...VALVE,
  name: 'stream-test',
  timeline: { ...VALVE.timeline, rows: 140_000 },
  anomalies: { frequency: 0.02, duration: [20, 200], kinds: [{ kind: 'spike', duration: 1, magnitude: [4, 8] }, { kind: 'dropout', rate: 0.8 }, { kind: 'level_shift', shift: [2, 5] }] },
  variables: {
    ...VALVE.variables,
    state: { normal: { dist: 'categorical', values: ['idle', 'run, fast', 'stöp "x"'], weights: [0.2, 0.7, 0.1] }, anomalous: { dist: 'categorical', values: ['fault'] } },
    big: { dtype: 'int64', normal: { dist: 'integer', min: -2e15, max: 2e15 } },
    signal: { type: 'process', components: [{ type: 'sine', period: '1h', amplitude: 5 }, { type: 'ar', coefficients: [0.9], sd: 0.3 }] },
  },
};

let dir: string;
let scenario: string;
let dataset: string;
const streams: Record<string, Buffer> = {};

beforeAll(() => {
  dir = tempDir();
  scenario = join(dir, 'stream.json');
  writeFileSync(scenario, JSON.stringify(SCENARIO));
  dataset = join(dir, 'ds');
  const g = paranom('generate', scenario, '--out', dataset, '--shard-rows', '65536', '--workers', '2');
  expect(g.code, g.err).toBe(0);
});

function stream(format: string, workers: number, ...more: string[]): Buffer {
  const r = paranom('generate', scenario, '--stdout', '--format', format, '--workers', String(workers), ...more);
  expect(r.code, r.err).toBe(0);
  expect(r.err).toBe('');
  return r.out;
}

const COLUMNS = ['timestamp', 'temperature', 'pressure', 'flow', 'state', 'door_open', 'level', 'big', 'signal', 'is_anomaly', 'anomaly_id'];

/** Rows of `other` (a DuckDB relation) that differ from the dataset, by timestamp; and both counts. */
async function compareWithDataset(other: string): Promise<{ rows: number; datasetRows: number; differing: number; nullSignals: number }> {
  const same = COLUMNS.map((c) => `d."${c}" IS NOT DISTINCT FROM s."${c}"`).join(' AND ');
  const [r] = await duck(`
    SET TimeZone = 'UTC';
    WITH d AS (SELECT * FROM read_parquet('${dataset}/data/*.parquet')), s AS (${other})
    SELECT (SELECT count(*) FROM s) AS rows, (SELECT count(*) FROM d) AS "datasetRows",
           (SELECT count(*) FROM d FULL JOIN s ON d.timestamp = s.timestamp WHERE NOT (${same})) AS differing,
           (SELECT count(*) FROM s WHERE signal IS NULL) AS "nullSignals"`);
  return { rows: Number(r!['rows']), datasetRows: Number(r!['datasetRows']), differing: Number(r!['differing']), nullSignals: Number(r!['nullSignals']) };
}

describe('generate --stdout equals the Parquet dataset', () => {
  for (const format of ['csv', 'ndjson', 'arrow']) {
    it(`${format}: 1 and 2 workers give the same bytes`, () => {
      streams[format] = stream(format, 1);
      expect(stream(format, 2).equals(streams[format]!)).toBe(true);
    });
  }

  it("--out - is --stdout, spelled as the options and README give it, before or after the scenario (before, '--out -' was refused as an unknown argument '-')", () => {
    for (const args of [[scenario, '--out', '-'], ['--out', '-', scenario], [scenario, '-o', '-'], [scenario, '--out=-']]) {
      const r = paranom('generate', ...args, '--format', 'csv', '--workers', '1');
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
      expect(r.out.equals(streams['csv']!), args.join(' ')).toBe(true);
    }
  });

  it('csv, read by DuckDB with its own type detection', async () => {
    const file = join(dir, 'stream.csv');
    writeFileSync(file, streams['csv']!);
    const r = await compareWithDataset(`SELECT * FROM read_csv('${file}', header = true)`);
    expect(r).toMatchObject({ rows: 140_000, datasetRows: 140_000, differing: 0 });
    expect(r.nullSignals).toBeGreaterThan(0); // the dropout's nulls came through as nulls
  });

  it('ndjson, read by DuckDB', async () => {
    const file = join(dir, 'stream.ndjson');
    writeFileSync(file, streams['ndjson']!);
    const cast = `SELECT * REPLACE (timestamp::TIMESTAMPTZ AS timestamp) FROM read_ndjson('${file}')`;
    const r = await compareWithDataset(cast);
    expect(r).toMatchObject({ rows: 140_000, datasetRows: 140_000, differing: 0 });
    expect(r.nullSignals).toBeGreaterThan(0);
  });

  it('arrow: an IPC stream with a record batch per block, equal to the dataset value by value', () => {
    const table = tableFromIPC(streams['arrow']!);
    expect(table.batches.map((b) => b.numRows)).toEqual([65_536, 65_536, 140_000 - 2 * 65_536]);
    expect(table.schema.fields.map((f) => f.name)).toEqual(COLUMNS);
    const shards = ['part-00000', 'part-00001', 'part-00002'].map((p) => readParquetRows(readFileSync(join(dataset, 'data', `${p}.parquet`)), 0, 65_536));
    expectSameValues(table, shards);
  });

  it('--start-at (a row or a time) streams the same rows as the full stream from there on', () => {
    const lines = streams['csv']!.toString().split('\n');
    for (const at of ['70001', '2024-01-01T19:26:40.500Z']) {
      // 70001 and 19:26:40.5 (first row at or after it: 70001) are the same start.
      const part = stream('csv', 2, '--start-at', at).toString().split('\n');
      expect(part[0]).toBe(lines[0]); // the header
      expect(part.slice(1)).toEqual(lines.slice(1 + 70_001));
    }
    const arrow = tableFromIPC(stream('arrow', 2, '--start-at', '100'));
    expect(arrow.batches.map((b) => b.numRows)).toEqual([65_536 - 100, 65_536, 140_000 - 2 * 65_536]);
    expectSameValues(arrow, [tableFromIPC(streams['arrow']!).slice(100)]);
  });

  it('--labels-to writes the segment table beside the stream: for a whole stream, the bytes of anomalies.parquet', async () => {
    const labels = join(dir, 'labels.parquet');
    stream('csv', 2, '--labels-to', labels);
    expect(readFileSync(labels).equals(readFileSync(join(dataset, 'anomalies.parquet')))).toBe(true);
    // From a later row: only the events that reach it.
    stream('csv', 2, '--labels-to', labels, '--start-at', '100000');
    const [r] = await duck(`SELECT count(*) AS n, min(end_row) AS first_end FROM read_parquet('${labels}')`);
    const [all] = await duck(`SELECT count(*) AS n FROM read_parquet('${dataset}/anomalies.parquet') WHERE end_row >= 100000`);
    expect(Number(r!['n'])).toBe(Number(all!['n']));
    expect(Number(r!['first_end'])).toBeGreaterThanOrEqual(100_000);
  });
});

/** Every column of `a` equals the concatenated columns of `parts`, value by value. */
function expectSameValues(a: Table, parts: Table[]): void {
  for (const name of COLUMNS) {
    // Iteration (not toArray) gives null for a null slot.
    const got = Array.from(a.getChild(name)!);
    const want = parts.flatMap((p) => Array.from(p.getChild(name)!));
    expect(got.length, name).toBe(want.length);
    let differing = 0;
    for (let i = 0; i < want.length; i++) if (!Object.is(norm(got[i]), norm(want[i]))) differing++;
    expect(differing, name).toBe(0);
  }
}

function norm(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

describe('--start-at as a time', () => {
  it("without a zone is UTC, as timeline.start is, whatever the machine's time zone; a day that does not exist is refused", () => {
    const s = scenarioFrom({ seed: 1, timeline: { start: '2024-01-01T00:00:00Z', step: '1h', rows: 24 * 60 }, variables: { x: { normal: { dist: 'uniform', min: 0, max: 1 } } } });
    const tz = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    try {
      expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(300); // the zone is in effect
      // Before: Date.parse took these as New York time, row 17.
      expect(startRowOf(s, '2024-01-01T12:00:00')).toBe(12);
      expect(startRowOf(s, '2024-01-01 12:00')).toBe(12);
      expect(startRowOf(s, '2024-01-01T12:00:00-05:00')).toBe(17);
      // Before: rolled over to March 1st.
      expect(() => startRowOf(s, '2024-02-30T00:00:00Z')).toThrow(/--start-at: expected a row index or an ISO 8601 time/);
      // The first row at or after a time finer than a millisecond (before: the row at the millisecond it was cut to, before it).
      const ms = scenarioFrom({ seed: 1, timeline: { start: '2024-01-01T00:00:00.999Z', step: '1h', rows: 24 }, variables: { x: { normal: { dist: 'uniform', min: 0, max: 1 } } } });
      expect(startRowOf(ms, '2024-01-01T01:00:00.999Z')).toBe(1);
      expect(startRowOf(ms, '2024-01-01T01:00:00.9990Z')).toBe(1);
      expect(startRowOf(ms, '2024-01-01T01:00:00.9995Z')).toBe(2);
      expect(startRowOf(ms, '2024-01-01T00:59:59.9985+00:00')).toBe(1);
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });
});

describe('stream mistakes: exit 2, a message naming the option, nothing on standard output', () => {
  it.each([
    [['--stdout', '--format', 'parquet'], /--format parquet cannot be streamed/],
    [['--out', 'somewhere', '--rate', '10'], /--rate applies to a stream: add --stdout/],
    [['--stdout', '--rate', '10', '--realtime'], /--rate and --realtime .* choose one/],
    [['--stdout', '--start-at', '2023-12-31T00:00:00Z'], /--start-at 2023-12-31T00:00:00Z is before the timeline's start/],
    [['--stdout', '--start-at', '140000'], /--start-at 140000 is row 140000, past the timeline's last row \(139999\)/],
    [['--stdout', '--start-at', 'yesterday'], /--start-at: expected a row index or an ISO 8601 time/],
    [['--stdout', '--part', '1/2'], /--part applies to a dataset directory/],
    [['--stdout', '--labels-to', '.'], /--labels-to '\.' is a directory; name a file in it, e\.g\. '\.\/labels\.parquet'/],
    [['--stdout', '--rate', 'abc'], /--rate: expected rows per second above 0, got 'abc'/],
    [['--stdout', '--rate', '0'], /--rate: expected rows per second above 0, got '0'/],
    [['--stdout', '--rate'], /--rate needs a value/],
    [['--stdout', '--realtime', '--speed', 'fast'], /--speed: expected a factor above 0, got 'fast'/],
  ])('%j', (args, message) => {
    const r = paranom('generate', scenario, ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(r.out.length).toBe(0);
  });

  it('--labels-to refuses a name of another format, writing nothing (before: Parquet bytes in labels.csv)', () => {
    const named = join(dir, 'labels.csv');
    const r = paranom('generate', scenario, '--stdout', '--labels-to', named);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--labels-to .*labels\.csv names a \.csv file, but the segment table is written as Parquet; name it \.parquet/);
    expect(r.out.length).toBe(0);
    expect(existsSync(named)).toBe(false);
  });

  it('--labels-to never replaces a file paranom did not write', () => {
    const foreign = join(dir, 'notes.parquet');
    writeFileSync(foreign, 'my notes');
    const r = paranom('generate', scenario, '--stdout', '--labels-to', foreign);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/notes\.parquet' exists and is not a segment table paranom wrote/);
    expect(r.out.length).toBe(0);
    expect(readFileSync(foreign, 'utf8')).toBe('my notes');
  });

  it("--labels-to never writes into a dataset: its shards and segment table carry paranom's provenance (before: replaced without a word, and the dataset no longer verified)", () => {
    const files = ['anomalies.parquet', 'data/part-00000.parquet', 'data/labels.parquet'];
    const before = files.map((f) => (existsSync(join(dataset, f)) ? readFileSync(join(dataset, f)) : null));
    for (const f of files) {
      const r = paranom('generate', scenario, '--stdout', '--labels-to', join(dataset, f));
      expect(r.code, f).toBe(2);
      expect(r.err, f).toMatch(/--labels-to .* is inside the dataset .*; a file written there would change it — write it elsewhere/);
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.out.length).toBe(0);
    }
    expect(files.map((f) => (existsSync(join(dataset, f)) ? readFileSync(join(dataset, f)) : null))).toEqual(before);
  });
});

describe('pacing schedule', () => {
  it('--realtime at --speed 60 puts a 1 s-step timeline one minute per second; --rate R puts row j at j/R s', () => {
    // A clock the test moves: the schedule is read exactly, not across two readings of a
    // real clock that a busy machine may pause between.
    let clock = 5_000;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const realtime = Pacer.of({ realtime: true, speed: 60 }, 100, 1000);
      expect(realtime.untilDue(100)).toBe(0); // starts the clock: the first row is due now
      expect(realtime.untilDue(160)).toBe(1000);
      clock += 250;
      expect(realtime.untilDue(160)).toBe(750); // measured from the first row, not re-started
      expect(realtime.untilDue(100)).toBe(-250);
      const rate = Pacer.of({ rate: 250 }, 0, 1000);
      expect(rate.untilDue(0)).toBe(0);
      expect(rate.untilDue(1000)).toBe(4000);
      clock += 4000;
      expect(rate.untilDue(1000)).toBe(0);
      expect(Pacer.rowsPerSecond({ realtime: true, speed: 60 }, 1000)).toBe(60);
    } finally {
      now.mockRestore();
    }
  });
});

describe('ISO timestamps of the text formats', () => {
  it('are the characters of Date.toISOString, before 1970, after year 9999 and around day boundaries', () => {
    const f = new IsoTimeFormatter();
    const samples = [0, -1, 1, 86_399_999, 86_400_000, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_000];
    // A deterministic spread over ±4e12 ms (years 1843–2096), in and out of order.
    for (let k = 0; k < 20_000; k++) samples.push(Math.round(Math.sin(k) * 4e12) + (k % 1000));
    for (const ms of samples) expect(f.format(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('--labels-to from a later row, with label margins', () => {
  it('lists every event whose id a streamed row carries, also one that ended before --start-at whose margin reaches into the stream (before: that event was missing)', async () => {
    const d = tempDir();
    const file = join(d, 'margin.json');
    writeFileSync(file, JSON.stringify({ seed: 9, timeline: { start: '2024-01-01', step: '1s', rows: 5000 }, anomalies: { frequency: 0.05, duration: [20, 60], label_margin: [5, 10], kinds: [{ kind: 'level_shift', shift: [2, 4] }] }, variables: { t: { type: 'process', components: [{ type: 'sine', period: 50, amplitude: 3 }, { type: 'noise', sd: 0.5 }] } } }));
    const labels = join(d, 'labels.parquet');
    expect(paranom('generate', file, '--out', join(d, 'ds'), '--workers', '1').code).toBe(0);
    const events = await duck(`SELECT id, end_row FROM read_parquet('${join(d, 'ds', 'anomalies.parquet')}') ORDER BY id`);
    // Just past an event's last row (inside its after-margin), on it, and just before its margin ends.
    const end = Number(events[1]!['end_row']);
    for (const at of [end + 1, end, end + 10, end + 11]) {
      const r = paranom('generate', file, '--stdout', '--format', 'csv', '--start-at', String(at), '--labels-to', labels);
      expect(r.code, r.err).toBe(0);
      const carried = new Set(r.out.toString().trim().split('\n').slice(1).map((l) => l.split(',')[3]).filter((x): x is string => x !== undefined && x !== ''));
      const listed = new Set((await duck(`SELECT id FROM read_parquet('${labels}')`)).map((x) => String(x['id'])));
      for (const id of carried) expect(listed.has(id), `--start-at ${at}: row with anomaly_id ${id}`).toBe(true);
      expect(listed.has(String(events[1]!['id']))).toBe(at <= end + 10);
    }
  });
});
