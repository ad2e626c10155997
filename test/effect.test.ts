/**
 * Labels that match their effect: the effect columns of the segment table, `min_effect`
 * (redraws until an event is visible, D1–D3 kept), `label: changed`, and the warning when
 * labelled rows are unchanged. The real series is NAB's ec2_cpu_utilization_24ae8d: flat for
 * long stretches (a quarter of its steps repeat the value before), so weak kinds vanish in it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/reader/load.js';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { generate } from '../src/run/generate.js';
import { formatRunReport } from '../src/cli/report.js';
import { verify } from '../src/run/verify.js';
import { prepareScenario } from '../src/variables/registry.js';
import { contextWindow, robustScale, variableEffect } from '../src/anomaly/effect.js';
import { CONTEXT_ROWS } from '../src/generate/event-outcome.js';
import { getInt64, type ValueColumn } from '../src/columns/columns.js';
import type { Scenario } from '../src/model/types.js';
import { columnHashes, duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FLAT = join(root, '../shared/data/nab/data/realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv');
const ROWS = 2 * 65_536 + 777;

/** Kinds sized so that many draws are too weak to see on this series (robust sd ≈ 0.003). */
const KINDS = [
  { kind: 'spike', magnitude: [0.001, 0.05], duration: [1, 6] },
  { kind: 'level_shift', shift: [0.0005, 0.02] },
  { kind: 'flat_line' },
  { kind: 'dropout', weight: 0.5, rate: [0.2, 1] },
  { kind: 'noise', magnitude: [0.0005, 0.01] },
  { kind: 'amplitude', factor: [0.5, 1.5] },
  { kind: 'trend', slope: [0.00001, 0.001] },
];

function scenario(anomalies: Record<string, unknown>, rows = ROWS): Scenario {
  const doc = {
    seed: 24,
    timeline: { start: '2014-02-14T14:30:00Z', step: '5m', rows },
    anomalies: { frequency: 0.03, duration: [3, 48], kinds: KINDS, clean_twin: true, ...anomalies },
    variables: { cpu: { type: 'source', file: FLAT, column: 'value', timestamps: 'map', past_end: 'cycle' } },
  };
  return parseScenario(JSON.stringify(doc), join(root, 'effect.json'));
}

function col(c: ShardColumns, name: string): ValueColumn {
  return c.values.find((v) => v.name === name)!;
}

function num(v: ValueColumn, i: number): number {
  return v.dtype === 'int64' ? getInt64(v.data as Int32Array, i) : v.data[i]!;
}

describe('effect measures', () => {
  it('robust scale: 1.4826·MAD, then 1.2533·mean absolute deviation when MAD is 0, then 1', () => {
    // Median 3, |deviations| 2,1,0,1,2 → MAD 1.
    expect(robustScale([1, 2, 3, 4, 5])).toBeCloseTo(1.4826, 12);
    // Six of seven equal: MAD 0; mean |deviation| = 7/7 = 1.
    expect(robustScale([5, 5, 5, 5, 5, 5, 12])).toBeCloseTo(1.2533, 12);
    expect(robustScale([2, 2, 2])).toBe(1);
    expect(robustScale([NaN, 1, 2, 3, 4, 5, NaN])).toBeCloseTo(1.4826, 12);
  });

  it('RMS and maximum of |value − clean| / scale; a missing value counts as the last one present', () => {
    const e = variableEffect([3, 1, 1], undefined, [1, 1, 1], 1, 2);
    expect(e.max).toBe(1);
    expect(e.rms).toBeCloseTo(Math.sqrt(1 / 3), 12);
    // Missing rows 1–2 carry row 0's 3 forward (|3 − 1| / 2 = 1 each).
    expect(variableEffect([3, 0, 0], [1, 0, 0], [1, 1, 1], 1, 2).rms).toBe(1);
    // A dropout on a flat stretch: the carried value is the clean one, no effect.
    expect(variableEffect([0, 0], [0, 0], [7, 7], 7, 1)).toEqual({ rms: 0, max: 0 });
  });

  it('an RMS whose squares pass the largest double is still the RMS, never above the maximum', () => {
    // A flat line at 1e300 on a series near 0: each squared difference is Infinity.
    const e = variableEffect([1e300, 1e300, 5e299, 0], undefined, [0, 0, 0, 0], 0, 1);
    expect(e.max).toBe(1e300);
    expect(e.rms).toBeCloseTo(Math.sqrt((1 + 1 + 0.25) / 4) * 1e300, -285);
    expect(e.rms).toBeLessThanOrEqual(e.max);
  });
});

describe('the segment table records every event’s effect', () => {
  it('a level shift on white noise has effect ≈ shift / sd; definition events are measured too', async () => {
    const doc = (anomalies: Record<string, unknown>, variables: Record<string, unknown>) =>
      parseScenario(JSON.stringify({ seed: 5, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 50_000 }, anomalies, variables }), join(root, 'x.json'));
    const noise = { type: 'process', components: [{ type: 'noise', sd: 2 }] };
    const out = join(tempDir(), 'shift');
    await generate(doc({ frequency: 0.02, duration: [10, 40], kinds: [{ kind: 'level_shift', shift: 6 }] }, { x: noise }), { out, workers: 1 });
    const rows = await duck(`SELECT effect_rms AS r, effect_max AS m, changed_rows AS c, rows AS n FROM read_parquet('${out}/anomalies.parquet')`);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      // The robust sd of ~300 clean rows of N(0, 2²) is 2 within ±20%.
      expect(Number(r['r'])).toBeGreaterThan(3 / 1.2);
      expect(Number(r['r'])).toBeLessThan(3 / 0.8);
      expect(Number(r['m'])).toBeCloseTo(Number(r['r']), 12);
      expect(r['c']).toBe(r['n']);
    }
    const def = join(tempDir(), 'def');
    await generate(doc({ frequency: 0.02, duration: [10, 40] }, { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 10, sd: 1 } } }), { out: def, workers: 1 });
    const [d] = await duck(`SELECT min(effect_rms) AS lo, count(*) AS n FROM read_parquet('${def}/anomalies.parquet')`);
    expect(Number(d!['lo'])).toBeGreaterThan(6);
  });

  it('a string or bool variable adds no effect, but any change of its value counts as changed and is labelled', async () => {
    const s = parseScenario(
      JSON.stringify({
        seed: 5,
        timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 50_000 },
        anomalies: { frequency: 0.03, duration: [10, 40], label: 'changed', clean_twin: true },
        variables: {
          s: { normal: { dist: 'categorical', values: ['idle', 'run'] }, anomalous: { dist: 'categorical', values: ['run', 'fault'] } },
          b: { normal: { dist: 'bernoulli', p: 0.3 }, anomalous: { dist: 'bernoulli', p: 0.5 } },
        },
      }),
      join(root, 'labels.json'),
    );
    const out = join(tempDir(), 'labels');
    await generate(s, { out, workers: 1 });
    const [seg] = await duck(`SELECT count(*) AS n, max(effect_rms) AS rms, max(effect_max) AS mx, sum(changed_rows) AS changed FROM read_parquet('${out}/anomalies.parquet')`);
    expect(Number(seg!['n'])).toBeGreaterThan(10);
    expect(Number(seg!['rms'])).toBe(0);
    expect(Number(seg!['mx'])).toBe(0);
    const [rows] = await duck(`SELECT count(*) FILTER (WHERE is_anomaly) AS labelled, count(*) FILTER (WHERE is_anomaly <> (s <> s_clean OR b <> b_clean)) AS wrong FROM read_parquet('${out}/data/*.parquet')`);
    expect(Number(rows!['labelled'])).toBe(Number(seg!['changed']));
    expect(Number(rows!['labelled'])).toBeGreaterThan(0);
    expect(Number(rows!['wrong'])).toBe(0);
  });
});

/** The effect of each event recomputed from the written values and their clean twin (the documented definition). */
async function recomputedEffects(dir: string, rows: number): Promise<Array<{ id: number; rms: number; stored: number }>> {
  const data = await duck(`SELECT cpu, cpu_clean FROM read_parquet('${dir}/data/*.parquet') ORDER BY timestamp`);
  const value = data.map((r) => (r['cpu'] === null ? NaN : Number(r['cpu'])));
  const present = data.map((r) => (r['cpu'] === null ? 0 : 1));
  const clean = data.map((r) => Number(r['cpu_clean']));
  const events = await duck(`SELECT id, duration_rows AS d, effect_rms AS r FROM read_parquet('${dir}/anomalies.parquet') ORDER BY id`);
  const out: Array<{ id: number; rms: number; stored: number }> = [];
  for (const e of events) {
    const start = Number(e['id']);
    const d = Number(e['d']);
    const context = CONTEXT_ROWS + d;
    if (start + d + context > rows) continue; // its context lies past the written rows
    const lo = Math.max(0, start - context);
    const scale = robustScale(clean.slice(lo, start + d + context));
    const eff = variableEffect(value.slice(start, start + d), present.slice(start, start + d), clean.slice(start, start + d), start > 0 ? clean[start - 1]! : NaN, scale);
    out.push({ id: start, rms: eff.rms, stored: Number(e['r']) });
  }
  return out;
}

describe('min_effect', () => {
  it('no event below it on a flat real series; the same bytes for 1 and 4 workers and for another shard size', async () => {
    const s = scenario({ min_effect: 0.5 });
    const base = tempDir();
    const one = await generate(s, { out: join(base, 'one'), workers: 1, shardRows: 65_536 });
    const four = await generate(s, { out: join(base, 'four'), workers: 4, shardRows: 65_536 });
    await generate(s, { out: join(base, 'big'), workers: 2, shardRows: 131_072 });
    expect(one.manifest.shards).toHaveLength(3);
    expect(four.manifest.shards.map((x) => x.sha256)).toEqual(one.manifest.shards.map((x) => x.sha256));
    expect(readFileSync(join(base, 'four/anomalies.parquet'))).toEqual(readFileSync(join(base, 'one/anomalies.parquet')));
    expect(readFileSync(join(base, 'big/anomalies.parquet'))).toEqual(readFileSync(join(base, 'one/anomalies.parquet')));
    const rowsOf = (d: string) => duck(`SELECT md5(string_agg(concat_ws('|', cpu, cpu_clean, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${base}/${d}/data/*.parquet')`);
    expect(await rowsOf('big')).toEqual(await rowsOf('one'));

    const me = one.manifest.anomalies.min_effect!;
    expect(me.threshold).toBe(0.5);
    expect(me.redrawn_events).toBeGreaterThan(10);
    // With min_effect, label: changed is the default: an event's labelled rows are its changed rows.
    const [t] = await duck(`SELECT min(effect_rms) AS lo, count(*) AS n, count(*) FILTER (WHERE attempt > 0) AS redrawn, sum(changed_rows) AS labelled FROM read_parquet('${base}/one/anomalies.parquet')`);
    expect(Number(t!['lo'])).toBeGreaterThanOrEqual(0.5);
    expect(Number(t!['n'])).toBe(one.manifest.anomalies.realised.events);
    expect(Number(t!['redrawn'])).toBe(me.redrawn_events);
    expect(Number(t!['labelled'])).toBe(one.manifest.anomalies.realised.anomalous_rows);

    // Recomputed from the written rows, independently of the stored column.
    const checked = await recomputedEffects(join(base, 'one'), ROWS);
    expect(checked.length).toBeGreaterThan(50);
    for (const c of checked) {
      expect(c.rms, `event ${c.id}`).toBeGreaterThanOrEqual(0.5);
      expect(c.rms).toBeCloseTo(c.stored, 9);
    }

    // Without min_effect the same kinds leave many events below 0.5 (what the option fixes).
    const plain = await generate(scenario({}), { out: join(base, 'plain'), workers: 1, shardRows: 65_536 });
    const [p] = await duck(`SELECT count(*) FILTER (WHERE effect_rms < 0.5) AS weak FROM read_parquet('${base}/plain/anomalies.parquet')`);
    expect(Number(p!['weak'])).toBeGreaterThan(10);
    expect(plain.warnings).toHaveLength(1);
  });

  it('keeps rows 0..N-1 when the timeline grows (redraws depend on the event only)', async () => {
    const n = 70_001;
    const small = scenario({ min_effect: 1 }, n);
    await prepareScenario(small);
    const big = scenario({ min_effect: 1 }, 3 * n);
    expect(columnHashes(generateShard(big, 0, n))).toEqual(columnHashes(generateShard(small, 0, n)));
  });

  it('drops an event no attempt can lift, and counts it', async () => {
    // Every kind is far too weak for a threshold of 50 robust sd.
    const s = scenario({ min_effect: { value: 50, tries: 3 }, kinds: [{ kind: 'level_shift', shift: [0.0001, 0.001] }] }, 30_000);
    const r = await generate(s, { out: join(tempDir(), 'drop'), workers: 1 });
    expect(r.manifest.anomalies.realised.events).toBe(0);
    expect(r.manifest.anomalies.realised.anomalous_rows).toBe(0);
    expect(r.manifest.anomalies.min_effect!.dropped_events).toBeGreaterThan(5);
    // The run's summary says where the requested events went.
    const dropped = r.manifest.anomalies.min_effect!.dropped_events;
    expect(formatRunReport(r, 'drop', 1)).toContain(`min_effect 50: ${dropped} events stayed below it after 3 tries and were dropped, their rows normal; 0 events reached it on a redraw`);
    const c = generateShard(s, 0, 30_000);
    expect(c.isAnomaly.every((x) => x === 0)).toBe(true);
    expect(col(c, 'cpu').data).toEqual(col(c, 'cpu_clean').data);
  });
});

describe('min_effect below: normal (near misses as hard negatives)', () => {
  it('keeps an event no attempt can lift in the values, labelled normal: the values of the plain scenario, no label, no segment', async () => {
    const kinds = [{ kind: 'level_shift', shift: [0.0001, 0.001] }];
    const s = scenario({ min_effect: { value: 50, tries: 3, below: 'normal' }, kinds }, 30_000);
    const r = await generate(s, { out: join(tempDir(), 'near'), workers: 1 });
    expect(r.manifest.anomalies.min_effect).toMatchObject({ below: 'normal', redrawn_events: 0 });
    expect(r.manifest.anomalies.min_effect!.dropped_events).toBeGreaterThan(5);
    expect(r.manifest.anomalies.realised.events).toBe(0);
    expect(formatRunReport(r, 'near', 1)).toMatch(/min_effect 50: \d+ events stayed below it after 3 tries and were kept in the values, labelled normal \(below: normal\)/);
    const c = generateShard(s, 0, 30_000);
    expect(c.isAnomaly.every((x) => x === 0)).toBe(true);
    expect(c.anomalyId.every((x) => x === 0)).toBe(true);
    // The near misses are the placed events' first attempts: the plain scenario's values.
    const plain = scenario({ kinds }, 30_000);
    await prepareScenario(plain);
    const p = generateShard(plain, 0, 30_000);
    expect(col(c, 'cpu').data).toEqual(col(p, 'cpu').data);
    expect(col(c, 'cpu').data).not.toEqual(col(c, 'cpu_clean').data);
  });

  it('labels the kept events as without it, leaves the near misses changed but normal; 1 ≡ 4 workers, prefix-stable', async () => {
    const near = scenario({ min_effect: { value: 0.5, tries: 2, below: 'normal' } });
    const drop = scenario({ min_effect: { value: 0.5, tries: 2 } });
    await prepareScenario(near);
    const a = generateShard(near, 0, 65_536);
    const b = generateShard(drop, 0, 65_536);
    expect(a.isAnomaly).toEqual(b.isAnomaly);
    const cpu = col(a, 'cpu');
    const clean = col(a, 'cpu_clean');
    let nearMissRows = 0;
    for (let i = 0; i < 65_536; i++) {
      if (a.isAnomaly[i]) expect(num(cpu, i)).toBe(num(col(b, 'cpu'), i));
      else if (num(cpu, i) !== num(clean, i) && !Number.isNaN(num(cpu, i))) nearMissRows++;
    }
    expect(nearMissRows).toBeGreaterThan(20);
    const base = tempDir();
    const one = await generate(near, { out: join(base, 'one'), workers: 1, shardRows: 65_536 });
    const four = await generate(near, { out: join(base, 'four'), workers: 4, shardRows: 65_536 });
    expect(four.manifest.shards.map((x) => x.sha256)).toEqual(one.manifest.shards.map((x) => x.sha256));
    expect(one.manifest.anomalies.min_effect!.dropped_events).toBeGreaterThan(0);
    const n = 70_001;
    const small = scenario({ min_effect: { value: 0.5, tries: 2, below: 'normal' } }, n);
    expect(columnHashes(generateShard(near, 0, n))).toEqual(columnHashes(generateShard(small, 0, n)));
  });

  it('refuses another choice, naming the path and the choices', () => {
    expect(() => scenario({ min_effect: { value: 1, below: 'keep' } })).toThrow(/anomalies\.min_effect\.below: unknown choice string 'keep'; expected one of: drop, normal/);
  });
});

describe('validation', () => {
  it('refuses min_effect and label: changed beside uniqueness where a measured value could depend on a key, naming the path', () => {
    const doc = (anomalies: Record<string, unknown>, variables: Record<string, unknown> = {}) => ({
      seed: 1,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 1000 },
      anomalies: { frequency: 0.01, duration: 5, kinds: [{ kind: 'spike', magnitude: 1, variables: ['x'] }], ...anomalies },
      uniqueness: { key: ['k'], normal: { mode: 'soft', tries: 3 } },
      variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } }, k: { normal: { dist: 'integer', min: 0, max: 1e6 } }, ...variables },
    });
    const parse = (d: unknown) => parseScenario(JSON.stringify(d), join(root, 'u.json'));
    expect(() => parse(doc({}))).not.toThrow();
    // Events are measured on attempt-0 values: fine while no measured value reads a key.
    expect(() => parse(doc({ label: 'changed' }))).not.toThrow();
    expect(() => parse(doc({ min_effect: 1 }))).not.toThrow();
    expect(() => parse(doc({ min_effect: 1 }, { k: { normal: { dist: 'integer', min: 0, max: 1e6 }, anomalous: { dist: 'integer', min: 0, max: 10 } } }))).toThrow(
      /anomalies\.min_effect: measuring events beside uniqueness: 'k', part of the uniqueness key, has an anomalous definition of its own/,
    );
    expect(() => parse(doc({ label: 'changed' }, { k: { normal: { dist: 'integer', min: 0, max: 1e6 }, anomalous: { dist: 'integer', min: 0, max: 10 } } }))).toThrow(
      /anomalies\.label: 'changed' beside uniqueness: 'k', part of the uniqueness key, has an anomalous definition of its own/,
    );
    const callback = { type: 'callback', module: 'test/fixtures/callbacks/basic.js', normal: 'level' };
    expect(() => parse(doc({ label: 'changed' }, { c: callback }))).toThrow(/anomalies\.label: 'changed' beside uniqueness: callback 'c' is generated after 'k', part of the uniqueness key, and may read it/);
  });
});

describe('label: changed', () => {
  /** Labels expected under `label: changed` with min_change m: event rows some variable moved by ≥ m robust sd of the event's context (a null always). */
  function expectLabels(c: ShardColumns, m: number, upTo: number): { labelled: number; window: number } {
    const cpu = col(c, 'cpu');
    const clean = col(c, 'cpu_clean');
    const cleanValues = Float64Array.from({ length: c.rows }, (_, i) => num(clean, i));
    let labelled = 0;
    let window = 0;
    for (const e of c.events) {
      const [lo, hi] = contextWindow(e.start, e.duration);
      const least = m * robustScale(cleanValues.subarray(lo, hi));
      for (let i = e.start; i < Math.min(e.end, upTo); i++) {
        const d = Math.abs(num(cpu, i) - cleanValues[i]!);
        const changed = cpu.valid![i] === 0 || (d > 0 && d >= least);
        expect(c.isAnomaly[i], `row ${i}`).toBe(changed ? 1 : 0);
        labelled += c.isAnomaly[i]!;
        window++;
      }
    }
    return { labelled, window };
  }

  it('labels exactly the event rows that moved by at least min_change robust sd (0.5 by default; 0: any difference)', async () => {
    const kinds = [{ kind: 'flat_line' }, { kind: 'dropout', rate: 0.5 }, { kind: 'noise', magnitude: [0.0005, 0.01] }];
    const upTo = 65_536;
    const s = scenario({ label: 'changed', kinds });
    const exact = scenario({ label: 'changed', min_change: 0, kinds });
    expect(s.anomalies.mode !== 'none' && s.anomalies.minChange).toBe(0.5);
    await prepareScenario(s);
    await prepareScenario(exact);
    const c = generateShard(s, 0, ROWS);
    const cx = generateShard(exact, 0, ROWS);
    const inEvent = new Uint8Array(c.rows);
    for (const e of c.events) inEvent.fill(1, e.start, Math.min(e.end, c.rows));
    for (let i = 0; i < upTo; i++) if (!inEvent[i]) expect(c.isAnomaly[i], `row ${i}`).toBe(0);
    const visible = expectLabels(c, 0.5, upTo);
    const any = expectLabels(cx, 0, upTo);
    // Values do not depend on the labelling rule.
    expect(columnHashes(c).cpu).toBe(columnHashes(cx).cpu);
    // Flat lines on a flat series leave many rows as they were; weak noise moves rows by less than 0.5 sd.
    expect(visible.labelled).toBeGreaterThan(100);
    expect(any.labelled).toBeLessThan(0.95 * any.window);
    expect(visible.labelled).toBeLessThan(0.95 * any.labelled);

    const out = join(tempDir(), 'changed');
    const r = await generate(s, { out, workers: 2, shardRows: 65_536 });
    expect(r.warnings).toEqual([]);
    expect(r.manifest.anomalies.realised.unchanged_rows).toBe(0);
    // anomaly_id is set exactly on labelled rows; changed_rows counts them per event.
    const [j] = await duck(`SELECT count(*) FILTER (WHERE is_anomaly <> (anomaly_id IS NOT NULL)) AS bad, count(*) FILTER (WHERE is_anomaly) AS n FROM read_parquet('${out}/data/*.parquet')`);
    expect(Number(j!['bad'])).toBe(0);
    const [k] = await duck(`SELECT sum(changed_rows) AS c, count(*) FILTER (WHERE changed_rows < rows) AS partial FROM read_parquet('${out}/anomalies.parquet')`);
    expect(Number(k!['c'])).toBe(Number(j!['n']));
    expect(Number(k!['partial'])).toBeGreaterThan(5);
  });

  it('is the default with min_effect: the labels of label: changed; label: window written labels every event row; the values alike', async () => {
    const upTo = 65_536;
    const byDefault = scenario({ min_effect: 0.5 });
    const changed = scenario({ min_effect: 0.5, label: 'changed' });
    const window = scenario({ min_effect: 0.5, label: 'window' });
    expect(byDefault.anomalies.mode !== 'none' && [byDefault.anomalies.label, byDefault.anomalies.minChange]).toEqual(['changed', 0.5]);
    expect(window.anomalies.mode !== 'none' && window.anomalies.label).toBeUndefined();
    for (const s of [byDefault, changed, window]) await prepareScenario(s);
    const d = generateShard(byDefault, 0, upTo);
    const w = generateShard(window, 0, upTo);
    expect(columnHashes(d)).toEqual(columnHashes(generateShard(changed, 0, upTo)));
    expect(columnHashes(d).cpu).toBe(columnHashes(w).cpu);
    const { labelled, window: eventRows } = expectLabels(d, 0.5, upTo);
    expect(d.events.length).toBeGreaterThan(20);
    expect(labelled).toBeLessThan(0.95 * eventRows);
    // label: window labels every row of every kept event, and nothing else.
    const inEvent = new Uint8Array(upTo);
    for (const e of w.events) inEvent.fill(1, e.start, Math.min(e.end, upTo));
    expect(w.isAnomaly).toEqual(inEvent);
    // min_change applies with min_effect alone, and not with label: window.
    expect(scenario({ min_effect: 0.5, min_change: 0.2 }).anomalies).toMatchObject({ label: 'changed', minChange: 0.2 });
    expect(() => scenario({ min_effect: 0.5, label: 'window', min_change: 0.2 })).toThrow(/anomalies\.min_change: applies with 'label: changed'/);
  });

  // label: changed, min_effect (which drops events: their rows are of the normal class), and
  // min_effect with a key of the fingerprint index (tag: a constant that is not a whole number).
  for (const [what, extra, key] of [
    ['label: changed', { label: 'changed' }, ['device']],
    ['min_effect', { min_effect: { value: 0.5, tries: 2 } }, ['device']],
    ['min_effect, fingerprint index', { min_effect: { value: 0.5, tries: 2 } }, ['device', 'tag']],
  ] as const) it(`${what} runs beside uniqueness: the labels and values of the scenario without it, keys unique within each class, 1 ≡ 2 workers`, async () => {
    const doc = (unique: boolean) => ({
      seed: 24,
      timeline: { start: '2014-02-14T14:30:00Z', step: '5m', rows: ROWS },
      anomalies: { frequency: 0.03, duration: [3, 48], kinds: KINDS.map((k) => ({ ...k, variables: ['cpu'] })), clean_twin: true, ...extra },
      ...(unique ? { uniqueness: { key, normal: { mode: 'hard', tries: 100 }, anomalous: { mode: 'hard', tries: 100 } } } : {}),
      variables: { cpu: { type: 'source', file: FLAT, column: 'value', timestamps: 'map', past_end: 'cycle' }, device: { normal: { dist: 'integer', min: 0, max: 3 * ROWS } }, tag: { normal: { dist: 'constant', value: 0.5 } } },
    });
    const base = tempDir();
    const [one, two, plain] = ['w1', 'w2', 'plain'].map((x) => join(base, x)) as [string, string, string];
    const r = await generate(parseScenario(JSON.stringify(doc(true)), join(root, 'effect.json')), { out: two, workers: 2, shardRows: 65_536 });
    await generate(parseScenario(JSON.stringify(doc(true)), join(root, 'effect.json')), { out: one, workers: 1, shardRows: 65_536 });
    await generate(parseScenario(JSON.stringify(doc(false)), join(root, 'effect.json')), { out: plain, workers: 2, shardRows: 65_536 });
    expect(r.manifest.shards.map((x) => x.sha256)).toEqual(JSON.parse(readFileSync(join(one, 'manifest.json'), 'utf8')).shards.map((x: { sha256: string }) => x.sha256));
    expect(r.warnings).toEqual([]);
    expect(r.manifest.anomalies.realised.unchanged_rows).toBe(0);
    expect(r.manifest.uniqueness!.normal.retried_rows).toBeGreaterThan(1000);
    if ('min_effect' in extra) expect(r.manifest.anomalies.min_effect!.dropped_events).toBeGreaterThan(5);
    // The events are measured on values no key touches: labels and values are the plain scenario's.
    const digest = async (dir: string) => (await duck(`SELECT count(*) FILTER (WHERE is_anomaly) AS n, md5(string_agg(concat_ws('|', timestamp, cpu, cpu_clean, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h FROM read_parquet('${dir}/data/*.parquet')`))[0];
    const labelled = await digest(two);
    expect(Number(labelled!['n'])).toBeGreaterThan(100);
    expect(labelled).toEqual(await digest(plain));
    // A class is the events' own rows (labelled or not) against the rest: no key repeats within one.
    const repeats = async (dir: string) => {
      const rows = `(SELECT device, tag, ((epoch_ms(timestamp) - ${Date.parse('2014-02-14T14:30:00Z')}) // 300000) AS row FROM read_parquet('${dir}/data/*.parquet'))`;
      const classed = `(SELECT device, tag, EXISTS (SELECT 1 FROM read_parquet('${dir}/anomalies.parquet') e WHERE row BETWEEN e.start_row AND e.end_row) AS cls FROM ${rows})`;
      return Number((await duck(`SELECT count(*) AS n FROM (SELECT cls, device, tag FROM ${classed} GROUP BY ALL HAVING count(*) > 1)`))[0]!['n']);
    };
    expect(await repeats(two)).toBe(0);
    expect(await repeats(plain)).toBeGreaterThan(1000);
    expect((await verify(two, { sampleBlocks: 2 })).problems).toEqual([]);
  }, 120_000);

  it('min_change needs label: changed and a number >= 0', () => {
    expect(() => scenario({ min_change: 0.2 })).toThrow(/anomalies\.min_change: applies with 'label: changed'/);
    expect(() => scenario({ label: 'changed', min_change: -1 })).toThrow(/anomalies\.min_change/);
  });
});

describe('the unchanged-label warning', () => {
  it('generate warns on stderr, exit 0, when more than 5% of labelled rows equal the clean series', () => {
    const dir = tempDir();
    const file = join(dir, 'flat.json');
    const doc = {
      seed: 24,
      timeline: { start: '2014-02-14T14:30:00Z', step: '5m', rows: 20_000 },
      anomalies: { frequency: 0.05, duration: [5, 30], kinds: [{ kind: 'flat_line' }] },
      variables: { cpu: { type: 'source', file: FLAT, column: 'value', timestamps: 'map' } },
    };
    writeFileSync(file, JSON.stringify(doc));
    const cli = (f: string, out: string) => spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'generate', f, '--out', join(dir, out), '--workers', '1'], { encoding: 'utf8' });
    const r = cli(file, 'warn');
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'warn/manifest.json'), 'utf8'));
    const { unchanged_rows: unchanged, anomalous_rows: labelled } = m.anomalies.realised;
    expect(unchanged).toBeGreaterThan(0.05 * labelled);
    expect(r.stderr).toContain(`paranom: warning: ${((100 * unchanged) / labelled).toFixed(1)}% of labelled rows (${unchanged} of ${labelled})`);
    expect(r.stdout).not.toContain('warning');

    // Labelling changed rows only leaves nothing to warn about.
    writeFileSync(file, JSON.stringify({ ...doc, anomalies: { ...doc.anomalies, label: 'changed' } }));
    const quiet = cli(file, 'quiet');
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('warning');

    // Beside uniqueness, where events can be measured, the warning advises both remedies; where
    // they cannot (a key with its own anomalous definition), neither (before: it advised both,
    // which validate then refused).
    const unique = { ...doc, uniqueness: { key: ['code'], normal: { mode: 'hard', tries: 50 }, anomalous: { mode: 'hard', tries: 50 } }, anomalies: { ...doc.anomalies, kinds: [{ kind: 'flat_line', variables: ['cpu'] }] }, variables: { ...doc.variables, code: { normal: { dist: 'integer', min: 0, max: 1e9 } } } };
    writeFileSync(file, JSON.stringify(unique));
    const u = cli(file, 'unique');
    expect(u.status, u.stderr).toBe(0);
    expect(u.stderr).toContain('of labelled rows');
    expect(u.stderr).toContain('Set anomalies.min_effect to redraw weak events, or anomalies.label: changed');
    writeFileSync(file, JSON.stringify({ ...unique, variables: { ...unique.variables, code: { normal: { dist: 'integer', min: 0, max: 1e9 }, anomalous: { dist: 'integer', min: 0, max: 1e9 } } } }));
    const own = cli(file, 'own');
    expect(own.status, own.stderr).toBe(0);
    expect(own.stderr).toContain('cannot run beside this uniqueness (validate says why): choose kinds and sizes that change every row they cover');
    expect(own.stderr).not.toContain('Set anomalies.');
  });

  it('names the cause when no variable can change at an event: validate and generate say so, exit 0', () => {
    const dir = tempDir();
    const file = join(dir, 'inert.json');
    const doc = {
      seed: 3,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 5_000 },
      anomalies: { frequency: 0.05, duration: [5, 10] },
      variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
    };
    writeFileSync(file, JSON.stringify(doc));
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/src/cli/main.js'), ...args], { encoding: 'utf8' });
    const cause = 'no variable can change at an event';
    const v = cli('validate', file);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toContain(`paranom: warning: ${file}: anomalies are placed and labelled, but ${cause}`);
    const g = cli('generate', file, '--out', join(dir, 'inert'), '--workers', '1');
    expect(g.status, g.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'inert/manifest.json'), 'utf8'));
    // Every labelled row holds its normal value: the warning gives the cause, not the share.
    expect(m.anomalies.realised.unchanged_rows).toBe(m.anomalies.realised.anomalous_rows);
    expect(g.stderr).toContain(cause);
    expect(g.stderr).toContain('`anomalous` definition');
    expect(g.stderr).not.toContain('of labelled rows');

    // An anomalous definition ends it.
    writeFileSync(file, JSON.stringify({ ...doc, variables: { x: { ...doc.variables.x, anomalous: { dist: 'uniform', min: 50, max: 60 } } } }));
    for (const r of [cli('validate', file), cli('generate', file, '--out', join(dir, 'live'), '--workers', '1')]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('warning');
    }
  });
});
