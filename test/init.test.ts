/**
 * `paranom init`: a scenario drafted from a real series validates and generates as
 * written; its sizes are the series' own robust sd; the source replays the file; every
 * input it cannot draft from is refused with exit 2, naming what and where, and no file
 * is written or replaced.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('names the variable apart from the columns paranom writes itself when the series\' column is called so', async () => {
    const base = tempDir();
    for (const column of ['is_anomaly', 'anomaly_id', 'TIMESTAMP']) {
      const series = join(base, `${column}.csv`);
      writeFileSync(series, `${column}\n${Array.from({ length: 300 }, (_, i) => (Math.sin(i / 7) * 4 + 20).toFixed(3)).join('\n')}\n`);
      const out = join(base, `${column}.yaml`);
      const r = await cli('init', series, '--out', out, '--copies', '2');
      expect(r.code, r.err).toBe(0);
      const doc = parse(readFileSync(out, 'utf8'));
      expect(doc.variables[`v_${column}`], column).toMatchObject({ type: 'source', column });
      const v = await cli('validate', out);
      expect(v.code, v.err).toBe(0);
    }
    const ds = join(base, 'ds');
    const g = await cli('generate', join(base, 'is_anomaly.yaml'), '--out', ds, '--with-clean');
    expect(g.code, g.err).toBe(0);
    const [stats] = await query(`SELECT count(*) n, count(*) FILTER (WHERE is_anomaly) labelled FROM read_parquet('${ds}/data/*.parquet')`);
    expect(stats!['n']).toBe(600);
    expect(stats!['labelled']).toBeGreaterThan(0);
  });

  it('keeps a file or column name with spaces, quotes or a line break inside its comment lines, and its train-vae command pastes as written', async () => {
    const base = tempDir();
    const column = 'flow "in"\nseed: 5 # l/s';
    const series = join(base, `pump's "main".csv`);
    writeFileSync(series, `"${column.replace(/"/g, '""')}"\n${Array.from({ length: 300 }, (_, i) => (Math.sin(i / 7) * 4 + 20).toFixed(3)).join('\n')}\n`);
    const out = join(base, 'my scenarios', 'pump (v2).yaml');
    const r = await cli('init', series, '--out', out);
    expect(r.code, r.err).toBe(0);
    // The next command, as printed, pastes as written.
    const next = /^next: paranom generate (.*)$/m.exec(r.out)![1]!;
    expect(execFileSync('bash', ['-c', `printf '%s\\0' ${next}`]).toString().split('\0')[0]).toMatch(/my scenarios\/pump \(v2\)\.yaml$/);
    const text = readFileSync(out, 'utf8');
    const doc = parse(text);
    expect(doc.seed).toBe(1);
    expect(doc.variables.flow__in__seed__5___l_s).toMatchObject({ column, file: `../pump's "main".csv` });
    const command = /^ *# {3}paranom train-vae (.*)$/m.exec(text)![1]!;
    const words = execFileSync('bash', ['-c', `printf '%s\\0' ${command}`]).toString().split('\0').slice(0, -1);
    expect(words.slice(0, 4)).toEqual(['--data', `../pump's "main".csv`, '--columns', column]);
    const v = await cli('validate', out);
    expect(v.code, v.err).toBe(0);
  });

  it('maps a time column of epoch numbers in the unit --time-unit names', async () => {
    const base = tempDir();
    const series = join(base, 'epoch.csv');
    writeFileSync(series, `timestamp,x\n${Array.from({ length: 300 }, (_, i) => `${1_700_000_000_000 + 30_000 * i},${((i * 37) % 23) + 5}`).join('\n')}\n`);
    const out = join(base, 'e.yaml');
    const r = await cli('init', series, '--out', out, '--time-unit', 'ms', '--copies', '2');
    expect(r.code, r.err).toBe(0);
    const doc = parse(readFileSync(out, 'utf8'));
    expect(doc.variables.x.timestamps).toEqual({ map: 'timestamp', unit: 'ms' });
    expect(doc.timeline).toEqual({ start: new Date(1_700_000_000_000).toISOString(), step: '30s', rows: 600 });
    const g = await cli('generate', out, '--out', join(base, 'ds'));
    expect(g.code, g.err).toBe(0);
  });

  it('a draft written into a folder reached through a symbolic link finds the series from the folder\'s real place too', async () => {
    const base = tempDir();
    mkdirSync(join(base, 'disk', 'a', 'b'), { recursive: true });
    symlinkSync(join(base, 'disk', 'a', 'b'), join(base, 'scenarios'));
    const out = join(base, 'scenarios', 'cpu.yaml');
    const r = await cli('init', NAB, '--out', out, '--copies', '1');
    expect(r.code, r.err).toBe(0);
    for (const path of [out, join(base, 'disk', 'a', 'b', 'cpu.yaml')]) {
      const v = await cli('validate', path);
      expect(v.code, `${path}: ${v.err}`).toBe(0);
    }
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
    const swapped = write('swapped.csv', `time,timestamp\n${Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + 60_000 * i).toISOString()},${i % 17}`).join('\n')}\n`);
    const untimed = write('untimed.csv', `when,level\n${Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + 60_000 * i).toISOString()},${i % 17}`).join('\n')}\n`);
    const twoChannels = join(base, 'two-channels');
    writeSyntheticModel(twoChannels, { window: 16, latent: 3, hidden: [8], seed: 2, channels: ['value', 'load'] });
    const mine = write('mine.yaml', 'my notes\n');
    symlinkSync(join(base, 'gone', 'target.yaml'), join(base, 'dangling.yaml'));
    // A folder holding a run's journal is a dataset (run/dataset-holding.ts).
    mkdirSync(join(base, 'ds'));
    writeFileSync(join(base, 'ds', '.paranom-run.jsonl'), '');
    mkdirSync(join(base, 'folder.csv'));
    const cases: Array<[string[], RegExp]> = [
      [[two, '--out', join(base, 'a.yaml')], /two\.csv has 2 columns besides the time column 'timestamp': name the one to replay with --column \(its columns: 'timestamp', 'a', 'b'\)/],
      [[untimed, '--out', join(base, 'a.yaml')], /untimed\.csv has 2 columns: name the one to replay with --column, and its time column, if it has one, with --time-column \(else rows replay in file order\) \(its columns: 'when', 'level'\)/],
      [[two, '--column', 'c', '--out', join(base, 'a.yaml')], /--column c: .*two\.csv has no such column/],
      [[two, '--column', 'a', '--time-column', 'when', '--out', join(base, 'a.yaml')], /--time-column when: .*two\.csv has no such column/],
      [[flat, '--out', join(base, 'a.yaml')], /column 'x' holds one value \(5\) in every row/],
      [[short, '--out', join(base, 'a.yaml')], /short\.csv: 50 rows; a draft needs at least 200/],
      [[bad, '--out', join(base, 'a.yaml')], /bad\.csv: .*line 122.*abc/],
      [[swapped, '--out', join(base, 'a.yaml')], /swapped\.csv: .*its times are in column 'time' and its readings in 'timestamp': pass --time-column time --column timestamp$/m],
      [[epoch, '--out', join(base, 'a.yaml')], /epoch\.csv: .*its column 'timestamp' holds epoch numbers: pass --time-unit s \(or ms, us, ns\)/],
      [[epoch, '--out', join(base, 'a.yaml'), '--time-unit', 'h'], /--time-unit takes s, ms, us or ns, got 'h'/],
      [[epoch, '--out', join(base, 'a.yaml'), '--time-unit', 's', '--time-column', 'none'], /--time-unit names the unit of a time column, but --time-column none reads none/],
      [[join(base, 'none.csv'), '--out', join(base, 'a.yaml')], /none\.csv: no such file/],
      [[join(base, 'ds'), '--out', join(base, 'a.yaml')], /a series is read from a \.csv file/],
      [[join(base, 'folder.csv'), '--out', join(base, 'a.yaml')], /folder\.csv: is a folder, not a file; name the series file itself/],
      [[join(base, 'x.txt'), '--out', join(base, 'a.yaml')], /x\.txt: a series is read from a \.csv file .* or a \.parquet file/],
      [[NAB, '--out', join(base, 'a.json')], /--out .*a\.json: a scenario is written as YAML/],
      [[NAB, '--out', join(base, 'a.yaml'), '--copies', '0'], /--copies takes a whole number of at least 1/],
      [[NAB, '--out', join(base, 'a.yaml'), '--copies', '100000000'], /cpu_utilization_c6585a\.csv: the scenario drafted from it does not validate, so .*a\.yaml was not written \(timeline: .*9999.*\); 100000000 copies of its 4032 rows are too many for a timeline: pass a smaller --copies$/m],
      [[NAB, '--out', join(base, 'a.yaml'), '--copies', '9007199254740991'], /timeline\.rows: must be <= .*pass a smaller --copies$/m],
      [[NAB, '--out', mine], /--out .*mine\.yaml exists; paranom init never replaces a file/],
      [[NAB, '--out', join(base, 'a.yaml'), '--model', join(base, 'no-model')], /no-model/],
      [[NAB, '--out', join(base, 'a.yaml'), '--model', twoChannels], /not written \(--model .*two-channels: .*the model has channels value, load.*\); a draft replays one column, so --model takes a model train-vae made of it alone \(--columns value\)$/m],
      [[NAB, '--out', join(base, 'dangling.yaml')], /--out '.*dangling\.yaml' is a symbolic link to .*target\.yaml, which does not exist/],
      [[NAB, '--out', join(mine, 'a.yaml')], /--out '.*mine\.yaml' is a file, not a directory/],
      [[NAB, '--out', join(base, 'b.yaml') + '/'], /--out .*b\.yaml\/ names a folder; name the scenario file in it/],
      [[NAB, '--out', join(base, 'ds', 'a.yaml')], /--out .*a\.yaml is inside the dataset .*ds; .*write the scenario elsewhere/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('init', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expectClean(r);
    }
    expect(readFileSync(mine, 'utf8')).toBe('my notes\n');
    expect(existsSync(join(base, 'a.yaml'))).toBe(false);
    expect(readdirSync(join(base, 'ds'))).toEqual(['.paranom-run.jsonl']);
    expect(existsSync(join(base, 'gone'))).toBe(false);
    expect(readdirSync(base).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
