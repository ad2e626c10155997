/**
 * Splits of a scenario with uniqueness. train is the first rows of one run over the whole
 * timeline, test its later rows — each row unique against every earlier row of its class,
 * the train rows included, although the test split never writes them — and train_clean is
 * resolved as its own dataset, every row normal. Both resolvers (dense keys, and the
 * fingerprint index of other keys) and a fleet (each entity resolved alone) are covered.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { generateSplits } from '../src/run/splits.js';
import { verify } from '../src/run/verify.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';

const ROWS = 200_000;
const TRAIN = 120_000;
const START_MS = Date.parse('2024-05-01T00:00:00Z');
const CUT_MS = START_MS + TRAIN * 1000;

/**
 * A crowded key: 200,000 rows draw a device from 300,000 values, so attempt 0 repeats an
 * earlier row thousands of times, across the train/test cut too. `tag`, a constant that is
 * not a whole number, makes the key sparse (the fingerprint index) when it is part of it.
 */
function doc(key: string[]) {
  return {
    name: 'splits-unique',
    seed: 21,
    timeline: { start: '2024-05-01T00:00:00Z', step: '1s', rows: ROWS },
    splits: { train: TRAIN },
    anomalies: { frequency: 0.03, duration: [20, 120], kinds: [{ kind: 'level_shift', shift: [2, 4], variables: ['reading'] }] },
    uniqueness: { key, normal: { mode: 'hard', tries: 200 }, anomalous: { mode: 'hard', tries: 200 } },
    variables: {
      device: { normal: { dist: 'integer', min: 0, max: 299_999 }, anomalous: { dist: 'integer', min: 0, max: 99_999 } },
      tag: { normal: { dist: 'constant', value: 1.5 } },
      reading: { normal: { dist: 'normal', mean: 10, sd: 1 } },
    },
  };
}

const data = (dir: string) => `read_parquet('${dir}/data/*.parquet')`;
const digest = async (dir: string, where = 'true') =>
  (await duck(`SELECT count(*) AS n, md5(string_agg(concat_ws('|', timestamp, device, tag, reading, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM ${data(dir)} WHERE ${where}`))[0];
/** Key tuples written more than once within a class (normal / anomalous rows). */
const repeats = async (from: string) =>
  Number((await duck(`SELECT count(*) AS n FROM (SELECT is_anomaly, device, tag FROM ${from} GROUP BY ALL HAVING count(*) > 1)`))[0]!['n']);

describe('splits with uniqueness', () => {
  for (const [resolver, key] of [['dense keys', ['device']], ['the fingerprint index', ['device', 'tag']]] as const) {
    it(`test continues one run's resolution across the cut, train_clean is unique on its own (${resolver})`, async () => {
      const base = tempDir('paranom-splits-unique-');
      const out = join(base, 'splits');
      const d = doc([...key]);
      await generateSplits(scenarioFrom(d), { out, workers: 2, shardRows: 65_536 });
      const { splits: _, ...plain } = d;
      const whole = join(base, 'whole');
      await generate(scenarioFrom(plain), { out: whole, workers: 2 });

      // train and test are the rows of the whole run, key columns included.
      expect(await digest(join(out, 'train'))).toEqual(await digest(whole, `epoch_ms(timestamp) < ${CUT_MS}`));
      expect(await digest(join(out, 'test'))).toEqual(await digest(whole, `epoch_ms(timestamp) >= ${CUT_MS}`));
      // So no key tuple of a class repeats across the two splits: the test split's rows took
      // the attempts that the train rows before them forced (attempt 0 repeats tens of thousands of times).
      const both = `(SELECT * FROM ${data(join(out, 'train'))} UNION ALL SELECT * FROM ${data(join(out, 'test'))})`;
      expect(await repeats(both)).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'test', 'manifest.json'), 'utf8'));
      // The test split's figures count the timeline's rows up to its end, as one run's would.
      expect(m.uniqueness.normal.rows + m.uniqueness.anomalous.rows).toBe(ROWS);
      expect(m.uniqueness.normal.retried_rows).toBeGreaterThan(1000);
      const wholeManifest = JSON.parse(readFileSync(join(whole, 'manifest.json'), 'utf8'));
      expect(m.uniqueness).toEqual(wholeManifest.uniqueness);

      // train_clean: every row normal, resolved as a dataset of its own.
      const [clean] = await duck(`SELECT count(*) AS n, count(*) FILTER (WHERE is_anomaly) AS a FROM ${data(join(out, 'train_clean'))}`);
      expect([Number(clean!['n']), Number(clean!['a'])]).toEqual([TRAIN, 0]);
      expect(await repeats(data(join(out, 'train_clean')))).toBe(0);
      // Columns outside the key are train's outside its events.
      const [outside] = await duck(
        `SELECT count(*) AS n, count(*) FILTER (WHERE t.reading <> c.reading) AS differ FROM ${data(join(out, 'train'))} t JOIN ${data(join(out, 'train_clean'))} c USING (timestamp) WHERE NOT t.is_anomaly`,
      );
      expect(Number(outside!['n'])).toBeGreaterThan(0.9 * TRAIN);
      expect(Number(outside!['differ'])).toBe(0);

      for (const split of ['train_clean', 'train', 'test']) expect((await verify(join(out, split), { sampleBlocks: 2 })).problems, split).toEqual([]);
    }, 180_000);
  }

  it('a fleet: each entity test split continues that entity alone', async () => {
    const base = tempDir('paranom-splits-unique-fleet-');
    const d = { ...doc(['device']), timeline: { start: '2024-05-01T00:00:00Z', step: '1s', rows: 12_000 }, splits: { train: 7_000 }, entities: { count: 3, key: 'unit' }, uniqueness: { ...doc(['device']).uniqueness, scope: 'entity' } };
    const out = join(base, 'splits');
    await generateSplits(scenarioFrom(d), { out, workers: 2 });
    const { splits: _, ...plain } = d;
    const whole = join(base, 'whole');
    await generate(scenarioFrom(plain), { out: whole, workers: 2 });
    const cut = START_MS + 7_000 * 1000;
    const fleetDigest = async (dir: string, where = 'true') =>
      (await duck(`SELECT count(*) AS n, md5(string_agg(concat_ws('|', unit, timestamp, device, reading, is_anomaly), ',' ORDER BY unit, timestamp)) AS h FROM ${data(dir)} WHERE ${where}`))[0];
    expect(await fleetDigest(join(out, 'test'))).toEqual(await fleetDigest(whole, `epoch_ms(timestamp) >= ${cut}`));
    const both = `(SELECT * FROM ${data(join(out, 'train'))} UNION ALL SELECT * FROM ${data(join(out, 'test'))})`;
    expect(Number((await duck(`SELECT count(*) AS n FROM (SELECT unit, is_anomaly, device FROM ${both} GROUP BY ALL HAVING count(*) > 1)`))[0]!['n'])).toBe(0);
    expect((await verify(join(out, 'test'), { sampleBlocks: 2 })).problems).toEqual([]);
  }, 180_000);

  it('validate accepts splits beside uniqueness', () => {
    const dir = tempDir('paranom-splits-unique-cli-');
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify(doc(['device'])));
    const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'validate', file], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/uniqueness/);
    expect(r.status).toBe(0);
  });
});
