/**
 * `paranom eval` on a fleet dataset: predictions joined on (entity, timestamp), the fleet
 * scored as one corpus, checked against each entity scored alone from a labels file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/eval/evaluate.js';
import { evaluateFleet } from '../src/eval/fleet-evaluate.js';
import { tempDir } from './helpers.js';
import { expectUsageError, json, paranom } from './eval-cli-run.js';
import { duckdb } from './read-back.js';

const HOSTS = ['web-1', 'web-2', 'db-1', 'db-2'];
/** The result without the fields that name or describe the predictions file. */
const figures = (x: Record<string, unknown>) => (({ predictions: _p, predictions_reordered: _r, ...rest }) => rest)(x);

let dir: string;
let ds: string;
let data: string;
/** Writes `select` (over the dataset's rows as `d`) to `name` in the test folder with DuckDB. */
async function write(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  await (await duckdb()).all(`COPY (${select.replaceAll(' FROM d', ` FROM read_parquet('${data}')`)}) TO '${path}'`);
  return path;
}

beforeAll(() => {
  dir = tempDir();
  ds = join(dir, 'ds');
  // Four hosts × 4,000 minutes, two kinds of events and outages; seed 13 has an outage
  // that shares rows with one of its host's own events (checked below).
  writeFileSync(
    join(dir, 'fleet.yaml'),
    `name: eval-fleet
seed: 13
timeline: { start: "2024-03-04T00:00:00Z", step: 1m, rows: 4000 }
entities: { names: [${HOSTS.join(', ')}], key: host }
anomalies:
  frequency: 0.03
  duration: [5, 40]
  kinds:
    - { kind: spike, magnitude: [20, 40] }
    - { kind: level_shift, shift: [15, 30] }
  outages: { count: 4, duration: [20, 60], share: 0.6, kind: flat_line }
variables:
  cpu: { type: process, components: [{ type: constant, value: 30 }, { type: noise, sd: 2 }] }
`,
  );
  const g = paranom('generate', join(dir, 'fleet.yaml'), '--out', ds, '--workers', '1');
  expect(g.code, g.err).toBe(0);
  data = join(ds, 'data', '*.parquet');
});

describe('evaluateFleet', () => {
  it('counts windows and alarm runs within each entity: a run that reaches the next entity is two', () => {
    // Host a: rows 0–4, labelled 3–4; host b: rows 5–9, labelled 5–6 (its own rows 0–1). Alarms on exactly those rows.
    const labels = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 0, 0, 0]);
    const entities = [
      { name: 'a', start: 0, rows: 5, windows: [{ start: 3, end: 4 }] },
      { name: 'b', start: 5, rows: 5, windows: [{ start: 0, end: 1 }] },
    ];
    const r = evaluateFleet(labels, { alarms: labels }, entities, {}, true);
    expect(r.event).toMatchObject({ windows: 2, found: 2, alarm_runs: 2, true_runs: 2, precision: 1, recall: 1 });
    expect(r.range).toMatchObject({ precision: 1, recall: 1 });
    expect(r.point).toMatchObject({ tp: 4, fp: 0, fn: 0, tn: 6 });
    expect(r.per_entity!.map((e) => [e.entity, e.point.tp, e.event.alarm_runs])).toEqual([['a', 2, 1], ['b', 2, 1]]);
    // As one series the same rows make one run over both windows.
    const one = evaluate({ isAnomaly: labels, windows: [{ start: 3, end: 4 }, { start: 5, end: 6 }] }, { alarms: labels });
    expect(one.event.alarm_runs).toBe(1);
    // One alarm on host a's last row: half of a's window; range recall is the mean over both windows, precision over the one run.
    const alarms = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const half = evaluateFleet(labels, { alarms }, entities);
    expect(half.range).toMatchObject({ recall: 0.25, precision: 1 });
    expect(half.event).toMatchObject({ found: 1, alarm_runs: 1, true_runs: 1 });
  });
});

describe('paranom eval on a fleet', () => {
  it('a perfect detector finds every row and every window; windows are each host\'s events and the outages that hit it, overlapping ones merged', async () => {
    const perfect = await write('perfect.csv', 'SELECT timestamp, host, is_anomaly::INT AS score FROM d ORDER BY host, timestamp');
    const r = json('eval', perfect, '--labels', ds);
    const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
    expect(r).toMatchObject({ rows: 16000, entities: 4, entities_unscored: 0, label_rows_unscored: 0, labelled_rows: m.anomalies.realised.anomalous_rows, threshold_mode: 'alarms' });
    expect(r.point).toMatchObject({ precision: 1, recall: 1, f1: 1, fp: 0, fn: 0 });
    expect(r.range).toMatchObject({ precision: 1, recall: 1 });
    // The windows, counted here from the segment table: per host, its events and the outages listing it, merged where they share a time.
    const seg = await (await duckdb()).all(`SELECT host, entities, epoch_ms(start_time) AS a, epoch_ms(end_time) AS b FROM read_parquet('${join(ds, 'anomalies.parquet')}')`);
    let merged = 0;
    let raw = 0;
    for (const h of HOSTS) {
      const spans = seg.filter((s) => s.host === h || (s.host === null && String(s.entities).split(',').includes(h))).map((s) => [Number(s.a), Number(s.b)]).sort((x, y) => x[0]! - y[0]!);
      raw += spans.length;
      let end = -Infinity;
      for (const [a, b] of spans) {
        if (a! > end) merged++;
        end = Math.max(end, b!);
      }
    }
    expect(merged).toBeLessThan(raw); // this dataset has an outage over one of its host's events
    expect(r.windows).toBe(merged);
    expect(r.event).toMatchObject({ windows: merged, found: merged, true_runs: r.event.alarm_runs });
    // As scores (labels ranked above every other row): ROC-AUC and AP 1, the best threshold finds them all.
    const ranked = await write('ranked.parquet', 'SELECT timestamp, host, is_anomaly::INT * 2 + random() AS score FROM d');
    const s = json('eval', ranked, '--labels', ds);
    expect(s).toMatchObject({ threshold_mode: 'best', roc_auc: 1, average_precision: 1 });
    expect(s.point.f1).toBe(1);
    // Windows as runs of each host's labelled rows: a run never continues into the next host.
    const runs = json('eval', perfect, '--labels', ds, '--windows', 'runs');
    const rows = await (await duckdb()).all(`SELECT host, is_anomaly::INT AS y FROM read_parquet('${data}') ORDER BY host, timestamp`);
    const starts = rows.filter((x, i) => x.y === 1 && (i === 0 || rows[i - 1]!.y === 0 || rows[i - 1]!.host !== x.host)).length;
    expect(runs.event).toMatchObject({ windows: starts, found: starts });
  });

  it('scores the same whatever order the rows come in (hosts interleaved, or shuffled)', async () => {
    const byHost = await write('by-host.parquet', 'SELECT timestamp, host, cpu AS score FROM d ORDER BY host, timestamp');
    const base = json('eval', byHost, '--labels', ds, '--tolerance', '2');
    expect(base.predictions_reordered).toBe(false);
    const interleaved = await write('interleaved.csv', 'SELECT timestamp, host, cpu AS score FROM d ORDER BY timestamp, host DESC');
    const i = json('eval', interleaved, '--labels', ds, '--tolerance', '2');
    expect(i.predictions_reordered).toBe(false);
    expect(figures(i)).toEqual(figures(base));
    const shuffled = await write('shuffled.parquet', 'SELECT timestamp, host, cpu AS score FROM d ORDER BY hash(timestamp, host)');
    const s = json('eval', shuffled, '--labels', ds, '--tolerance', '2');
    expect(s.predictions_reordered).toBe(true);
    expect(figures(s)).toEqual(figures(base));
    expect(paranom('eval', shuffled, '--labels', ds).out).toMatch(/note: some entity's prediction rows are not in time order/);
  });

  it("a detector that alarms on one host: the fleet's counts are the sums of each host scored alone from a labels file", async () => {
    const opts = ['--threshold', '33', '--tolerance', '2', '--gap', '1', '--windows', 'runs'];
    const preds = await write('one-host.parquet', "SELECT timestamp, host, CASE WHEN host = 'db-1' THEN cpu ELSE 0 END AS score FROM d");
    const fleet = json('eval', preds, '--labels', ds, ...opts, '--per-entity');
    const alone: ReturnType<typeof json>[] = [];
    for (const h of HOSTS) {
      const labels = await write(`labels-${h}.csv`, `SELECT timestamp, is_anomaly::INT AS is_anomaly FROM d WHERE host = '${h}'`);
      const p = await write(`preds-${h}.csv`, `SELECT timestamp, CASE WHEN host = 'db-1' THEN cpu ELSE 0 END AS score FROM d WHERE host = '${h}'`);
      alone.push(json('eval', p, '--labels', labels, '--threshold', '33', '--tolerance', '2', '--gap', '1'));
    }
    const sum = (f: (r: (typeof alone)[number]) => number) => alone.reduce((a, r) => a + f(r), 0);
    for (const k of ['tp', 'fp', 'fn', 'tn']) expect(fleet.point[k], k).toBe(sum((r) => r.point[k]));
    expect(fleet.point.tp).toBeGreaterThan(0);
    expect(alone.filter((r, k) => HOSTS[k] !== 'db-1').every((r) => r.point.tp === 0 && r.point.fp === 0)).toBe(true);
    for (const k of ['windows', 'found', 'alarm_runs', 'true_runs']) expect(fleet.event[k], k).toBe(sum((r) => r.event[k]));
    // Range: means over every host's ranges, so the hosts' means weighted by their counts.
    expect(fleet.range.recall).toBeCloseTo(sum((r) => r.range.recall * r.event.windows) / fleet.event.windows, 12);
    expect(fleet.range.precision).toBeCloseTo(sum((r) => (r.range.precision ?? 0) * r.event.alarm_runs) / fleet.event.alarm_runs, 12);
    // NAB at the given threshold: a corpus of four series, each with its own probationary rows.
    for (const p of ['standard', 'reward_low_FP', 'reward_low_FN']) {
      expect(fleet.nab.raw[p].score, p).toBeCloseTo(sum((r) => r.nab.raw[p].score), 9);
      for (const k of ['tp', 'fp', 'fn', 'tn', 'windows', 'total']) expect(fleet.nab.raw[p][k], `${p} ${k}`).toBe(sum((r) => r.nab.raw[p][k]));
    }
    expect(fleet.nab.probation_rows).toBe(sum((r) => r.nab.probation_rows));
    // --per-entity: each host's figures are its own eval's.
    expect(fleet.per_entity.map((e: { entity: string }) => e.entity)).toEqual(HOSTS);
    fleet.per_entity.forEach((e: { point: unknown; event: unknown; rows: number }, k: number) => {
      expect(e.point).toEqual(alone[k].point);
      expect(e.event).toEqual(alone[k].event);
      expect(e.rows).toBe(4000);
    });
    const table = paranom('eval', preds, '--labels', ds, ...opts, '--per-entity').out;
    expect(table).toMatch(/^host\s+rows\s+labelled/m);
    expect(table).toMatch(new RegExp(`^db-1\\s+4,000\\s+\\d+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+${alone[2].point.tp}\\s+${alone[2].point.fp}\\s`, 'm'));
  });

  it('pools ROC-AUC, AP and the best threshold over every row; NAB sweeps one threshold over the corpus', async () => {
    const preds = await write('cpu.parquet', 'SELECT timestamp, host, abs(cpu - 30) AS score FROM d');
    const fleet = json('eval', preds, '--labels', ds);
    // The same rows as one series: each host's times moved into a span of its own.
    const shift = "(CASE host WHEN 'web-1' THEN 0 WHEN 'web-2' THEN 1 WHEN 'db-1' THEN 2 ELSE 3 END) * 10000000000";
    const labels = await write('flat-labels.csv', `SELECT epoch_ms(timestamp) + ${shift} AS timestamp, is_anomaly::INT AS is_anomaly FROM d`);
    const flat = await write('flat-preds.csv', `SELECT epoch_ms(timestamp) + ${shift} AS timestamp, abs(cpu - 30) AS score FROM d`);
    const one = json('eval', flat, '--labels', labels);
    expect(fleet.threshold).toBe(one.threshold);
    expect(fleet.point).toEqual(one.point);
    expect(fleet.roc_auc).toBe(one.roc_auc);
    expect(fleet.average_precision).toBe(one.average_precision);
    expect(fleet.roc_auc).toBeGreaterThan(0.5);
    // Each profile's swept threshold: the corpus's score there is the hosts' scores summed,
    // and no other threshold tried here scores higher.
    for (const p of ['standard'] as const) {
      const t = String(fleet.nab.raw[p].threshold);
      let total = 0;
      for (const h of HOSTS) {
        const own = await write(`cpu-${h}.csv`, `SELECT timestamp, abs(cpu - 30) AS score FROM d WHERE host = '${h}'`);
        const hostLabels = await write(`nab-labels-${h}.csv`, `SELECT timestamp, is_anomaly::INT AS is_anomaly FROM d WHERE host = '${h}'`);
        total += json('eval', own, '--labels', hostLabels, '--threshold', t).nab.raw[p].score;
      }
      expect(fleet.nab.raw[p].score, p).toBeCloseTo(total, 9);
      for (const other of ['2', '5', '8']) expect(json('eval', preds, '--labels', ds, '--threshold', other).nab.raw[p].score).toBeLessThanOrEqual(fleet.nab.raw[p].score + 1e-9);
    }
  });

  it('refuses what cannot be joined, naming the entity and the row; counts hosts without predictions', async () => {
    const base = await write('some.csv', "SELECT timestamp, host, cpu AS score FROM d WHERE host <> 'db-2' ORDER BY host, timestamp");
    const r = json('eval', base, '--labels', ds);
    expect(r).toMatchObject({ entities: 3, entities_unscored: 1, label_rows_unscored: 4000, rows: 12000 });
    expect(paranom('eval', base, '--labels', ds).out).toMatch(/note: 1 of 4 entities have no prediction row and are not scored \(db-2\)/);
    const text = readFileSync(base, 'utf8');
    const unknown = join(dir, 'unknown.csv');
    writeFileSync(unknown, text + '2024-03-04 00:00:00+00,web-9,1\n');
    expectUsageError(paranom('eval', unknown, '--labels', ds), /unknown\.csv:12002: 'web-9' in entity column 'host' is not an entity of the dataset \(its 4 entities: web-1, web-2, db-1, db-2\)/);
    const noEntity = await write('no-entity.csv', 'SELECT timestamp, cpu AS score FROM d');
    expectUsageError(paranom('eval', noEntity, '--labels', ds), /no-entity\.csv has no entity column 'host' \(the fleet's key column.*--entity-column\); its columns are: timestamp, score/);
    expectUsageError(paranom('eval', base, '--labels', ds, '--entity-column', 'server'), /some\.csv has no entity column 'server' \(named by --entity-column\)/);
    const renamed = await write('renamed.parquet', 'SELECT timestamp, host AS server, cpu AS score FROM d');
    expect(figures(json('eval', renamed, '--labels', ds, '--entity-column', 'server'))).toEqual(figures(json('eval', await write('all.parquet', 'SELECT timestamp, host, cpu AS score FROM d'), '--labels', ds)));
    // A repeated row of one host: refused, naming the host and both lines.
    const lines = text.split('\n');
    const repeated = join(dir, 'repeated.csv');
    writeFileSync(repeated, text + lines.find((l) => l.includes(',web-2,'))! + '\n');
    expectUsageError(paranom('eval', repeated, '--labels', ds), /host web-2: \S*repeated\.csv:12002: timestamp 2024-03-04T00:00:00\.000Z is on 2 prediction rows \(\S*repeated\.csv:8002, \S*repeated\.csv:12002\) but on 1 label row/);
    // A row past a host's labels: refused, naming the host; --only-labelled leaves it out and counts it.
    const longer = join(dir, 'longer.csv');
    writeFileSync(longer, text + '2030-01-01 00:00:00+00,web-1,1\n');
    expectUsageError(paranom('eval', longer, '--labels', ds), /host web-1: 1 of 4001 prediction rows have no label row with the same timestamp \(first: \S*longer\.csv:12002.*pass --only-labelled/);
    expect(figures(json('eval', longer, '--labels', ds, '--only-labelled'))).toEqual({ ...figures(r), prediction_rows_unlabelled: 1 });
    // The fleet options on one series' labels: refused, not ignored.
    const labels = await write('one-labels.csv', "SELECT timestamp, is_anomaly::INT AS is_anomaly FROM d WHERE host = 'web-1'");
    const one = await write('one-preds.csv', "SELECT timestamp, cpu AS score FROM d WHERE host = 'web-1'");
    expectUsageError(paranom('eval', one, '--labels', labels, '--per-entity'), /--per-entity applies to many series: a fleet dataset's labels, or a CSV or Parquet labels file with --entity-column; \S*one-labels\.csv is one series/);
    expectUsageError(paranom('eval', one, '--labels', labels, '--entity-column', 'host'), /one-labels\.csv has no entity column 'host' \(named by --entity-column\); its columns are: timestamp, is_anomaly/);
    const windows = join(dir, 'windows.json');
    writeFileSync(windows, JSON.stringify({ 'web-1': [['2024-03-04T01:00:00Z', '2024-03-04T01:10:00Z']] }));
    expectUsageError(paranom('eval', one, '--labels', windows, '--entity-column', 'host'), /--entity-column applies to many series.*windows\.json is one series/);
  });

  it('a labels file with an entity column is scored as the fleet dataset it was written from (windows: runs of each entity\'s labelled rows)', async () => {
    const preds = await write('labels-file-preds.parquet', 'SELECT timestamp, host, cpu AS score FROM d');
    const opts = ['--tolerance', '2', '--per-entity'];
    const fromDataset = json('eval', preds, '--labels', ds, '--windows', 'runs', ...opts);
    expect(fromDataset.point.tp).toBeGreaterThan(0);
    const without = (x: Record<string, unknown>) => (({ labels: _l, ...rest }) => rest)(figures(x));
    // Written host by host, as the dataset lists its entities; then shuffled (the entities' order is then the file's).
    const csv = await write('fleet-labels.csv', `SELECT host, timestamp, is_anomaly::INT AS label FROM d ORDER BY list_position(['${HOSTS.join("', '")}'], host), timestamp`);
    const r = json('eval', preds, '--labels', csv, '--entity-column', 'host', ...opts);
    expect(r.labels).toMatch(/fleet-labels\.csv \(column label; 4 entities keyed by 'host'; windows: runs of each entity's labelled rows\)/);
    expect(without(r)).toEqual(without(fromDataset));
    const shuffled = await write('fleet-labels.parquet', 'SELECT host, timestamp, is_anomaly AS is_anomaly FROM d ORDER BY hash(host, timestamp)');
    const s = json('eval', preds, '--labels', shuffled, '--entity-column', 'host', ...opts);
    const byName = (x: { per_entity: Array<{ entity: string }> }) => [...x.per_entity].sort((a, b) => a.entity.localeCompare(b.entity));
    expect(byName(s)).toEqual(byName(fromDataset));
    expect(s.point).toEqual(fromDataset.point);
    expect(s.event).toEqual(fromDataset.event);
    // A host the labels lack: refused, naming the file's entities; --only-labelled leaves its rows out and counts them.
    const three = await write('three-labels.csv', "SELECT host, timestamp, is_anomaly::INT AS label FROM d WHERE host <> 'db-2' ORDER BY host, timestamp");
    expectUsageError(paranom('eval', preds, '--labels', three, '--entity-column', 'host'), /'db-2' in entity column 'host' is not an entity of the labels \S*three-labels\.csv \(its 3 entities: db-1, web-1, web-2\)/);
    const only = json('eval', preds, '--labels', three, '--entity-column', 'host', '--only-labelled');
    expect(only).toMatchObject({ entities: 3, rows: 12000, prediction_rows_unlabelled: 4000 });
    const threePreds = await write('three-preds.parquet', "SELECT timestamp, host, cpu AS score FROM d WHERE host <> 'db-2'");
    expect(only.point).toEqual(json('eval', threePreds, '--labels', three, '--entity-column', 'host').point);
    // A labels row without an entity: refused, naming the line.
    const blank = join(dir, 'blank-entity.csv');
    writeFileSync(blank, readFileSync(csv, 'utf8') + ',2024-03-04 00:00:00+00,0\n');
    expectUsageError(paranom('eval', preds, '--labels', blank, '--entity-column', 'host'), /blank-entity\.csv:16002: '' in entity column 'host' names no entity/);
  });

  it('an outage that hit no entity is no window', async () => {
    const scenario = readFileSync(join(dir, 'fleet.yaml'), 'utf8').replace('seed: 13', 'seed: 5');
    writeFileSync(join(dir, 'fleet5.yaml'), scenario);
    const five = join(dir, 'ds5');
    expect(paranom('generate', join(dir, 'fleet5.yaml'), '--out', five, '--workers', '1').code).toBe(0);
    const db = await duckdb();
    const seg = await db.all(`SELECT host, entities, changed_rows::INT AS changed, end_row - start_row + 1 AS rows FROM read_parquet('${join(five, 'anomalies.parquet')}')`);
    expect(seg.some((s) => s.host === null && s.entities === '')).toBe(true);
    // It changed no row; an outage that hit some changed its rows in each.
    for (const s of seg.filter((x) => x.host === null)) expect(s.changed).toBe(s.entities === '' ? 0 : Number(s.rows));
    const hits = seg.reduce((a, s) => a + (s.host !== null ? 1 : s.entities === '' ? 0 : String(s.entities).split(',').length), 0);
    await db.all(`COPY (SELECT timestamp, host, is_anomaly::INT AS score FROM read_parquet('${join(five, 'data', '*.parquet')}')) TO '${join(dir, 'five.csv')}'`);
    const r = json('eval', join(dir, 'five.csv'), '--labels', five);
    expect(r.windows).toBeLessThanOrEqual(hits);
    expect(r.windows).toBeGreaterThan(0);
    expect(r.event.found).toBe(r.windows);
    expect(r.point.f1).toBe(1);
  });

  it('an integer key, rows time by time (order: time_entity): keys read from Parquet integers and CSV text alike', async () => {
    const fleetFile = join(dir, 'int-fleet.json');
    writeFileSync(fleetFile, JSON.stringify({ seed: 1, timeline: { rows: 2000 }, entities: { count: 3, key: 'm', order: 'time_entity' }, anomalies: { frequency: 0.05, duration: [2, 5] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 5, sd: 1 } } } }));
    const fleet = join(dir, 'int-fleet');
    expect(paranom('generate', fleetFile, '--out', fleet).code).toBe(0);
    const src = `read_parquet('${join(fleet, 'data', '*.parquet')}')`;
    const db = await duckdb();
    await db.all(`COPY (SELECT timestamp, m, is_anomaly::INT AS score FROM ${src}) TO '${join(dir, 'int.parquet')}'`);
    await db.all(`COPY (SELECT timestamp, m, x AS score FROM ${src} ORDER BY m, timestamp) TO '${join(dir, 'int.csv')}'`);
    await db.all(`COPY (SELECT timestamp, m::BIGINT AS m, x AS score FROM ${src}) TO '${join(dir, 'int64.parquet')}'`);
    const r = json('eval', join(dir, 'int.parquet'), '--labels', fleet);
    expect(r).toMatchObject({ rows: 6000, entities: 3 });
    expect(r.point.f1).toBe(1);
    expect(r.event.found).toBe(r.event.windows);
    expect(figures(json('eval', join(dir, 'int.csv'), '--labels', fleet))).toEqual(figures(json('eval', join(dir, 'int64.parquet'), '--labels', fleet)));
  });
});
