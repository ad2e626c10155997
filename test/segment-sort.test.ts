/**
 * A fleet whose shard order is not its segment table's (time-major, grown, a test split)
 * sorts its events through sorted runs written beside the table (run/segment-sort.ts over
 * run/external-sort.ts): with a spill threshold of a few events every case writes many runs,
 * merged in several passes, and the table has the bytes of the whole table sorted at once;
 * the runs are gone when the run ends; a run a kill left is the run's own, removed by the
 * next run, while a user's file of a like name is still refused.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExternalSort } from '../src/run/external-sort.js';
import { generate } from '../src/run/generate.js';
import { grow } from '../src/run/grow.js';
import { verify } from '../src/run/verify.js';
import { datasetSegments } from '../src/run/labels.js';
import { readManifest, SEGMENTS_FILE } from '../src/dataset/manifest.js';
import { shardMetadata } from '../src/dataset/provenance.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { isUniqueTempOf, uniqueTempName } from '../src/formats/unique-temp.js';
import { endRow, firstRow, type Scenario } from '../src/model/types.js';
import { scenarioFrom, tempDir } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('an external sort', () => {
  it('gives its records in order, every value as it was, through many runs merged in more than one pass, and leaves no run file', () => {
    const dir = tempDir();
    const beside = join(dir, 'table.parquet');
    const sort = new ExternalSort<{ k: number; v: number; s?: string | undefined }>(beside, (a, b) => a.k - b.k, 3);
    const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    const odd = [NaN, -0, Infinity, 1e-310];
    for (const k of keys) sort.add({ k, v: odd[k % 4]!, ...(k % 3 === 0 ? { s: undefined } : {}) });
    // 166 runs: more than one merge can take at once.
    expect(sort.spilled).toBe(166);
    expect(readdirSync(dir).every((n) => isUniqueTempOf(n, 'table.parquet'))).toBe(true);
    const out = [...sort.sorted()];
    expect(out.map((r) => r.k)).toEqual([...keys].sort((a, b) => a - b));
    for (const r of out) {
      expect(Object.is(r.v, odd[r.k % 4])).toBe(true);
      expect('s' in r).toBe(r.k % 3 === 0);
    }
    expect(sort.spilled).toBeGreaterThan(166);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes every run file when a merge pass fails part way (the group being merged included)', () => {
    const dir = tempDir();
    let failing = false;
    const sort = new ExternalSort<number>(join(dir, 't'), (a, b) => {
      if (failing) throw new Error('no space left on the device');
      return a - b;
    }, 1);
    for (let i = 0; i < 40; i++) sort.add(40 - i);
    expect(readdirSync(dir)).toHaveLength(40);
    failing = true;
    expect(() => [...sort.sorted()]).toThrow(/no space left/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes its run files when left before the end', () => {
    const dir = tempDir();
    const sort = new ExternalSort<number>(join(dir, 't'), (a, b) => a - b, 2);
    for (let i = 9; i >= 0; i--) sort.add(i);
    for (const x of sort.sorted()) if (x === 3) break;
    expect(readdirSync(dir)).toEqual([]);
  });
});

function fleet(order: 'time_entity' | 'entity_time', count = 12, rows = 6_000): Scenario {
  return scenarioFrom({
    name: 'sorted-fleet',
    seed: 21,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
    entities: { count, key: 'unit', order },
    anomalies: { frequency: 0.05, duration: [2, 8], kinds: [{ kind: 'spike', magnitude: [4, 8] }, { kind: 'level_shift', shift: [2, 5] }], outages: { frequency: 0.01, duration: [5, 20], share: 0.5, kind: 'flat_line' } },
    variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } }, y: { type: 'process', components: [{ type: 'sine', period: '1h', amplitude: 3 }, { type: 'noise', sd: 1 }] } },
  });
}

/** The segment table of `s` sorted whole, as it was written before the sort spilled. */
function wholeTable(s: Scenario): Uint8Array {
  const meta = shardMetadata(s, { index: -1, rowStart: firstRow(s.timeline), rowEnd: endRow(s.timeline) });
  return encodeParquet(datasetSegments(s).table, meta, 'snappy');
}

describe('a fleet in another order than its table writes the table through sorted runs, the whole table\'s bytes', () => {
  let runs: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    process.env['PARANOM_SEGMENT_SPILL_EVENTS'] = '5';
    runs = vi.spyOn(ExternalSort.prototype as unknown as { writeRun: () => void }, 'writeRun');
  });
  afterEach(() => {
    delete process.env['PARANOM_SEGMENT_SPILL_EVENTS'];
    runs.mockRestore();
  });

  const expectWhole = async (s: Scenario, out: string) => {
    expect(sha(readFileSync(join(out, SEGMENTS_FILE)))).toBe(sha(wholeTable(s)));
    expect(readManifest(out).anomalies.realised.events).toBe(datasetSegments(s).segments.length);
    // No sorted run is left beside the table.
    expect(readdirSync(out).filter((n) => isUniqueTempOf(n, SEGMENTS_FILE))).toEqual([]);
    expect((await verify(out, { sampleBlocks: 0 })).problems).toEqual([]);
  };

  it('time-major, with outages', async () => {
    const s = fleet('time_entity');
    const out = join(tempDir(), 'time');
    await generate(s, { out, workers: 2, shardRows: 65_536 });
    // Enough runs for a merge in two passes (more than 32).
    expect(runs.mock.calls.length).toBeGreaterThan(40);
    await expectWhole(s, out);
  }, 300_000);

  it('grown in entities and in rows', async () => {
    const out = join(tempDir(), 'grown');
    await generate(fleet('entity_time', 8, 4_000), { out, workers: 2, shardRows: 65_536 });
    runs.mockClear();
    await grow(out, { entities: 12, rows: 6_000 }, { workers: 2 });
    expect(runs.mock.calls.length).toBeGreaterThan(1);
    await expectWhole(fleet('entity_time'), out);
  }, 300_000);

  it('a later stretch of the timeline (a test split), whose run-in events come first', async () => {
    const base = fleet('entity_time');
    const s: Scenario = { ...base, timeline: { ...base.timeline, rows: 3_000, offset: 3_000 } };
    const out = join(tempDir(), 'test-split');
    await generate(s, { out, workers: 2, shardRows: 65_536 });
    expect(runs.mock.calls.length).toBeGreaterThan(1);
    await expectWhole(s, out);
  }, 300_000);
});

describe('sorted runs in the output directory', () => {
  it('are paranom\'s: a killed run\'s is removed by the next run, a user\'s file of a like name is refused', async () => {
    const out = join(tempDir(), 'left');
    mkdirSync(out);
    // The pid of a process that has ended.
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const left = uniqueTempName(join(out, SEGMENTS_FILE)).replace(`-${process.pid}-`, `-${ended}-`);
    writeFileSync(left, 'a sorted run a kill left');
    const s = fleet('time_entity', 4, 3_000);
    await generate(s, { out, workers: 1, shardRows: 65_536 });
    expect(existsSync(left)).toBe(false);
    expect(sha(readFileSync(join(out, SEGMENTS_FILE)))).toBe(sha(wholeTable(s)));

    const mine = join(tempDir(), 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, `${SEGMENTS_FILE}.paranom-notes.tmp`), 'mine');
    await expect(generate(s, { out: mine, workers: 1, shardRows: 65_536 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(join(mine, `${SEGMENTS_FILE}.paranom-notes.tmp`), 'utf8')).toBe('mine');
  }, 300_000);
});
