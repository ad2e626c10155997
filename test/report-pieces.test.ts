/**
 * A report reads each shard from disk a piece at a time, and only the columns it draws: a
 * Parquet shard whose other columns are damaged still reports, parquet-wasm is never handed
 * more than a piece, no shard is read whole in any format, and the page is the same
 * whatever the pieces (or the threads).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generate } from '../src/run/generate.js';
import { datasetReport } from '../src/report/dataset.js';
import { parquetWasm } from '../src/formats/parquet-wasm.js';
import { parquetColumns, parquetChunkStarts } from '../src/formats/parquet-batches.js';
import { readManifest } from '../src/dataset/manifest.js';
import { reportLayout } from '../src/report/layout.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { KINDS_SCENARIO } from './report-scenario.js';

// Every read of a whole file, and every read of part of one, seen: a test can tell that no
// shard was read whole, and how much of one a read took.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, readFileSync: vi.fn(real.readFileSync), readSync: vi.fn(real.readSync) };
});

const SHARD_ROWS = 262_144;

/** The KINDS scenario over `rows` rows, in `format`, in shards of SHARD_ROWS rows. */
async function dataset(format: 'parquet' | 'arrow' | 'csv', rows: number): Promise<string> {
  const dir = join(tempDir(), format);
  await generate(scenarioFrom({ ...KINDS_SCENARIO, timeline: { ...KINDS_SCENARIO.timeline, rows } }), { out: dir, workers: 1, format, shardRows: SHARD_ROWS });
  return dir;
}

/** Whole-file reads of the dataset's shards since the mock was last cleared. */
function wholeShardReads(dir: string): string[] {
  return vi.mocked(fs.readFileSync).mock.calls.map(([p]) => String(p)).filter((p) => p.startsWith(join(dir, 'data')));
}

describe('a report reads a shard in pieces', () => {
  it("of a Parquet shard, reads only the columns it draws (before: every column, so damage in the timestamps' bytes made the dataset unreportable)", async () => {
    const dir = await dataset('parquet', 200_000);
    const intact = await datasetReport(dir);
    const shard = join(dir, 'data', 'part-00000.parquet');
    const { columns } = parquetColumns(shard);
    const layout = reportLayout(readManifest(dir));
    const drawn = new Set(['is_anomaly', ...layout.numericColumns, ...layout.categorical.map((c) => c.name)]);
    const undrawn = columns.flatMap((c, k) => (drawn.has(c) ? [] : [k]));
    expect(columns[undrawn[0]!]).toBe('timestamp');
    // Each undrawn column's chunk overwritten (all but the group's last chunk, whose end the
    // next chunk's start does not give): same size, so the manifest's byte count still holds.
    const bytes = readFileSync(shard);
    const [group] = parquetChunkStarts(shard);
    let damaged = 0;
    for (const k of undrawn) {
      if (k + 1 >= group!.starts.length) continue;
      bytes.fill(0xff, group!.starts[k]!, group!.starts[k + 1]!);
      damaged++;
    }
    expect(damaged).toBeGreaterThan(0);
    writeFileSync(shard, bytes);
    expect(await datasetReport(dir)).toEqual(intact);
  });

  it('hands parquet-wasm a piece of a Parquet shard at a time, never the shard (before: the whole shard, and again per slice)', async () => {
    const dir = await dataset('parquet', SHARD_ROWS);
    const whole = await datasetReport(dir);
    const shardBytes = statSync(join(dir, 'data', 'part-00000.parquet')).size;
    const segmentBytes = statSync(join(dir, 'anomalies.parquet')).size;
    const wasm = parquetWasm();
    const spy = vi.spyOn(wasm, 'readParquet');
    try {
      // One 65,536-row page of each drawn column a piece: four pieces of this shard.
      const paged = await datasetReport(dir, { pieces: { values: 1 } });
      const handed = spy.mock.calls.map(([b]) => b.length).filter((n) => n !== segmentBytes);
      expect(handed).toHaveLength(4);
      expect(Math.max(...handed)).toBeLessThan(shardBytes / 3);
      expect(paged).toEqual(whole);
    } finally {
      spy.mockRestore();
    }
  });

  it('in every format, reads no shard whole, a piece at a time, and draws the same page whatever the pieces or threads (before: each shard read whole; an Arrow shard, one record batch, held whole)', async () => {
    for (const format of ['parquet', 'arrow', 'csv'] as const) {
      // Two shards, the second shorter and ending inside a page; CSV pieces of 4 KiB end inside records and chunks.
      const dir = await dataset(format, 2 * SHARD_ROWS - 70_000);
      const shards = readManifest(dir).shards.map((s) => s.bytes);
      vi.mocked(fs.readFileSync).mockClear();
      const base = await datasetReport(dir);
      const small = { values: 1, csvBytes: 4096 };
      vi.mocked(fs.readSync).mockClear();
      expect(await datasetReport(dir, { pieces: small }), format).toEqual(base);
      const reads = vi.mocked(fs.readSync).mock.calls.map((c) => (c as unknown[])[3] as number);
      expect(Math.max(...reads), format).toBeLessThan(Math.min(...shards) / 3);
      if (format === 'arrow') {
        // The timestamps (8 bytes a row), which the report does not draw, are not read.
        expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(shards.reduce((a, b) => a + b, 0) - 8 * (2 * SHARD_ROWS - 70_000));
      }
      expect(await datasetReport(dir, { pieces: small, workers: 2 }), format).toEqual(base);
      expect(wholeShardReads(dir), format).toEqual([]);
    }
  });
});
