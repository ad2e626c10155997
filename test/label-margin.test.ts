/**
 * `anomalies.label_margin`: rows before and after each event labelled besides the event's
 * own, values and anomaly ids unchanged; with `label: changed` the margins add to the
 * changed rows. Labels hold D2 (any shard cut, 1 or 4 workers) and D3 (growth keeps the
 * prefix, an event just past the end included); bad values are refused naming the path.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { generateSplits } from '../src/run/splits.js';
import { verify } from '../src/run/verify.js';
import { datasetReport } from '../src/report/dataset.js';
import { formatRunReport } from '../src/cli/report.js';
import { getInt64 } from '../src/columns/columns.js';
import type { Scenario } from '../src/model/types.js';
import { columnHashes, concatColumn, duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROWS = 40_000;
const BEFORE = 30;
const AFTER = 70;

const KINDS = [
  { kind: 'spike', magnitude: [0.2, 3], duration: [2, 8] },
  { kind: 'level_shift', shift: [0.05, 2] },
  { kind: 'noise', magnitude: [0.1, 1] },
];

function doc(anomalies: Record<string, unknown>, rows = ROWS): Record<string, unknown> {
  return {
    seed: 5,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows },
    anomalies: { frequency: 0.02, duration: [6, 40], kinds: KINDS, ...anomalies },
    variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
  };
}

function scenario(anomalies: Record<string, unknown>, rows = ROWS): Scenario {
  return parseScenario(JSON.stringify(doc(anomalies, rows)), join(root, 'label-margin.json'));
}

/** The events of a run without margins, read from its anomaly ids: [start, end) per id. */
function eventRows(c: ShardColumns): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < c.rows; i++) {
    const id = getInt64(c.anomalyId, i);
    if (id === 0) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === i && getInt64(c.anomalyId, i - 1) === id) last[1] = i + 1;
    else runs.push([i, i + 1]);
  }
  return runs;
}

/** Labels of `plain` (the same scenario without margins) widened by the margins of its events. */
function expectedLabels(plain: ShardColumns, before: number, after: number): Uint8Array {
  const want = Uint8Array.from(plain.isAnomaly);
  for (const [s, e] of eventRows(plain)) {
    want.fill(1, Math.max(0, s - before), s);
    want.fill(1, e, Math.min(plain.rows, e + after));
  }
  return want;
}

function withoutLabels(h: Record<string, string>): Record<string, string> {
  const { is_anomaly: _l, anomaly_id: _i, ...rest } = h;
  return rest;
}

describe('label_margin', () => {
  it('labels [before, after] rows around every event; values and anomaly ids stay as without it', () => {
    const plain = generateShard(scenario({}), 0, ROWS);
    const wide = generateShard(scenario({ label_margin: [BEFORE, AFTER] }), 0, ROWS);
    expect(withoutLabels(columnHashes(wide))).toEqual(withoutLabels(columnHashes(plain)));
    const events = eventRows(plain);
    expect(events.length).toBeGreaterThan(10);
    // The last event may be cut by the end; its margin then lies past the last row.
    const checked = events[events.length - 1]![0] - BEFORE;
    const want = expectedLabels(plain, BEFORE, AFTER).subarray(0, checked);
    expect(Buffer.from(wide.isAnomaly.subarray(0, checked))).toEqual(Buffer.from(want));
    // Event rows keep their ids; a margin row carries the id of an event it surrounds.
    let margins = 0;
    for (let r = 0; r < checked; r++) {
      if (plain.isAnomaly[r]) expect(getInt64(wide.anomalyId, r)).toBe(getInt64(plain.anomalyId, r));
      else if (wide.isAnomaly[r]) {
        margins++;
        const id = getInt64(wide.anomalyId, r);
        const owner = events.find(([a]) => a === id);
        expect(owner && ((r >= owner[0] - BEFORE && r < owner[0]) || (r >= owner[1] && r < owner[1] + AFTER))).toBe(true);
      }
    }
    expect(margins).toBeGreaterThan(events.length * 50);
    const labelled = (c: ShardColumns) => c.isAnomaly.reduce((a, b) => a + b, 0);
    expect(labelled(wide)).toBeGreaterThan(labelled(plain) + events.length * 50);
    // One number is both sides.
    expect(scenario({ label_margin: 12 }).anomalies).toMatchObject({ labelMargin: [12, 12] });
  });

  it('with label: changed and min_effect, labels the changed rows of kept events and the margins of kept events only', () => {
    const settled = { label: 'changed', min_effect: { value: 0.8, tries: 2 }, min_change: 0.5 };
    const plain = generateShard(scenario(settled), 0, ROWS);
    const wide = generateShard(scenario({ ...settled, label_margin: [BEFORE, AFTER] }), 0, ROWS);
    expect(withoutLabels(columnHashes(wide))).toEqual(withoutLabels(columnHashes(plain)));
    const events = eventRows(plain);
    // Some event rows are unlabelled without margins (moved less than min_change) ...
    const unchanged = events.reduce((n, [s, e]) => n + (e - s) - plain.isAnomaly.subarray(s, e).reduce((a, b) => a + b, 0), 0);
    expect(unchanged).toBeGreaterThan(0);
    // ... and stay so unless another event's margin covers them; dropped events (no ids) get no margin.
    const checked = events[events.length - 1]![0] - BEFORE;
    const want = expectedLabels(plain, BEFORE, AFTER).subarray(0, checked);
    expect(Buffer.from(wide.isAnomaly.subarray(0, checked))).toEqual(Buffer.from(want));
    const unlabelledInEvents = events.reduce((n, [s, e]) => n + (e - s) - wide.isAnomaly.subarray(s, e).reduce((a, b) => a + b, 0), 0);
    expect(unlabelledInEvents).toBeGreaterThan(0);
  });

  it('gives the same labels for any shard cut, margins crossing shard edges (D2)', () => {
    const s = scenario({ label_margin: [BEFORE, AFTER], label: 'changed' });
    const whole = generateShard(s, 0, ROWS);
    // Cuts inside margins, beyond their events: shards whose labels come from an event in another shard.
    const events = eventRows(generateShard(scenario({}), 0, ROWS)).filter(([a, e]) => a > BEFORE && e + AFTER < ROWS);
    const inside = [events[3]!, events[9]!, events[15]!].flatMap(([a, e]) => [a - 15, e + 50]);
    const cuts = [0, ...inside, 20_011, ROWS].sort((a, b) => a - b);
    const parts = cuts.slice(1).map((end, i) => generateShard(s, cuts[i]!, end));
    expect(concatColumn(parts, (c) => c.isAnomaly)).toEqual(Buffer.from(whole.isAnomaly));
    expect(concatColumn(parts, (c) => c.values[0]!.data)).toEqual(Buffer.from(whole.values[0]!.data.buffer));
  });

  it('keeps the prefix when the dataset grows, an event just past the old end included (D3)', () => {
    const big = generateShard(scenario({ label_margin: [BEFORE, AFTER] }), 0, ROWS);
    const plain = generateShard(scenario({}), 0, ROWS);
    // End the short dataset 10 rows before an event: its last rows carry that event's margin.
    const [start] = eventRows(plain).find(([s]) => s > ROWS / 2)!;
    const n = start - 10;
    const small = generateShard(scenario({ label_margin: [BEFORE, AFTER] }, n), 0, n);
    expect(small.isAnomaly[n - 1]).toBe(1);
    expect(Buffer.from(small.isAnomaly)).toEqual(Buffer.from(big.isAnomaly.subarray(0, n)));
  });

  it('lists in a test split the event whose after-margin runs into its first rows, so every label joins to a segment row', async () => {
    // Cut train 10 rows after an event ends: test's first rows carry that event's margin.
    const [start, end] = eventRows(generateShard(scenario({}), 0, ROWS)).find(([s]) => s > ROWS / 2)!;
    const train = end + 10;
    const base = tempDir();
    for (const [name, extra] of [['series', {}], ['fleet', { entities: { count: 4 } }]] as const) {
      const out = join(base, name);
      const d = { ...doc({ label_margin: [BEFORE, AFTER] }), ...extra, splits: { train } };
      await generateSplits(parseScenario(JSON.stringify(d), join(root, 'label-margin.json')), { out, workers: 2 });
      const test = join(out, 'test');
      // (An id past the last row is an event starting after it, whose margin the last rows carry.)
      const join_ = name === 'fleet' ? 'AND s.entity = d.entity' : '';
      const [row] = await duck(`SELECT count(*) AS dangling FROM read_parquet('${test}/data/*.parquet') d WHERE anomaly_id < ${ROWS} AND NOT EXISTS (SELECT 1 FROM read_parquet('${test}/anomalies.parquet') s WHERE s.id = d.anomaly_id ${join_})`);
      expect([name, Number(row!['dangling'])]).toEqual([name, 0]);
      // The case was met: an event ending before test's first row, listed for its margin.
      const [listed] = await duck(`SELECT count(*) AS n FROM read_parquet('${test}/anomalies.parquet') WHERE end_row < ${train}`);
      expect(Number(listed!['n'])).toBeGreaterThan(0);
      expect((await verify(test, { sampleBlocks: 1 })).ok).toBe(true);
      // The report lists it with no row of the split (before: a negative count of rows).
      if (name === 'series') expect((await datasetReport(test)).events.find((e) => e.id === start)).toMatchObject({ start: 0, end: 0 });
    }
  }, 60_000);

  it('generate and eval say what the margins add: the fraction counts them, the segment windows leave them out the margins is_anomaly marks, and which windows hold them', async () => {
    const base = tempDir();
    for (const [name, margin] of [['plain', {}], ['wide', { label_margin: [BEFORE, AFTER] }]] as const) {
      const out = join(base, name);
      const run = await generate(scenario(margin, 5_000), { out, workers: 1 });
      // generate's summary says the realised fraction counts the margins, the request does not.
      const summary = formatRunReport(run, out, 1);
      if (name === 'plain') expect(summary).toMatch(/\(fraction [0-9.]+; requested fraction 0\.02\)/);
      else expect(summary).toMatch(new RegExp(`\\(fraction [0-9.]+ with the label_margin \\[${BEFORE}, ${AFTER}\\] rows around each event; requested fraction 0\\.02, for events alone\\)`));
      const pred = join(base, `${name}.csv`);
      await duck(`COPY (SELECT timestamp, is_anomaly::INT AS score FROM read_parquet('${out}/data/*.parquet')) TO '${pred}' (HEADER)`);
      const r = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'eval', pred, '--labels', out], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const labels = r.stdout.split('\n')[0]!;
      if (name === 'plain') expect(labels).not.toMatch(/label_margin/);
      else expect(labels).toContain(`is_anomaly also marks the label_margin [${BEFORE}, ${AFTER}] rows around each event, which these windows leave out: --windows runs scores the labelled runs`);
    }
  }, 60_000);

  it('writes the same shards with 1 and 4 workers; the manifest counts margin rows as labelled (D2)', async () => {
    const base = tempDir();
    const s = scenario({ label_margin: [BEFORE, AFTER], label: 'changed' }, 3 * 16_384 + 77);
    const run = (workers: number) => generate(s, { out: join(base, `w${workers}`), workers, shardRows: 16_384 });
    const [one, four] = [await run(1), await run(4)];
    expect(four.manifest.shards.map((x) => x.sha256)).toEqual(one.manifest.shards.map((x) => x.sha256));
    const labels = generateShard(s, 0, s.timeline.rows).isAnomaly.reduce((a, b) => a + b, 0);
    expect(one.manifest.anomalies.realised.anomalous_rows).toBe(labels);
  });

  it('is refused with a clear message naming the path, exit 2', () => {
    for (const bad of [-1, 2.5, 'wide', [1], [1, 2, 3], 2_000_000]) {
      expect(() => scenario({ label_margin: bad })).toThrow(/anomalies\.label_margin: expected a whole number of rows from 0 to 1000000 .*or \[before, after\], got/);
    }
    // A pair with one bad side names that side and its value, not "a list of 2 items".
    expect(() => scenario({ label_margin: [3, -2] })).toThrow(/anomalies\.label_margin\[1\]: expected a whole number of rows from 0 to 1000000 \(labelled after each event\), got number -2/);
    expect(() => scenario({ label_margin: [1.5, 4] })).toThrow(/anomalies\.label_margin\[0\]: .*\(labelled before each event\), got number 1\.5/);
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(doc({ label_margin: [10] }, 1000)));
    const r = spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'generate', file, '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/anomalies\.label_margin/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A zero margin is no margin: the scenario resolves as without it.
    expect(scenario({ label_margin: 0 }).anomalies).toEqual(scenario({}).anomalies);
    expect(readFileSync(file, 'utf8')).toContain('label_margin');
  });
});
