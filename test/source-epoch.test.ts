/**
 * A source's timestamps as epoch numbers: `timestamps: { map: <column>, unit: s | ms | us | ns }`
 * reads CSV numbers and Parquet integer or floating-point columns in the unit named, so a
 * file of epoch times replays exactly as the same file with ISO 8601 text times (the same
 * dataset bytes). Without a unit such a column is refused with the option named; a unit
 * beside ISO text or a Parquet TIMESTAMP is refused, since those say their own.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Float32, Float64, Int32, makeVector, Table, TimestampMillisecond, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { readSource } from '../src/variables/source-read.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { epochMs } from '../src/input/epoch.js';
import { duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');

// NAB's 5-minute CPU series: 4032 real rows, with its ISO timestamps.
const NAB = readFileSync(join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const ISO = NAB.map(([t]) => t!);
const MS = ISO.map((t) => Date.parse(`${t.replace(' ', 'T')}Z`));
const CPU = NAB.map(([, v]) => Number(v));

function scenario(dir: string, file: string, timestamps: unknown): string {
  const doc = {
    name: 'epoch', seed: 2014,
    timeline: { start: '2014-04-02T14:29:00Z', step: '1m', rows: 6000 },
    anomalies: { frequency: 0.03, duration: ['30m', '4h'], kinds: [{ kind: 'spike', duration: 1, magnitude: [0.5, 1.5], direction: 'up' }, { kind: 'level_shift', shift: [0.1, 0.3], direction: 'up' }] },
    variables: { cpu: { type: 'source', file, column: 'value', timestamps, past_end: 'cycle' } },
  };
  const path = join(dir, `${file}.yaml`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** The data shards `generate` writes for a scenario, as bytes (CSV: a Parquet shard's metadata holds the scenario hash, which the file's own hash is part of). */
function dataBytes(path: string): Buffer[] {
  const out = join(tempDir(), 'out');
  const r = spawnSync(process.execPath, [CLI, 'generate', path, '--out', out, '--with-clean', '--format', 'csv'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readdirSync(join(out, 'data')).sort().map((f) => readFileSync(join(out, 'data', f)));
}

function csv(dir: string, file: string, times: string[]): void {
  writeFileSync(join(dir, file), `timestamp,value\n${times.map((t, i) => `${t},${NAB[i]![1]}`).join('\n')}\n`);
}

describe('epoch numbers as mapped timestamps', () => {
  it('a CSV and a Parquet file of epoch s, ms, us or ns give the same dataset bytes as ISO 8601 text times', async () => {
    const dir = tempDir();
    csv(dir, 'iso.csv', ISO);
    const reference = dataBytes(scenario(dir, 'iso.csv', 'map'));
    expect(reference.length).toBeGreaterThan(0);
    const variants: Array<[string, unknown]> = [];
    const sec = MS.map((t) => t / 1000);
    csv(dir, 's.csv', sec.map(String));
    variants.push(['s.csv', { map: 'timestamp', unit: 's' }]);
    // Fractional seconds written as decimals are read exactly, not as a binary product.
    csv(dir, 's-frac.csv', sec.map((s) => `${s}.000`));
    variants.push(['s-frac.csv', { map: 'timestamp', unit: 's' }]);
    csv(dir, 'ms.csv', MS.map(String));
    variants.push(['ms.csv', { map: 'timestamp', unit: 'ms' }]);
    csv(dir, 'us.csv', MS.map((t) => `${t}000`));
    variants.push(['us.csv', { map: 'timestamp', unit: 'us' }]);
    // Nanoseconds of today are past 2^53: read from their digits, not rounded as a double.
    csv(dir, 'ns.csv', MS.map((t) => `${t}000000`));
    variants.push(['ns.csv', { map: 'timestamp', unit: 'ns' }]);
    const parquet = (file: string, at: Vector) => {
      writeFileSync(join(dir, file), encodeParquet(new Table({ timestamp: at, value: vectorFromArray(CPU, new Float64()) }), new Map()));
    };
    parquet('ts.parquet', vectorFromArray(MS, new TimestampMillisecond('UTC')));
    variants.push(['ts.parquet', 'map']);
    parquet('s-int32.parquet', vectorFromArray(sec, new Int32()));
    variants.push(['s-int32.parquet', { map: 'timestamp', unit: 's' }]);
    parquet('s-double.parquet', vectorFromArray(sec, new Float64()));
    variants.push(['s-double.parquet', { map: 'timestamp', unit: 's' }]);
    parquet('ms-int64.parquet', makeVector(BigInt64Array.from(MS, BigInt)));
    variants.push(['ms-int64.parquet', { map: 'timestamp', unit: 'ms' }]);
    parquet('ns-int64.parquet', makeVector(BigInt64Array.from(MS, (t) => BigInt(t) * 1_000_000n)));
    variants.push(['ns-int64.parquet', { map: 'timestamp', unit: 'ns' }]);
    parquet('ms-text.parquet', vectorFromArray(MS.map(String), new Utf8()));
    variants.push(['ms-text.parquet', { map: 'timestamp', unit: 'ms' }]);
    // As DuckDB writes epoch seconds: epoch() is a DOUBLE, epoch_us() a BIGINT.
    await duck(`COPY (SELECT epoch(column0::TIMESTAMP) AS timestamp, column1::DOUBLE AS value FROM read_csv('${join(dir, 'iso.csv')}', header = true, names = ['column0', 'column1'])) TO '${join(dir, 'duck-s.parquet')}' (FORMAT parquet)`);
    variants.push(['duck-s.parquet', { map: 'timestamp', unit: 's' }]);
    await duck(`COPY (SELECT epoch_us(column0::TIMESTAMP) AS timestamp, column1::DOUBLE AS value FROM read_csv('${join(dir, 'iso.csv')}', header = true, names = ['column0', 'column1'])) TO '${join(dir, 'duck-us.parquet')}' (FORMAT parquet)`);
    variants.push(['duck-us.parquet', { map: 'timestamp', unit: 'us' }]);
    // The comparison can fail: seconds read as milliseconds squeeze the series a thousandfold.
    expect(dataBytes(scenario(dir, 's.csv', { map: 'timestamp', unit: 'ms' }))[0]!.equals(reference[0]!)).toBe(false);
    for (const [file, ts] of variants) {
      const got = dataBytes(scenario(dir, file, ts));
      expect(got.length, file).toBe(reference.length);
      got.forEach((b, i) => expect(b.equals(reference[i]!), `${file}: shard ${i}`).toBe(true));
    }
  }, 120_000);

  it('keeps sub-millisecond and fractional-second times exact where a double allows, and nanoseconds as a TIMESTAMP(ns) reads them', async () => {
    const dir = tempDir();
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    writeFileSync(join(dir, 'frac.csv'), 'timestamp,value\n1704067200.001,1\n1704067200.000003,2\n1704067200.3,3\n'.replace('.001,1\n1704067200.000003,2', '.000003,1\n1704067200.001,2'));
    const s = readSource(join(dir, 'frac.csv'), 'csv', 'value', { column: 'timestamp', unit: 's' });
    // 1704067200.000003 × 1000 in doubles is 1704067200000.0032; the decimal read is the double nearest the exact value.
    expect(1704067200.000003 * 1000).not.toBe(1704067200000.003);
    expect(Array.from(s.times!)).toEqual([1704067200000.003, t0 + 1, t0 + 300]);
    const ns = [1704067200123456789n, 1704067200123457001n, 1704067200999999999n];
    writeFileSync(join(dir, 'ns.csv'), `timestamp,value\n${ns.map((n, i) => `${n},${i}`).join('\n')}\n`);
    // A TIMESTAMP_NS column as DuckDB writes one.
    await duck(`COPY (SELECT make_timestamp_ns(x) AS timestamp, 1.0 AS value FROM (VALUES ${ns.map((n) => `(${n})`).join(', ')}) v(x)) TO '${join(dir, 'ns.parquet')}' (FORMAT parquet)`);
    const fromCsv = readSource(join(dir, 'ns.csv'), 'csv', 'value', { column: 'timestamp', unit: 'ns' }).times!;
    const fromTimestamp = readSource(join(dir, 'ns.parquet'), 'parquet', 'value', { column: 'timestamp' }).times!;
    expect(Array.from(fromCsv)).toEqual(Array.from(fromTimestamp));
    // Distinct instants stay distinct (a double of the ns count would tie the first two's neighbours).
    expect(new Set(fromCsv).size).toBe(3);
    expect(epochMs('1704067200.25e3', 'ms')).toBe(1704067200250);
    expect(epochMs('-1.5', 's')).toBe(-1500);
  });
});

describe('refusals that name the option', () => {
  const scenarioIn = (dir: string, file: string, timestamps: unknown) =>
    parseScenario(JSON.stringify({ timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 20 }, variables: { v: { type: 'source', file, column: 'value', timestamps } } }), join(dir, 'scenario.json'));

  it('epoch numbers without a unit name timestamps: { map, unit }, in a CSV and a Parquet file (before: advice to convert them)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'e.csv'), 'at,value\n1709251200,1\n1709251260,2\n');
    expect(() => scenarioIn(dir, 'e.csv', { map: 'at' })).toThrow(/variables\.v\.file: e\.csv: line 2: '1709251200' in column 'at' is not an ISO 8601 instant \(epoch numbers do not say their unit: name it, as timestamps: \{ map: at, unit: s \} for seconds, or ms, us, ns\)/);
    writeFileSync(join(dir, 'e.parquet'), encodeParquet(new Table({ at: makeVector(BigInt64Array.from([1n, 2n])), value: vectorFromArray([1, 2], new Float64()) }), new Map()));
    expect(() => scenarioIn(dir, 'e.parquet', { map: 'at' })).toThrow(/e\.parquet: column 'at' holds Int64 values, not timestamps: epoch numbers do not say their unit: name it, as timestamps: \{ map: at, unit: s \} for seconds, or ms, us, ns; or store it as a Parquet TIMESTAMP or DATE, or as ISO 8601 text/);
    expect(() => scenarioIn(dir, 'e.csv', { map: 'at', unit: 's' })).not.toThrow();
  });

  it('refuses a unit beside times that say their own, an unknown unit, and epochs that cannot be placed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'iso.csv'), 'timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n');
    expect(() => scenarioIn(dir, 'iso.csv', { map: 'timestamp', unit: 's' })).toThrow(/iso\.csv: line 2: '2024-01-01T00:00:00Z' in column 'timestamp' is ISO 8601 text, which says its own time: drop unit from timestamps \(it reads epoch numbers\)/);
    writeFileSync(join(dir, 'ts.parquet'), encodeParquet(new Table({ timestamp: vectorFromArray([0, 60_000], new TimestampMillisecond('UTC')), value: vectorFromArray([1, 2], new Float64()) }), new Map()));
    expect(() => scenarioIn(dir, 'ts.parquet', { map: 'timestamp', unit: 'ms' })).toThrow(/ts\.parquet: column 'timestamp' holds Timestamp<MILLISECOND.*> values, which say their own unit: drop unit from timestamps/);
    expect(() => scenarioIn(dir, 'iso.csv', { map: 'timestamp', unit: 'sec' })).toThrow(/variables\.v\.timestamps\.unit: the unit of epoch numbers, one of: s, ms, us, ns \(seconds, milliseconds, microseconds, nanoseconds\), got string 'sec'/);
    expect(() => scenarioIn(dir, 'iso.csv', { map: 'timestamp', units: 's' })).toThrow(/variables\.v\.timestamps\.units: unknown key/);
    // Milliseconds read as seconds land past year 9999: the unit is wrong, and said to be.
    writeFileSync(join(dir, 'ms.csv'), 'timestamp,value\n1704067200000,1\n1704067260000,2\n');
    expect(() => scenarioIn(dir, 'ms.csv', { map: 'timestamp', unit: 's' })).toThrow(/ms\.csv: line 2: '1704067200000' in column 'timestamp' read in s falls outside the years 0000–9999 that timestamps can hold: is the unit right\?/);
    for (const cell of ['inf', 'NaN', '0x10', '']) {
      writeFileSync(join(dir, 'bad.csv'), `timestamp,value\n1704067200,1\n${cell},2\n`);
      expect(() => scenarioIn(dir, 'bad.csv', { map: 'timestamp', unit: 's' }), cell).toThrow(new RegExp(`bad\\.csv: line 3: '${cell}' in column 'timestamp' is not an epoch number \\(unit: s\\)`));
    }
    // A DOUBLE past 2^53 holds only every other integer or coarser: its instant was rounded before it was read.
    writeFileSync(join(dir, 'big.parquet'), encodeParquet(new Table({ timestamp: vectorFromArray([1.7040672e18, 1.7040673e18], new Float64()), value: vectorFromArray([1, 2], new Float64()) }), new Map()));
    expect(() => scenarioIn(dir, 'big.parquet', { map: 'timestamp', unit: 'ns' })).toThrow(/big\.parquet: row 0: 1704067200000000000 in column 'timestamp' is a DOUBLE of 2\^53 or more, where a double no longer holds every integer \(its instant was rounded when the file was written\); store the column as INT64/);
    // A FLOAT rounds today's epoch seconds to steps of 128 s (1704067260 is stored as 1704067200).
    writeFileSync(join(dir, 'f32.parquet'), encodeParquet(new Table({ timestamp: vectorFromArray([1704067200, 1704067260], new Float32()), value: vectorFromArray([1, 2], new Float64()) }), new Map()));
    expect(() => scenarioIn(dir, 'f32.parquet', { map: 'timestamp', unit: 's' })).toThrow(/f32\.parquet: row 0: 1704067200 in column 'timestamp' is a FLOAT of 2\^24 or more, where it no longer holds every integer \(its instant was rounded when the file was written\); store the column as INT64 or DOUBLE/);
    writeFileSync(join(dir, 'null.parquet'), encodeParquet(new Table({ timestamp: vectorFromArray([1, null], new Float64()), value: vectorFromArray([1, 2], new Float64()) }), new Map()));
    expect(() => scenarioIn(dir, 'null.parquet', { map: 'timestamp', unit: 's' })).toThrow(/null\.parquet: row 1: an empty \(null\) cell in column 'timestamp' is not a timestamp/);
  });
});
