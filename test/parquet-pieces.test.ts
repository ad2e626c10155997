/**
 * A Parquet file written from pieces of a table (formats/parquet-stream.ts) is byte for
 * byte the file `encodeParquet` writes for the whole table: over several data pages and
 * several row groups, with nullable strings and timestamp statistics gathered page by
 * page, for both codecs; and `generate` writes a segment table of many pages that way —
 * the same bytes, verified, while no piece it encodes holds more than a page of events —
 * for a single series, for a fleet whose shards run entity by entity, and for a time-major
 * fleet, whose events are sorted into the table's order on the way.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Bool, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { encodeParquet, PAGE_ROWS, ROW_GROUP_ROWS } from '../src/formats/parquet.js';
import { ParquetPieceWriter } from '../src/formats/parquet-stream.js';
import { generate } from '../src/run/generate.js';
import { verify } from '../src/run/verify.js';
import { datasetSegments } from '../src/run/labels.js';
import { readManifest, SEGMENTS_FILE } from '../src/dataset/manifest.js';
import { shardMetadata } from '../src/dataset/provenance.js';
import { endRow, firstRow } from '../src/model/types.js';
import * as streamModule from '../src/formats/parquet-stream.js';
import { planGeneration } from '../src/plan/planner.js';
import { SegmentFeed } from '../src/run/segment-feed.js';
import { scenarioFrom, tempDir } from './helpers.js';
import { denseEvents } from './dense-events.js';

/** Rows [from, to) of a table with the segment table's kinds of column, some of them irregular. */
function synthetic(from: number, to: number): Table {
  const n = to - from;
  const ids = new BigInt64Array(n);
  const times = new BigInt64Array(n);
  const rms = new Float64Array(n);
  const flags = new Uint8Array((n + 7) >> 3);
  const names: string[] = [];
  const params: Array<string | null> = [];
  for (let i = 0; i < n; i++) {
    const r = from + i;
    ids[i] = BigInt(r * 7);
    // Not monotone: each page's minimum and maximum lie inside it, not at its ends.
    times[i] = BigInt(1_700_000_000_000 + ((r * 7919) % 1_000_003) * 1000);
    rms[i] = Math.sin(r) * 3;
    if (r % 3 === 0) flags[i >> 3]! |= 1 << (i & 7);
    names.push(r % 5 === 0 ? 'level_shift' : 'spike');
    params.push(r % 4 === 0 ? null : `{"magnitude":${(r % 97) / 10}}`);
  }
  const fields = [
    new Field('id', new Int64(), false),
    new Field('kind', new Utf8(), false),
    new Field('start_time', new TimestampMillisecond('UTC'), false),
    new Field('truncated', new Bool(), false),
    new Field('params', new Utf8(), true),
    new Field('effect_rms', new Float64(), false),
  ];
  const children: Data[] = [
    makeData({ type: new Int64(), length: n, data: ids }),
    vectorFromArray(names, new Utf8()).data[0]!,
    makeData({ type: new TimestampMillisecond('UTC'), length: n, data: times }),
    makeData({ type: new Bool(), length: n, data: flags }),
    vectorFromArray(params, new Utf8()).data[0]!,
    makeData({ type: new Float64(), length: n, data: rms }),
  ];
  const schema = new Schema(fields);
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 }))]);
}

/** The file the piece writer gives for `pieces`, in one array. */
function written(pieces: Iterable<Table>, metadata: Map<string, string>, compression: 'snappy' | 'none', like?: Table, groupRows = ROW_GROUP_ROWS): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new ParquetPieceWriter((b) => parts.push(b.slice()), metadata, compression, groupRows);
  for (const p of pieces) w.add(p);
  w.end(like);
  return Buffer.concat(parts);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('a Parquet file written from pieces', () => {
  const meta = new Map([['paranom', '{"seed":1}']]);

  it('is byte for byte the whole table\'s file, over several pages and row groups, both codecs', () => {
    // Row groups of two pages (as encodeParquet can be asked to cut them): two whole groups
    // and a part of a third, its last page short.
    const groupRows = 2 * PAGE_ROWS;
    const rows = 5 * PAGE_ROWS + 1234;
    const whole = synthetic(0, rows);
    // Pieces of one page, and of three pages (across a row group's end).
    const inPages = (pageCount: number) => {
      const list: Table[] = [];
      for (let r = 0; r < rows; r += pageCount * PAGE_ROWS) list.push(synthetic(r, Math.min(rows, r + pageCount * PAGE_ROWS)));
      return list;
    };
    const cuts = [inPages(1), inPages(3)];
    for (const compression of ['snappy', 'none'] as const) {
      const want = encodeParquet(whole, meta, compression, undefined, groupRows);
      // The table's own constants too: one row group of all its pages.
      const wantOneGroup = encodeParquet(whole, meta, compression);
      expect(sha(want)).not.toBe(sha(wantOneGroup));
      for (const pieces of cuts) {
        expect(sha(written(pieces, meta, compression, undefined, groupRows))).toBe(sha(want));
        expect(sha(written(pieces, meta, compression))).toBe(sha(wantOneGroup));
      }
    }
  }, 120_000);

  it('writes an empty table as the whole table\'s file (a schema and no row group)', () => {
    const empty = synthetic(0, 0);
    expect(sha(written([], meta, 'snappy', empty))).toBe(sha(encodeParquet(empty, meta, 'snappy')));
    expect(sha(written([empty], meta, 'none'))).toBe(sha(encodeParquet(empty, meta, 'none')));
  });

  it('refuses rows after a piece that ended inside a page, and a piece of another schema', () => {
    const w = new ParquetPieceWriter(() => undefined, meta, 'snappy');
    w.add(synthetic(0, 100));
    expect(() => w.add(synthetic(100, 200))).toThrow(/ended inside a page/);
    const v = new ParquetPieceWriter(() => undefined, meta, 'snappy');
    v.add(synthetic(0, PAGE_ROWS));
    const other = new Table({ id: vectorFromArray([1, 2]) });
    expect(() => v.add(other)).toThrow(/another schema/);
  });
});

const DENSE = denseEvents('dense-events');

describe('generate writes the segment table a page of events at a time', () => {
  it('gives the whole table\'s bytes, never encoding more than a page of events at once, and verify finds them', async () => {
    const s = scenarioFrom(DENSE);
    const { whole, manifest } = await expectPagedTable(s, 262_144);
    expect(manifest.anomalies.realised.truncated_events).toBe(whole.segments.filter((x) => x.event.truncated).length);
  }, 300_000);
});

/**
 * Generates `s` and checks that its segment table was written a page of events at a time,
 * with the whole table's bytes and event count, and that verify finds nothing wrong.
 */
async function expectPagedTable(s: ReturnType<typeof scenarioFrom>, shardRows: number) {
  const out = join(tempDir(), 'paged');
  const add = vi.spyOn(streamModule.ParquetPieceWriter.prototype, 'add');
  try {
    await generate(s, { out, workers: 2, shardRows });
    const seen = add.mock.calls.map(([t]) => t.numRows);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...seen)).toBe(PAGE_ROWS);
  } finally {
    add.mockRestore();
  }
  const manifest = readManifest(out);
  const whole = datasetSegments(s);
  expect(whole.table.numRows).toBeGreaterThan(PAGE_ROWS);
  expect(manifest.anomalies.realised.events).toBe(whole.table.numRows);
  const segMeta = shardMetadata(s, { index: -1, rowStart: firstRow(s.timeline), rowEnd: endRow(s.timeline) });
  expect(sha(readFileSync(join(out, SEGMENTS_FILE)))).toBe(sha(encodeParquet(whole.table, segMeta, 'snappy')));
  const checked = await verify(out, { sampleBlocks: 0 });
  expect(checked.problems).toEqual([]);
  return { whole, manifest };
}

/** A fleet whose events outnumber a page: entity names, outages, `count`-free placement. */
function denseFleet(entities: string[] | number, rows: number) {
  return {
    name: 'dense-fleet',
    seed: 6,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
    entities: typeof entities === 'number' ? { count: entities, key: 'unit' } : { names: entities, key: 'host' },
    anomalies: { ...DENSE.anomalies, outages: { frequency: 0.01, duration: [5, 20], share: 0.5, kind: 'flat_line' } },
    variables: DENSE.variables,
  };
}

describe('a fleet whose shards run entity by entity writes its segment table a page of events at a time', () => {
  // Entities spanning several shards each, and many entities to a shard.
  for (const [label, fleet, rows, shardRows] of [
    ['entities across shards', ['alpha', 'beta', 'gamma', 'delta'], 125_000, 65_536],
    ['many entities to a shard', 50, 10_000, 262_144],
  ] as const) {
    it(`gives the whole table's bytes (${label}), never a piece over a page, and verify finds them`, async () => {
      const { whole } = await expectPagedTable(scenarioFrom(denseFleet(fleet as string[] | number, rows)), shardRows);
      // Outages are rows of the table too: the last ones.
      expect(whole.table.getChild(typeof fleet === 'number' ? 'unit' : 'host')!.get(whole.table.numRows - 1)).toBeNull();
    }, 300_000);
  }

  it('writes a time-major fleet\'s events sorted entity by entity, a page at a time too (through sorted runs, segment-sort.ts)', async () => {
    const spec = denseFleet(30, 30_000);
    await expectPagedTable(scenarioFrom({ ...spec, entities: { ...spec.entities, order: 'time_entity' } }), 65_536);
  }, 300_000);
});

describe('which fleets stream their segment table', () => {
  const plan = (spec: ReturnType<typeof denseFleet> | Record<string, unknown>, shardRows: number, grownFrom?: NonNullable<Parameters<typeof planGeneration>[1]>['grownFrom']) => {
    const s = scenarioFrom(spec);
    return { s, p: planGeneration(s, { shardRows, ...(grownFrom ? { grownFrom } : {}) }) };
  };
  it('an entity-major fresh fleet does, however its shards are cut; a time-major one does not', () => {
    for (const [n, rows, shardRows] of [[4, 125_000, 65_536], [50, 10_000, 262_144], [3, 65_536, 65_536]] as const) {
      const { s, p } = plan(denseFleet(n, rows), shardRows);
      expect(SegmentFeed.streams(s, p)).toBe(true);
    }
    const spec = denseFleet(30, 3_000);
    const { s, p } = plan({ ...spec, entities: { ...spec.entities, order: 'time_entity' } }, 65_536);
    expect(p.shards.length).toBeGreaterThan(1);
    expect(SegmentFeed.streams(s, p)).toBe(false);
  });
  it('a fleet grown in rows, whose later rows of the first entities come after every entity\'s first rows, does not', () => {
    const spec = denseFleet(50, 10_000);
    const old = plan({ ...spec, timeline: { ...spec.timeline, rows: 5_000 } }, 262_144).p;
    const grownFrom = { entities: 50, rows: 5_000, shards: old.shards };
    const { s, p } = plan(spec, 262_144, grownFrom);
    expect(SegmentFeed.streams(s, p)).toBe(false);
  });
});
