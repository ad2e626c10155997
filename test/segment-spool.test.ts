/**
 * A zstd segment table (parquet-wasm's codec) is written in bounded memory too: its pieces
 * of a page of events are spooled beside the table and encoded at the end by parquet-wasm's
 * streaming writer (run/segment-spool.ts). The table holds the whole table's values, the
 * same bytes for any worker count, verify finds it whole, and no spool is left behind — after
 * a run, and when encoding fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tableFromIPC, type Table } from 'apache-arrow';
import { PAGE_ROWS } from '../src/formats/parquet.js';
import { parquetWasm } from '../src/formats/parquet-wasm.js';
import { generate } from '../src/run/generate.js';
import { verify } from '../src/run/verify.js';
import { datasetSegments } from '../src/run/labels.js';
import { SEGMENTS_FILE } from '../src/dataset/manifest.js';
import { SegmentSpool } from '../src/run/segment-spool.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { denseEvents } from './dense-events.js';

const DENSE = denseEvents('dense-events-zstd');

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A table's rows as text, every value as it reads (bigints and timestamps included). */
function rowsOf(t: Table): string[] {
  return t.toArray().map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

const readTable = (path: string) => tableFromIPC(parquetWasm().readParquet(readFileSync(path)).intoIPCStream());

describe('a zstd segment table of many events', () => {
  it('is spooled a page of events at a time, holds the whole table\'s values, the same bytes for 1 and 2 workers, and verify finds it whole', async () => {
    const s = scenarioFrom(DENSE);
    const dir = tempDir();
    const add = vi.spyOn(SegmentSpool.prototype, 'add');
    const files: string[] = [];
    try {
      for (const workers of [2, 1]) {
        const out = join(dir, `w${workers}`);
        await generate(s, { out, workers, shardRows: 131_072, compression: 'zstd' });
        files.push(join(out, SEGMENTS_FILE));
        // Nothing but the dataset's own files: the spool is gone.
        expect(readdirSync(out).sort()).toEqual(['anomalies.parquet', 'data', 'manifest.json']);
      }
      const seen = add.mock.calls.map(([t]) => t.numRows);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(new Set(seen)).toEqual(new Set([PAGE_ROWS]));
    } finally {
      add.mockRestore();
    }
    expect(sha(readFileSync(files[1]!))).toBe(sha(readFileSync(files[0]!)));
    const whole = datasetSegments(s).table;
    expect(whole.numRows).toBeGreaterThan(PAGE_ROWS);
    const written = readTable(files[0]!);
    expect(written.schema.fields.map((f) => f.name)).toEqual(whole.schema.fields.map((f) => f.name));
    expect(rowsOf(written)).toEqual(rowsOf(whole));
    const checked = await verify(join(dir, 'w2'), { sampleBlocks: 0 });
    expect(checked.problems).toEqual([]);
  }, 300_000);
});

describe('the spool', () => {
  const table = () => datasetSegments(scenarioFrom({ ...DENSE, timeline: { ...DENSE.timeline, rows: 2_000 } })).table;

  it('is a temporary of the table\'s own name, removed when encoding ends and when the writer fails', async () => {
    const dir = tempDir();
    const beside = join(dir, SEGMENTS_FILE);
    const t = table();
    const ok = new SegmentSpool(beside);
    ok.add(t);
    const names = readdirSync(dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^anomalies\.parquet\.paranom-[0-9a-f]{8}-\d+-[0-9a-f]{12}\.tmp$/);
    const parts: Uint8Array[] = [];
    await ok.encode(t, new Map(), (b) => parts.push(b.slice()));
    expect(readdirSync(dir)).toEqual([]);
    // The spooled piece and the last one, in order.
    const back = tableFromIPC(parquetWasm().readParquet(Buffer.concat(parts)).intoIPCStream());
    expect(rowsOf(back)).toEqual([...rowsOf(t), ...rowsOf(t)]);

    const failing = new SegmentSpool(beside);
    failing.add(t);
    await expect(failing.encode(t, new Map(), () => {
      throw new Error('no space left on device');
    })).rejects.toThrow(/no space left/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is removed by remove(), once or twice', () => {
    const dir = tempDir();
    const spool = new SegmentSpool(join(dir, SEGMENTS_FILE));
    spool.add(table());
    spool.remove();
    spool.remove();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, SEGMENTS_FILE))).toBe(false);
  });
});
