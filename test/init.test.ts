/**
 * `paranom init`: a scenario drafted from a real series validates and generates as
 * written; its sizes are the series' own robust sd; the source replays the file; every
 * input it cannot draft from is refused with exit 2, naming what and where, and no file
 * is written or replaced.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, expectClean } from './reliability-helpers.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';

const NAB = join(import.meta.dirname, '..', 'scenarios', 'nab', 'ec2_cpu_utilization_c6585a.csv');

/**
 * 1.4826 × the median absolute deviation from the median, by sorting (independent of the
 * engine's selection); where that is 0 (more than half the readings equal the median, as in
 * this NAB series), 1.2533 × the mean absolute deviation.
 */
function robustSd(values: number[]): number {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const k = s.length >> 1;
    return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
  };
  const m = med(values);
  const dev = values.map((v) => Math.abs(v - m));
  const mad = med(dev);
  return mad > 0 ? 1.4826 * mad : (1.2533 * dev.reduce((a, b) => a + b, 0)) / dev.length;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create();
  const c = await db.connect();
  const rows = (await c.runAndReadAll(sql)).getRowObjects();
  c.closeSync();
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

describe('paranom init', () => {
  it('drafts a scenario from a real series that validates, generates, replays the file and sizes its kinds by the series\' robust sd', async () => {
    const base = tempDir();
    const series = join(base, 'readings', 'cpu.csv');
    mkdirSync(join(base, 'readings'));
    copyFileSync(NAB, series);
    const out = join(base, 'scenarios', 'cpu.yaml');
    mkdirSync(join(base, 'scenarios'));
    const r = await cli('init', series, '--out', out, '--copies', '3');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote .*cpu\.yaml: 'value' of .*cpu\.csv \(4,032 rows, robust sd 0\.02626\) replayed 3 times, 12,096 rows/);
    const doc = parse(readFileSync(out, 'utf8'));
    // Paths are the scenario folder's; the source replays the file on its own times.
    expect(doc.variables.value).toMatchObject({ type: 'source', file: '../readings/cpu.csv', column: 'value', timestamps: { map: 'timestamp' }, past_end: 'cycle', limits: [0, null] });
    expect(doc.timeline).toEqual({ start: '2014-04-02T14:29:00.000Z', step: '5m', rows: 12096 });
    const values = readFileSync(NAB, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    const sd = robustSd(values);
    const spike = doc.anomalies.kinds.find((k: { kind: string }) => k.kind === 'spike');
    expect(spike.magnitude[0]).toBeCloseTo(3 * sd, 4);
    expect(spike.magnitude[1]).toBeCloseTo(8 * sd, 4);
    expect(doc.variables.value.drift.offset).toBeCloseTo(sd, 4);
    expect(doc.anomalies).toMatchObject({ min_effect: { value: 1, below: 'normal' }, label: 'changed' });
    expect(readFileSync(out, 'utf8')).toContain('robust sd 0.0262621 (1.2533 x mean absolute deviation: more than half the readings equal the median, so MAD is 0)');
    const kinds = new Set(doc.anomalies.kinds.map((k: { kind: string }) => k.kind));
    for (const k of ['spike', 'level_shift', 'time_warp', 'pattern_shift', 'reversal', 'smoothing', 'clipping', 'replay']) expect(kinds.has(k), k).toBe(true);
    // No model given: the learned kind is a comment naming the command that makes one.
    expect(readFileSync(out, 'utf8')).toMatch(/# {3}paranom train-vae --data \.\.\/readings\/cpu\.csv --columns value .* --out models\/value/);

    const v = await cli('validate', out);
    expect(v.code, v.err).toBe(0);
    const ds = join(base, 'ds');
    const g = await cli('generate', out, '--out', ds, '--with-clean');
    expect(g.code, g.err).toBe(0);
    const glob = `'${ds}/data/*.parquet'`;
    const [stats] = await query(`SELECT count(*) n, avg(is_anomaly::INT) labelled, min(value) lo, count(*) FILTER (WHERE is_anomaly AND value = value_clean) unchanged FROM read_parquet(${glob})`);
    expect(stats!['n']).toBe(12096);
    expect(stats!['labelled']).toBeGreaterThan(0.03);
    expect(stats!['lo']).toBeGreaterThanOrEqual(0);
    // label: changed — no labelled row equals its clean twin.
    expect(stats!['unchanged']).toBe(0);
    const events = await query(`SELECT count(DISTINCT kind) kinds, count(*) n FROM read_parquet('${ds}/anomalies.parquet')`);
    expect(events[0]!['kinds']).toBeGreaterThanOrEqual(8);
  });

  it('adds the learned kind from a model; replays missing readings as held; with --time-column none, rows in file order', async () => {
    const base = tempDir();
    const model = join(base, 'models', 'm');
    writeSyntheticModel(model, { window: 16, latent: 3, hidden: [8], seed: 2 });
    const rows = Array.from({ length: 400 }, (_, i) => `${1_400_000_000 + 60 * i},${i === 7 || i === 8 ? '' : (Math.sin(i / 5) * 3 + 10).toFixed(4)}`);
    const series = join(base, 'epoch.csv');
    writeFileSync(series, `time,level\n${rows.join('\n')}\n`);
    const out = join(base, 'm.yaml');
    const r = await cli('init', series, '--out', out, '--time-column', 'none', '--column', 'level', '--model', model, '--seed', '7');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('its missing readings replay as the reading before');
    const doc = parse(readFileSync(out, 'utf8'));
    expect(doc.seed).toBe(7);
    expect(doc.timeline).toEqual({ rows: 3200 });
    expect(doc.variables.level).toMatchObject({ column: 'level', timestamps: 'ignore', missing: 'hold' });
    expect(doc.anomalies.kinds).toContainEqual({ kind: 'learned', weight: 7, model: 'models/m' });
    const g = await cli('generate', out, '--out', join(base, 'ds'));
    expect(g.code, g.err).toBe(0);
    const [learned] = await query(`SELECT count(*) n FROM read_parquet('${join(base, 'ds')}/anomalies.parquet') WHERE kind = 'learned'`);
    expect(learned!['n']).toBeGreaterThan(0);
  });

  it('refuses what it cannot draft from, exit 2, naming it; never writes or replaces a file', async () => {
    const base = tempDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(base, name), text);
      return join(base, name);
    };
    const two = write('two.csv', `timestamp,a,b\n${Array.from({ length: 300 }, (_, i) => `2024-01-01T00:${String(i % 60).padStart(2, '0')}:00Z,${i},${i}`).join('\n')}\n`);
    const flat = write('flat.csv', `x\n${'5\n'.repeat(300)}`);
    const short = write('short.csv', `x\n${Array.from({ length: 50 }, (_, i) => i).join('\n')}\n`);
    const bad = write('bad.csv', `x\n${Array.from({ length: 300 }, (_, i) => (i === 120 ? 'abc' : i)).join('\n')}\n`);
    const epoch = write('epoch.csv', `timestamp,x\n${Array.from({ length: 300 }, (_, i) => `${1_700_000_000 + i},${i % 17}`).join('\n')}\n`);
    const mine = write('mine.yaml', 'my notes\n');
    const cases: Array<[string[], RegExp]> = [
      [[two, '--out', join(base, 'a.yaml')], /two\.csv has 2 columns besides the time column 'timestamp': name the one to replay with --column \(its columns: 'timestamp', 'a', 'b'\)/],
      [[two, '--column', 'c', '--out', join(base, 'a.yaml')], /--column c: .*two\.csv has no such column/],
      [[two, '--column', 'a', '--time-column', 'when', '--out', join(base, 'a.yaml')], /--time-column when: .*two\.csv has no such column/],
      [[flat, '--out', join(base, 'a.yaml')], /column 'x' holds one value \(5\) in every row/],
      [[short, '--out', join(base, 'a.yaml')], /short\.csv: 50 rows; a draft needs at least 200/],
      [[bad, '--out', join(base, 'a.yaml')], /bad\.csv: .*line 122.*abc/],
      [[epoch, '--out', join(base, 'a.yaml')], /epoch\.csv: .*pass --time-column none/],
      [[join(base, 'none.csv'), '--out', join(base, 'a.yaml')], /none\.csv: no such file/],
      [[join(base, 'x.txt'), '--out', join(base, 'a.yaml')], /x\.txt: a series is read from a \.csv file .* or a \.parquet file/],
      [[NAB, '--out', join(base, 'a.json')], /--out .*a\.json: a scenario is written as YAML/],
      [[NAB, '--out', join(base, 'a.yaml'), '--copies', '0'], /--copies takes a whole number of at least 1/],
      [[NAB, '--out', mine], /--out .*mine\.yaml exists; paranom init never replaces a file/],
      [[NAB, '--out', join(base, 'a.yaml'), '--model', join(base, 'no-model')], /no-model/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('init', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expectClean(r);
    }
    expect(readFileSync(mine, 'utf8')).toBe('my notes\n');
    expect(existsSync(join(base, 'a.yaml'))).toBe(false);
    expect(readdirSync(base).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
