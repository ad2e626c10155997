/**
 * `paranom eval` on predictions whose first rows have no score, as a rolling detector
 * writes them: refused by default, naming the row and the option; with
 * `--missing-scores skip` the figures are those of the file without those rows, for one
 * series and for a fleet, and the rows left out are counted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { expectUsageError, json, paranom } from './eval-cli-run.js';
import { duckdb } from './read-back.js';

let dir: string;
let one: string;
let fleet: string;

/** Writes `select` to `name` in the test folder with DuckDB. */
async function write(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  await (await duckdb()).all(`COPY (${select}) TO '${path}'`);
  return path;
}

/** A 10-row rolling detector over `data`: its first 10 rows (per `by`) have no score. */
const rolling = (data: string, by = '') =>
  `SELECT *, CASE WHEN row_number() OVER (${by} ORDER BY timestamp) <= 10 THEN NULL ELSE abs(cpu - avg(cpu) OVER (${by} ORDER BY timestamp ROWS BETWEEN 10 PRECEDING AND 1 PRECEDING)) END AS score FROM read_parquet('${data}')`;

beforeAll(() => {
  dir = tempDir();
  one = join(dir, 'one');
  fleet = join(dir, 'fleet');
  const doc = (entities: string) => `name: scoreless
seed: 4
timeline: { start: "2024-03-04T00:00:00Z", step: 1m, rows: 3000 }
${entities}
anomalies: { frequency: 0.03, duration: [5, 40], kinds: [{ kind: spike, magnitude: [20, 40] }, { kind: level_shift, shift: [15, 30] }] }
variables:
  cpu: { type: process, components: [{ type: constant, value: 30 }, { type: noise, sd: 2 }] }
`;
  writeFileSync(join(dir, 'one.yaml'), doc(''));
  writeFileSync(join(dir, 'fleet.yaml'), doc('entities: { names: [a, b, c], key: host }'));
  for (const [s, out] of [['one.yaml', one], ['fleet.yaml', fleet]] as const) {
    const g = paranom('generate', join(dir, s), '--out', out, '--workers', '1');
    expect(g.code, g.err).toBe(0);
  }
});

describe('prediction rows without a score', () => {
  it('are refused by default, naming the row and --missing-scores skip: an empty CSV cell, a Parquet null and a NaN', async () => {
    const csv = await write('warm-up.csv', `SELECT timestamp, score FROM (${rolling(`${one}/data/*.parquet`)})`);
    expectUsageError(paranom('eval', csv, '--labels', one), /warm-up\.csv:2: '' in score column 'score' is missing \(a detector's warm-up rows\?\); --missing-scores skip leaves rows without a score unscored, and counts them/);
    const pq = await write('warm-up.parquet', `SELECT timestamp, score FROM (${rolling(`${one}/data/*.parquet`)})`);
    expectUsageError(paranom('eval', pq, '--labels', one), /warm-up\.parquet row 0: 'null' in score column 'score' is missing/);
    const nan = await write('warm-up-nan.parquet', `SELECT timestamp, coalesce(score, 'NaN'::DOUBLE) AS score FROM (${rolling(`${one}/data/*.parquet`)})`);
    expectUsageError(paranom('eval', nan, '--labels', one), /warm-up-nan\.parquet row 0: 'NaN' in score column 'score' is missing/);
  });

  it('with --missing-scores skip score as the file without them, and are counted (one series, CSV and Parquet)', async () => {
    const select = `SELECT timestamp, score FROM (${rolling(`${one}/data/*.parquet`)})`;
    const without = json('eval', await write('without.csv', `${select} WHERE score IS NOT NULL ORDER BY timestamp`), '--labels', one);
    for (const f of [await write('skip.csv', `${select} ORDER BY timestamp`), await write('skip.parquet', `${select} ORDER BY timestamp`)]) {
      const r = json('eval', f, '--labels', one, '--missing-scores', 'skip');
      expect(r.prediction_rows_scoreless).toBe(10);
      expect(r.label_rows_unscored).toBe(10);
      const { predictions: _a, prediction_rows_scoreless: _b, ...figures } = r;
      const { predictions: _c, prediction_rows_scoreless: _d, ...expected } = without;
      expect(figures).toEqual(expected);
      expect(r.point.tp).toBeGreaterThan(0);
    }
    const text = paranom('eval', await write('skip-text.csv', select), '--labels', one, '--missing-scores', 'skip');
    expect(text.out).toContain('note: 10 prediction row(s) have no score and are left out (--missing-scores skip); their label rows count below');
  });

  it('with --missing-scores skip score a fleet as the file without them, naming the file row of a later problem', async () => {
    // In one order in both files: the result says whether a file's rows were put in order.
    const select = `SELECT timestamp, host, score FROM (${rolling(`${fleet}/data/*.parquet`, 'PARTITION BY host')})`;
    const r = json('eval', await write('fleet-skip.parquet', `${select} ORDER BY host, timestamp`), '--labels', fleet, '--missing-scores', 'skip');
    const without = json('eval', await write('fleet-without.parquet', `${select} WHERE score IS NOT NULL ORDER BY host, timestamp`), '--labels', fleet);
    expect(r.prediction_rows_scoreless).toBe(30);
    const { predictions: _a, prediction_rows_scoreless: _b, ...figures } = r;
    const { predictions: _c, prediction_rows_scoreless: _d, ...expected } = without;
    expect(figures).toEqual(expected);
    // A row past the scoreless ones that has no label is named by its own row of the file.
    const late = await write('late.csv', `SELECT * FROM (SELECT timestamp, score FROM (${rolling(`${one}/data/*.parquet`)}) UNION ALL SELECT TIMESTAMP '2030-01-01' AS timestamp, 1.0 AS score) ORDER BY timestamp`);
    expectUsageError(paranom('eval', late, '--labels', one, '--missing-scores', 'skip'), /1 of 2,?991 prediction rows have no label row with the same timestamp \(first: .*late\.csv:3002, 2030-01-01/);
  });

  it('an infinite score, or a file with no score at all, stays refused with skip; the option takes error or skip only', async () => {
    const inf = await write('inf.csv', `SELECT timestamp, CASE WHEN row_number() OVER (ORDER BY timestamp) = 20 THEN 'inf' ELSE cpu::VARCHAR END AS score FROM read_parquet('${one}/data/*.parquet')`);
    expectUsageError(paranom('eval', inf, '--labels', one, '--missing-scores', 'skip'), /inf\.csv:21: 'inf' in score column 'score' is not a finite number/);
    const none = await write('none.csv', `SELECT timestamp, NULL::DOUBLE AS score FROM read_parquet('${one}/data/*.parquet')`);
    expectUsageError(paranom('eval', none, '--labels', one, '--missing-scores', 'skip'), /none\.csv: every prediction row is without a score \(3,000 rows\)/);
    expectUsageError(paranom('eval', none, '--labels', one, '--missing-scores', 'zero'), /Argument: missing-scores, Given: "zero", Choices: "error", "skip"/);
  });
});
