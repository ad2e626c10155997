/**
 * The determinism contract (README, "The determinism contract"): D1 position not stream, D2 layout independence,
 * D3 prefix stability, D4 column stability — checked on the in-memory columns, which are
 * exactly what the writers encode.
 */
import { describe, expect, it } from 'vitest';
import { generateShard } from '../src/generate/shard.js';
import { planGeneration } from '../src/plan/planner.js';
import { BLOCK_ROWS } from '../src/format.js';
import { columnHashes, concatColumn, scenarioFrom, VALVE } from './helpers.js';

const scenario = scenarioFrom(VALVE);
const rows = scenario.timeline.rows;

function generateWithShardRows(s: typeof scenario, shardRows: number) {
  return planGeneration(s, { shardRows }).shards.map((sh) => generateShard(s, sh.rowStart, sh.rowEnd));
}

/** Hashes of each column over the whole dataset, however it was split. */
function datasetHashes(shards: ReturnType<typeof generateShard>[]) {
  const whole = {
    rowStart: 0,
    rows: shards.reduce((a, s) => a + s.rows, 0),
    timestamp: new Int32Array(concatColumn(shards, (s) => s.timestamp).buffer.slice(0)),
    isAnomaly: new Uint8Array(concatColumn(shards, (s) => s.isAnomaly)),
    anomalyId: new Int32Array(new Uint8Array(concatColumn(shards, (s) => s.anomalyId)).buffer),
    values: shards[0]!.values.map((v, j) => ({ ...v, data: new Uint8Array(concatColumn(shards, (s) => s.values[j]!.data)) })),
    events: [],
  };
  return columnHashes(whole);
}

describe('D2 layout independence', () => {
  it('gives the same column bytes for one shard, whole blocks, and a shard size that does not divide the rows', () => {
    const one = generateWithShardRows(scenario, rows + BLOCK_ROWS);
    expect(one).toHaveLength(1);
    const blocks = generateWithShardRows(scenario, BLOCK_ROWS);
    expect(blocks.length).toBe(Math.ceil(rows / BLOCK_ROWS));
    const h1 = datasetHashes(one);
    expect(datasetHashes(blocks)).toEqual(h1);
    // Arbitrary split points, including odd row offsets, cutting through anomaly events.
    const cuts = [0, 1, 777, 65_537, 120_001, 150_000, rows];
    const irregular = cuts.slice(1).map((end, i) => generateShard(scenario, cuts[i]!, end));
    expect(datasetHashes(irregular)).toEqual(h1);
  });

  it('labels an event that straddles a shard boundary on both sides', () => {
    const whole = generateShard(scenario, 0, rows);
    let inside = -1;
    for (const e of whole.events) if (e.end - e.start > 2) inside = Math.floor((e.start + e.end) / 2);
    expect(inside).toBeGreaterThan(0);
    const left = generateShard(scenario, 0, inside);
    const right = generateShard(scenario, inside, rows);
    expect(left.isAnomaly[inside - 1]).toBe(1);
    expect(right.isAnomaly[0]).toBe(1);
    expect(right.events[0]!.start).toBeLessThan(inside);
  });
});

describe('D1 position, not stream', () => {
  it('the same scenario and seed give the same values; another seed gives others', () => {
    const a = columnHashes(generateShard(scenario, 1000, 3000));
    const b = columnHashes(generateShard(scenario, 1000, 3000));
    expect(a).toEqual(b);
    const c = columnHashes(generateShard({ ...scenario, seed: 43 }, 1000, 3000));
    expect(c['temperature']).not.toBe(a['temperature']);
    expect(c['timestamp']).toBe(a['timestamp']);
  });
});

describe('D3 prefix stability', () => {
  it('rows 0..N-1 of an N-row dataset equal the first N rows of a 3N-row one', () => {
    const n = 70_001; // not a whole number of blocks
    const small = generateShard({ ...scenario, timeline: { ...scenario.timeline, rows: n } }, 0, n);
    const big = generateShard({ ...scenario, timeline: { ...scenario.timeline, rows: 3 * n } }, 0, n);
    expect(columnHashes(small)).toEqual(columnHashes(big));
  });

  it('an event cut by the end of the timeline is marked truncated and completes when grown', () => {
    const whole = generateShard(scenario, 0, rows);
    const e = whole.events.find((x) => x.end - x.start > 10)!;
    const cutAt = e.start + 5;
    const cut = generateShard({ ...scenario, timeline: { ...scenario.timeline, rows: cutAt } }, 0, cutAt);
    const last = cut.events[cut.events.length - 1]!;
    expect(last.id).toBe(e.id);
    expect(last.truncated).toBe(true);
    expect(last.end).toBe(cutAt);
    expect(e.truncated).toBe(false);
  });
});

describe('D4 column stability', () => {
  it('adding, removing and reordering variables leaves the other columns unchanged', () => {
    const base = columnHashes(generateShard(scenario, 0, 50_000));
    const vars = VALVE.variables;
    const reordered = scenarioFrom({
      ...VALVE,
      variables: { extra: { normal: { dist: 'uniform', min: 0, max: 1 } }, door_open: vars.door_open, temperature: vars.temperature, state: vars.state },
    });
    const h = columnHashes(generateShard(reordered, 0, 50_000));
    for (const k of ['temperature', 'state', 'door_open', 'is_anomaly', 'anomaly_id', 'timestamp']) expect(h[k], k).toBe(base[k]);
  });
});
