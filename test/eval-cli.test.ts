/** `paranom eval` as a user meets it: every label source, both prediction formats, JSON, and exit 2 on bad input. */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { expectUsageError, json, paranom } from './eval-cli-run.js';
import { duckdb } from './read-back.js';

const NAB = '../shared/data/nab';

let dir: string;
let ds: string;
/** The dataset's own rows, read from its CSV shard: timestamp, temperature, is_anomaly. */
let rows: Array<{ ts: string; temperature: number; label: number }>;

beforeAll(() => {
  dir = tempDir();
  ds = join(dir, 'ds');
  const g = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', ds, '--rows', '20000', '--workers', '1', '--format', 'csv');
  expect(g.code, g.err).toBe(0);
  const lines = readFileSync(join(ds, 'data', 'part-00000.csv'), 'utf8').trim().split('\n');
  const h = lines[0]!.split(',');
  rows = lines.slice(1).map((l) => {
    const c = l.split(',');
    return { ts: c[h.indexOf('timestamp')]!, temperature: Number(c[h.indexOf('temperature')]), label: c[h.indexOf('is_anomaly')] === 'true' ? 1 : 0 };
  });
});

describe('paranom eval', () => {
  it('scores a predictions CSV against a dataset; the JSON has every documented field', () => {
    // The detector: temperature far from its normal mean of 20.
    const preds = join(dir, 'preds.csv');
    writeFileSync(preds, 'timestamp,score\n' + rows.map((r) => `${r.ts},${Math.abs(r.temperature - 20)}`).join('\n') + '\n');
    const r = json('eval', preds, '--labels', ds, '--threshold', '10', '--tolerance', '3', '--beta', '0.5');
    const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
    const tp = rows.filter((x) => x.label && Math.abs(x.temperature - 20) >= 10).length;
    const fp = rows.filter((x) => !x.label && Math.abs(x.temperature - 20) >= 10).length;
    expect(r).toMatchObject({ rows: 20000, labelled_rows: m.anomalies.realised.anomalous_rows, windows: m.anomalies.realised.events, threshold: 10, threshold_mode: 'given', windows_outside: 0 });
    expect(r.point).toMatchObject({ tp, fp, beta: 0.5 });
    expect(r.point.precision).toBeCloseTo(tp / (tp + fp), 12);
    expect(Object.keys(r.point)).toEqual(expect.arrayContaining(['precision', 'recall', 'f1', 'fbeta', 'beta']));
    expect(Object.keys(r.event)).toEqual(expect.arrayContaining(['windows', 'found', 'recall', 'alarm_runs', 'true_runs', 'precision', 'tolerance']));
    expect(r.event.tolerance).toBe(3);
    expect(Object.keys(r.range)).toEqual(expect.arrayContaining(['precision', 'recall', 'f1', 'alpha', 'bias']));
    expect(Object.keys(r.nab)).toEqual(expect.arrayContaining(['standard', 'reward_low_FP', 'reward_low_FN', 'raw']));
    expect(r.nab.raw.standard).toMatchObject({ threshold: 10, total: 20000 });
    expect(r.roc_auc).toBeGreaterThan(0.5);
    expect(r.average_precision).toBeGreaterThan(0);
  });

  it('reads Parquet predictions (any numeric column) and reports the best threshold with its value', () => {
    const pq = join(dir, 'pq');
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--out', pq, '--rows', '20000', '--workers', '1').code).toBe(0);
    const r = json('eval', join(pq, 'data', 'part-00000.parquet'), '--labels', ds, '--score-column', 'temperature');
    expect(r.threshold_mode).toBe('best');
    // Same scenario and seed as the CSV dataset: the same temperatures, so the best F1 threshold is one of them.
    expect(rows.some((x) => x.temperature === r.threshold)).toBe(true);
    const alarms = rows.map((x) => (x.temperature >= r.threshold ? 1 : 0));
    expect(r.point.tp).toBe(rows.filter((x, i) => x.label && alarms[i]).length);
    const table = paranom('eval', join(pq, 'data', 'part-00000.parquet'), '--labels', ds, '--score-column', 'temperature');
    expect(table.out).toMatch(/threshold [\d.]+ \(best point F1\)/);
    expect(table.out).toMatch(/^NAB profile/m);
  });

  it('takes 0/1 alarms as they are; a labels CSV with a label column', () => {
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'time,label\n' + ['2024-01-01 00:00:00,0', '2024-01-01 00:00:01,1', '2024-01-01 00:00:02,1', '2024-01-01 00:00:03,0'].join('\n') + '\n');
    const alarms = join(dir, 'alarms.csv');
    writeFileSync(alarms, 'time,alarm\n2024-01-01T00:00:01Z,1\n2024-01-01T00:00:02Z,0\n2024-01-01T00:00:03Z,1\n');
    const r = json('eval', alarms, '--labels', labels);
    expect(r).toMatchObject({ rows: 3, labelled_rows: 2, threshold_mode: 'alarms', roc_auc: null, average_precision: null });
    expect(r.point).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 });
    // A threshold still sets which rows alarm, but 0/1 values rank nothing (before: with --threshold they were read as scores, ROC-AUC 0.25 of a single cut).
    const given = json('eval', alarms, '--labels', labels, '--threshold', '0.5');
    expect(given).toMatchObject({ threshold: 0.5, threshold_mode: 'given', roc_auc: null, average_precision: null, point: r.point });
    expect(json('eval', alarms, '--labels', labels, '--threshold', '0').point).toMatchObject({ tp: 2, fp: 1, fn: 0 });
    expect(paranom('eval', alarms, '--labels', labels, '--threshold', '0.5').out).toMatch(/^ROC-AUC — · average precision —$/m);
  });

  it('NAB windows JSON with --key reproduces a published per-file NAB score', () => {
    const published = readFileSync(join(NAB, 'results/numenta/numenta_standard_scores.csv'), 'utf8').split('\n').find((l) => l.includes('realKnownCause/nyc_taxi.csv'))!.split(',');
    const r = json('eval', join(NAB, 'results/numenta/realKnownCause/numenta_nyc_taxi.csv'), '--labels', join(NAB, 'labels/combined_windows.json'), '--key', 'realKnownCause/nyc_taxi.csv', '--threshold', published[3]!);
    expect(Math.abs(r.nab.raw.standard.score - Number(published[4]))).toBeLessThan(1e-6);
    expect([r.nab.raw.standard.tp, r.nab.raw.standard.tn, r.nab.raw.standard.fp, r.nab.raw.standard.fn]).toEqual(published.slice(5, 9).map(Number));
  });

  it("scores AnomalyGenerator's eval input, with its own counts beside", () => {
    const input = join(dir, 'ag.json');
    writeFileSync(input, JSON.stringify({ targets: [[0, 1, 0, 0, 0, 0, 1, 0]], candidates: [[0, 0, 1, 0, 0, 0, 0, 0]], range: 1 }));
    const r = json('eval', '--labels', input);
    expect(r.series).toHaveLength(1);
    expect(r.series[0].anomalygenerator).toMatchObject({ exact_match: 0, detected_anomaly: 1, missed_anomaly: 1, false_anomaly: 1, tdir: 0.5, dair: 0.5 });
    expect(r.series[0].event).toMatchObject({ found: 1, windows: 2, tolerance: 1 });
  });

  it('refuses --key and --label-column where they do nothing, naming what the labels are (before: silently ignored)', () => {
    const labels = join(dir, 'labels-key.csv');
    writeFileSync(labels, 'time,label\n2024-01-01 00:00:00,0\n2024-01-01 00:00:01,1\n');
    const alarms = join(dir, 'alarms-key.csv');
    writeFileSync(alarms, 'time,alarm\n2024-01-01T00:00:00Z,0\n2024-01-01T00:00:01Z,1\n');
    expect(json('eval', alarms, '--labels', labels, '--label-column', 'label').point).toMatchObject({ tp: 1, fp: 0 });
    expectUsageError(paranom('eval', alarms, '--labels', labels, '--key', 'realKnownCause/nyc_taxi.csv'), /--key chooses the series of a windows JSON .*labels-key\.csv is a labels file: drop --key/);
    expectUsageError(paranom('eval', alarms, '--labels', ds, '--key', 'x'), /ds is a dataset: drop --key/);
    expectUsageError(paranom('eval', alarms, '--labels', ds, '--label-column', 'label'), /--label-column names the label column of a \.csv or \.parquet labels file; \S*ds is a dataset, labelled by its is_anomaly column: drop --label-column/);
    expectUsageError(paranom('eval', alarms, '--labels', join(NAB, 'labels/combined_windows.json'), '--key', 'realKnownCause/nyc_taxi.csv', '--label-column', 'label'), /combined_windows\.json is a windows JSON: drop --label-column/);
    const ag = join(dir, 'ag-key.json');
    writeFileSync(ag, JSON.stringify({ targets: [[0, 1]], candidates: [[0, 1]], range: 0 }));
    expectUsageError(paranom('eval', '--labels', ag, '--key', 'a'), /ag-key\.json is AnomalyGenerator eval input: drop --key/);
  });

  it('scores a shuffled file in time order, counts label rows it lacks, and refuses a repeated or empty row (before: a shuffled file scored other windows, a repeated row counted twice)', () => {
    const line = (r: (typeof rows)[number]) => `${r.ts},${Math.abs(r.temperature - 20)}`;
    const ordered = join(dir, 'ordered.csv');
    writeFileSync(ordered, 'timestamp,score\n' + rows.map(line).join('\n') + '\n');
    const base = json('eval', ordered, '--labels', ds, '--tolerance', '2');
    expect(base).toMatchObject({ predictions_reordered: false, label_rows_unscored: 0, labelled_rows_unscored: 0 });
    // The same rows in another order: every metric as before, and it says it sorted them.
    const shuffled = join(dir, 'shuffled.csv');
    const order = rows.map((_, i) => (i * 7919) % rows.length);
    writeFileSync(shuffled, 'timestamp,score\n' + order.map((i) => line(rows[i]!)).join('\n') + '\n');
    const mixed = json('eval', shuffled, '--labels', ds, '--tolerance', '2');
    const { predictions: _p, predictions_reordered: reordered, ...rest } = mixed;
    expect(reordered).toBe(true);
    expect(rest).toEqual((({ predictions: _q, predictions_reordered: _r, ...x }) => x)(base));
    expect(paranom('eval', shuffled, '--labels', ds).out).toMatch(/note: the predictions file is not in time order; its rows are scored in timestamp order/);
    // The first half only: the rest of the labels are counted as not scored.
    const half = join(dir, 'half.csv');
    writeFileSync(half, 'timestamp,score\n' + rows.slice(0, 10_000).map(line).join('\n') + '\n');
    const h = json('eval', half, '--labels', ds);
    expect(h.label_rows_unscored).toBe(10_000);
    expect(h.labelled_rows_unscored).toBe(rows.slice(10_000).filter((r) => r.label).length);
    expect(paranom('eval', half, '--labels', ds).out).toMatch(/note: 10,000 label row\(s\) have no prediction row and are not scored/);
    // A repeated row: refused, naming both lines.
    const twice = join(dir, 'twice.csv');
    writeFileSync(twice, 'timestamp,score\n' + [...rows.slice(0, 100), rows[40]!].map(line).join('\n') + '\n');
    expectUsageError(paranom('eval', twice, '--labels', ds), /twice\.csv:102: timestamp .* is on 2 prediction rows \(.*twice\.csv:42, .*twice\.csv:102\) but on 1 label row/);
    const empty = join(dir, 'empty-score.csv');
    writeFileSync(empty, 'timestamp,score\n' + rows.slice(0, 3).map(line).join('\n') + `\n${rows[3]!.ts},\n`);
    expectUsageError(paranom('eval', empty, '--labels', ds), /empty-score\.csv:5: '' in score column 'score' is missing \(a detector's warm-up rows\?\); --missing-scores skip/);
    const nan = join(dir, 'nan-score.csv');
    writeFileSync(nan, `timestamp,score\n${rows[0]!.ts},NaN\n`);
    expectUsageError(paranom('eval', nan, '--labels', ds), /nan-score\.csv:2: 'NaN' in score column 'score' is missing \(a detector's warm-up rows\?\); --missing-scores skip/);
    // An infinity (pandas writes 'inf') is a number, but not one a threshold can place: said so (before: 'is not a number').
    const inf = join(dir, 'inf-score.csv');
    writeFileSync(inf, `timestamp,score\n${rows[0]!.ts},1\n${rows[1]!.ts},-inf\n`);
    expectUsageError(paranom('eval', inf, '--labels', ds), /inf-score\.csv:3: '-inf' in score column 'score' is not a finite number \(clip infinite scores/);
  });

  it('--only-labelled scores a detector run over a longer series than the labels: the labelled rows, as if the file held only them (before: refused, with no way to ask)', () => {
    const line = (ts: string, score: number) => `${ts},${score}`;
    const own = rows.map((r) => line(r.ts, Math.abs(r.temperature - 20)));
    const last = Date.parse(rows.at(-1)!.ts);
    // 500 rows past the labelled end, and the whole file out of time order.
    const later = Array.from({ length: 500 }, (_, i) => line(new Date(last + (i + 1) * 1000).toISOString(), i % 7));
    const all = [...own, ...later];
    const longer = join(dir, 'longer.csv');
    writeFileSync(longer, 'timestamp,score\n' + all.map((_, i) => all[(i * 7919) % all.length]!).join('\n') + '\n');
    expectUsageError(paranom('eval', longer, '--labels', ds), /500 of 20500 prediction rows have no label row with the same timestamp .*; to score only the rows the labels cover .*, pass --only-labelled/);
    const labelledOnly = join(dir, 'labelled-only.csv');
    writeFileSync(labelledOnly, 'timestamp,score\n' + own.join('\n') + '\n');
    const strip = ({ predictions: _p, predictions_reordered: _r, prediction_rows_unlabelled: _u, ...x }: Record<string, unknown>) => x;
    const r = json('eval', longer, '--labels', ds, '--only-labelled', '--tolerance', '2');
    expect([r.prediction_rows_unlabelled, r.rows, r.predictions_reordered]).toEqual([500, 20_000, true]);
    expect(strip(r)).toEqual(strip(json('eval', labelledOnly, '--labels', ds, '--tolerance', '2')));
    expect(paranom('eval', longer, '--labels', ds, '--only-labelled').out).toMatch(/note: 500 prediction row\(s\) have no label row and are not scored \(--only-labelled\)/);
    // No row in common is still a mistake, said as before.
    const none = join(dir, 'none.csv');
    writeFileSync(none, 'timestamp,score\n' + later.join('\n') + '\n');
    expectUsageError(paranom('eval', none, '--labels', ds, '--only-labelled'), /500 of 500 prediction rows have no label row/);
    // Without it, no row in common is not answered with the option, which could not help.
    expectUsageError(paranom('eval', none, '--labels', ds), /500 of 500 prediction rows have no label row .*Timestamps must match exactly\n$/);
  });

  it('reads predictions and labels DuckDB wrote from the dataset: TIMESTAMPTZ in CSV (+00), timestamps of every Parquet unit, epoch milliseconds (before: a CSV of TIMESTAMPTZ was refused, its +00 offset not read as UTC)', async () => {
    const db = await duckdb();
    const src = `read_csv('${join(ds, 'data', 'part-00000.csv')}', types = {'timestamp': 'TIMESTAMPTZ'})`;
    const score = 'abs(temperature - 20) AS score';
    const files: Record<string, string> = {
      'tz.csv': `SELECT timestamp, ${score}`,
      'tz.parquet': `SELECT timestamp, ${score}`,
      'ns.parquet': `SELECT timestamp::TIMESTAMP_NS AS timestamp, ${score}`,
      'epoch-ms.parquet': `SELECT epoch_ms(timestamp) AS timestamp, ${score}`,
      'text.parquet': `SELECT strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%g+00') AS timestamp, ${score}`,
      'labels-tz.csv': `SELECT timestamp, is_anomaly AS label`,
    };
    for (const [name, sql] of Object.entries(files)) await db.all(`COPY (${sql} FROM ${src}) TO '${join(dir, `duck-${name}`)}'`);
    expect(readFileSync(join(dir, 'duck-tz.csv'), 'utf8').split('\n')[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00,/);
    const own = join(dir, 'own-preds.csv');
    writeFileSync(own, 'timestamp,score\n' + rows.map((r) => `${r.ts},${Math.abs(r.temperature - 20)}`).join('\n') + '\n');
    const base = json('eval', own, '--labels', ds, '--threshold', '10');
    const same = (x: Record<string, unknown>) => (({ predictions: _p, labels: _l, ...rest }) => rest)(x);
    for (const name of Object.keys(files).filter((f) => !f.startsWith('labels'))) expect(same(json('eval', join(dir, `duck-${name}`), '--labels', ds, '--threshold', '10')), name).toEqual(same(base));
    expect(same(json('eval', join(dir, 'duck-tz.csv'), '--labels', join(dir, 'duck-labels-tz.csv'), '--threshold', '10'))).toMatchObject({ rows: base.rows, labelled_rows: base.labelled_rows, point: base.point });
    // A DATE column keys every row of a day alike: refused, naming a few of the rows, not all of them.
    await db.all(`COPY (SELECT timestamp::DATE AS timestamp, ${score} FROM ${src}) TO '${join(dir, 'duck-date.parquet')}'`);
    const r = paranom('eval', join(dir, 'duck-date.parquet'), '--labels', ds);
    expectUsageError(r, /duck-date\.parquet row 1: timestamp .* is on \d+ prediction rows \(\S*duck-date\.parquet row 0, .* row 4, and 19995 more\) but on 1 label row/);
    expect(r.err.length).toBeLessThan(800);
  });

  it("refuses a dataset whose segment table is gone, unless --windows runs asks for runs of labels (before: event scores from runs of labelled rows, without a word)", () => {
    const preds = join(dir, 'seg-preds.csv');
    writeFileSync(preds, 'timestamp,score\n' + rows.map((r) => `${r.ts},${Math.abs(r.temperature - 20)}`).join('\n') + '\n');
    const lost = join(dir, 'lost-segments');
    cpSync(ds, lost, { recursive: true });
    rmSync(join(lost, 'anomalies.parquet'));
    // A damaged dataset: exit 1, as verify, merge and grow give for one.
    const gone = paranom('eval', preds, '--labels', lost);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/lost-segments[\\/]anomalies\.parquet: the dataset's segment table \(its event windows\) is missing; restore it, or score windows as runs of labelled rows with --windows runs/);
    expect(gone.err).not.toMatch(/^\s+at /m);
    const shardless = join(dir, 'lost-shard');
    cpSync(ds, shardless, { recursive: true });
    const shard = JSON.parse(readFileSync(join(shardless, 'manifest.json'), 'utf8')).shards[0].file;
    rmSync(join(shardless, shard));
    const missing = paranom('eval', preds, '--labels', shardless);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/lost-shard[\\/]data[\\/]part-00000\.\w+: a shard the manifest lists is missing; .*paranom verify/);
    const runs = json('eval', preds, '--labels', lost, '--windows', 'runs');
    expect(runs.labels).toMatch(/windows: runs of labelled rows/);
    expect(runs).toMatchObject({ rows: 20000 });
    expect(runs).toEqual({ ...json('eval', preds, '--labels', ds, '--windows', 'runs'), labels: runs.labels });
  });

  it('reads its numeric options as decimal numbers, each quoted back when it is not one (before: --tolerance without a value was 0, 0x10 was 16, --beta Infinity printed "beta": null)', () => {
    const preds = join(dir, 'opt-preds.csv');
    writeFileSync(preds, 'timestamp,score\n' + rows.map((r) => `${r.ts},${Math.abs(r.temperature - 20)}`).join('\n') + '\n');
    for (const [option, value] of [
      ['--threshold', '0x10'],
      ['--threshold', '1e400'],
      ['--tolerance', '0x3'],
      ['--gap', 'abc'],
      ['--beta', 'Infinity'],
      ['--beta', '1e400'],
      ['--alpha', '0b1'],
      ['--probation', '.1.'],
    ] as const) {
      expectUsageError(paranom('eval', preds, '--labels', ds, option, value), new RegExp(`${option} takes a (decimal )?number.*got '${value.replace(/\./g, '\\.')}'`));
    }
    for (const option of ['--tolerance', '--gap', '--beta', '--alpha', '--probation']) {
      expectUsageError(paranom('eval', preds, '--labels', ds, option), new RegExp(`${option} needs a value`));
    }
    expectUsageError(paranom('eval', preds, '--labels', ds, '--beta', '2', '--beta', '3'), /--beta is given 2 times; give it once/);
    // Decimal forms still read as before, defaults where an option is left out.
    const given = json('eval', preds, '--labels', ds, '--threshold', '1e1', '--tolerance', '3', '--gap', '+2', '--beta', '.5', '--alpha', '0.25', '--probation', '0.1');
    expect(given).toMatchObject({ threshold: 10, event: { tolerance: 3, gap: 2 }, point: { beta: 0.5 }, range: { alpha: 0.25 } });
    const defaults = json('eval', preds, '--labels', ds, '--threshold', '10');
    expect(defaults).toMatchObject({ event: { tolerance: 0, gap: 0 }, point: { beta: 1 }, range: { alpha: 0 } });
    expect(defaults.nab.probation_rows).toBe(750);
    expect(given.nab.probation_rows).toBe(500);
  });

  it('exits 2 with a clear message on bad input', () => {
    const preds = join(dir, 'preds.csv');
    expectUsageError(paranom('eval', preds, '--labels', ds, '--score-column', 'nope'), /preds\.csv has no score column 'nope'; its columns are: timestamp, score/);
    const noScore = join(dir, 'noscore.csv');
    writeFileSync(noScore, 'timestamp,value\n2024-01-01T00:00:00Z,1\n');
    expectUsageError(paranom('eval', noScore, '--labels', ds), /noscore\.csv has no score column \(looked for 'anomaly_score'.*\); its columns are: timestamp, value\. Name it with --score-column/);
    const late = join(dir, 'late.csv');
    writeFileSync(late, 'timestamp,score\n2024-01-01T00:00:00Z,0.1\n2024-01-01T00:00:00.500Z,0.2\n2030-01-01T00:00:00Z,0.3\n');
    expectUsageError(paranom('eval', late, '--labels', ds), /2 of 3 prediction rows have no label row with the same timestamp \(first: .*late\.csv:3, 2024-01-01T00:00:00\.500Z\)/);
    // A time between two milliseconds is named with its fraction, not as the label time it missed.
    const micro = join(dir, 'micro.csv');
    writeFileSync(micro, 'timestamp,score\n2024-01-01T00:00:00.000400Z,0.1\n');
    expectUsageError(paranom('eval', micro, '--labels', ds), /1 of 1 prediction rows have no label row with the same timestamp \(first: .*micro\.csv:2, 2024-01-01T00:00:00\.0004Z\)/);
    const text = join(dir, 'text.csv');
    writeFileSync(text, 'timestamp,score\n2024-01-01T00:00:00Z,high\n');
    expectUsageError(paranom('eval', text, '--labels', ds), /text\.csv:2: 'high' in score column 'score' is not a number/);
    // A hexadecimal cell is a mistake, not the number JavaScript's Number would make of it (16).
    const hex = join(dir, 'hex.csv');
    writeFileSync(hex, 'timestamp,score\n2024-01-01T00:00:00Z,0.5\n2024-01-01T00:01:00Z,0x10\n');
    expectUsageError(paranom('eval', hex, '--labels', ds), /hex\.csv:3: '0x10' in score column 'score' is not a number/);
    const badLabels = join(dir, 'bad-labels.csv');
    writeFileSync(badLabels, 'timestamp,label\n2024-01-01T00:00:00Z,0\n2024-01-01T00:00:01Z,yes\n');
    expectUsageError(paranom('eval', preds, '--labels', badLabels), /bad-labels\.csv:3: 'yes' in label column 'label' is not a label \(expected 0\/1 or true\/false\)/);
    expectUsageError(paranom('eval', preds, '--labels', join(dir, 'missing')), /labels file .*missing does not exist/);
    expectUsageError(paranom('eval', preds, '--labels', join(NAB, 'labels/combined_windows.json')), /holds windows for 58 files; choose one with --key/);
    expectUsageError(paranom('eval', preds, '--labels', join(NAB, 'labels/combined_windows.json'), '--key', 'nyc_taxi.csv'), /has no key 'nyc_taxi\.csv'/);
    // Windows sharing a moment, named in the file's own terms (before: as row numbers, without the file).
    const overlapping = join(dir, 'overlapping.json');
    writeFileSync(overlapping, JSON.stringify({ 's.csv': [['2024-01-01 00:00:10', '2024-01-01 00:00:20'], ['2024-01-01 00:00:20', '2024-01-01 00:00:30']] }));
    expectUsageError(paranom('eval', preds, '--labels', overlapping, '--key', 's.csv'), /overlapping\.json: 's\.csv' window 1 \[2024-01-01 00:00:20, 2024-01-01 00:00:30\] overlaps window 0 \[2024-01-01 00:00:10, 2024-01-01 00:00:20\]; windows must be disjoint/);
    expectUsageError(paranom('eval', preds, '--labels', ds, '--threshold', 'high'), /--threshold takes a number or 'best', got 'high'/);
    expectUsageError(paranom('eval', preds, '--labels', ds, '--alpha', '2'), /range alpha must be in \[0, 1\], got 2/);
    expectUsageError(paranom('eval', '--labels', ds), /name the predictions file/);
    const badAg = join(dir, 'bad-ag.json');
    writeFileSync(badAg, JSON.stringify({ targets: [[0, 1]], candidates: [[0, 1, 1]], range: 1 }));
    expectUsageError(paranom('eval', '--labels', badAg), /series 0 has 2 targets but 3 candidates/);
    // No series at all (before: exit 0 with nothing printed), a cell that is not 0/1 named by series and item, a missing range.
    for (const [doc, message] of [
      [{ targets: [], candidates: [], range: 1 }, /'targets' holds no series/],
      [{ targets: [[0, 1], [0, 0.7]], candidates: [[0, 1], [0, 1]], range: 1 }, /'targets' series 1 item 1 is 0\.7; expected 0 or 1/],
      [{ targets: [[0, 1]], candidates: [[0, 1]] }, /'range' should be a whole number of rows ≥ 0, but it is missing/],
    ] as const) {
      writeFileSync(badAg, JSON.stringify(doc));
      expectUsageError(paranom('eval', '--labels', badAg), message);
    }
    // A fleet's entities share timestamps: predictions without an entity column are refused (the join once matched rows of any entity).
    const fleetFile = join(dir, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify({ seed: 1, timeline: { rows: 100 }, entities: { count: 3, key: 'm' }, anomalies: { frequency: 0.05, duration: [2, 5] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 5, sd: 1 } } } }));
    const fleet = join(dir, 'fleet');
    expect(paranom('generate', fleetFile, '--out', fleet).code).toBe(0);
    expectUsageError(paranom('eval', preds, '--labels', fleet), /has no entity column 'm' \(the fleet's key column, which names each row's entity; name the predictions' entity column with --entity-column\)/);
    // A directory that is not (yet) one dataset says what it holds, as the other commands do.
    const parts = join(dir, 'parts');
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--out', parts, '--rows', '140000', '--shard-rows', '65536', '--workers', '1', '--part', '1/2').code).toBe(0);
    expectUsageError(paranom('eval', preds, '--labels', parts), /parts: holds the parts of a split run \(manifest-part-00001-of-00002\.json\), not yet one dataset; run 'paranom merge-manifests .*parts'/);
    expectUsageError(paranom('eval', preds, '--labels', dir), /: not a complete paranom dataset \(no manifest\.json/);
  });
});
