/**
 * paranom's Parquet writer (src/formats/parquet.ts) against parquet-wasm's: the same
 * values read back, for every column type, nullable columns, irregular timestamps,
 * several row groups, both codecs; and the Snappy compressor against a reference decoder.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, DataType, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, TimestampMillisecond, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import { loadScenario } from '../src/reader/load.js';
import { generateShard } from '../src/generate/shard.js';
import { ColumnArena, countOnes } from '../src/columns/columns.js';
import { packBits, packRuns, shardTable } from '../src/formats/arrow-table.js';
import { encodeParquet, encodeParquetWasm, ParquetOutput, ROW_GROUP_ROWS } from '../src/formats/parquet.js';
import { matchLength, snappyCompress } from '../src/formats/snappy.js';
import { ByteSink } from '../src/formats/byte-sink.js';
import { encodeDeltaInt64 } from '../src/formats/parquet-encodings.js';
import { columnHashes, duck, scenarioFrom, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

function read(bytes: Uint8Array): Table {
  return tableFromIPC(pw.readParquet(bytes).intoIPCStream());
}

/** Column values as comparable JS values (dictionary columns decoded). */
function columns(t: Table): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of t.schema.fields) {
    const v = t.getChild(f.name)!;
    if (v.nullCount === 0 && !DataType.isDictionary(f.type) && !DataType.isBool(f.type)) {
      // Plain numbers: compare the value bytes (much faster than per-row get()).
      const a = v.toArray() as unknown;
      if (ArrayBuffer.isView(a)) {
        out[f.name] = [Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')];
        continue;
      }
    }
    const vals: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = v.get(i);
      vals.push(typeof x === 'bigint' ? x.toString() : x);
    }
    out[f.name] = vals;
  }
  return out;
}

function expectSameValues(a: Uint8Array, b: Uint8Array): void {
  const ta = read(a);
  const tb = read(b);
  expect(ta.numRows).toBe(tb.numRows);
  expect(ta.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual(tb.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`));
  expect(columns(ta)).toEqual(columns(tb));
}

/** Raw Snappy decoder (format description), to check the compressor. */
function snappyDecode(src: Uint8Array): Uint8Array {
  let p = 0;
  let len = 0;
  for (let shift = 1; ; shift *= 128) {
    const b = src[p++]!;
    len += (b & 127) * shift;
    if (b < 128) break;
  }
  const out = new Uint8Array(len);
  let o = 0;
  while (p < src.length) {
    const tag = src[p++]!;
    if ((tag & 3) === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let k = 0; k < bytes; k++) n |= src[p++]! << (8 * k);
      }
      n += 1;
      out.set(src.subarray(p, p + n), o);
      p += n;
      o += n;
    } else {
      let n: number;
      let off: number;
      if ((tag & 3) === 1) {
        n = ((tag >> 2) & 7) + 4;
        off = ((tag >> 5) << 8) | src[p++]!;
      } else if ((tag & 3) === 2) {
        n = (tag >> 2) + 1;
        off = src[p]! | (src[p + 1]! << 8);
        p += 2;
      } else throw new Error('4-byte offsets are never written');
      if (off === 0 || off > o) throw new Error(`bad offset ${off} at ${o}`);
      for (let k = 0; k < n; k++, o++) out[o] = out[o - off]!;
    }
  }
  if (o !== len) throw new Error(`decoded ${o} of ${len} bytes`);
  return out;
}

describe('snappy', () => {
  it('extends a match a word at a time to the length a byte-by-byte comparison finds', () => {
    let x = 99;
    const rand = () => (x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 2000; t++) {
      const n = 8 + Math.floor(rand() * 300);
      const offset = Math.floor(rand() * 5);
      const src = new Uint8Array(n + offset).subarray(offset);
      // Runs of few distinct bytes, so that matches of every length occur.
      for (let i = 0; i < n; i++) src[i] = rand() < 0.9 && i > 0 ? src[i - 1 - Math.floor(rand() * 3)] ?? 0 : Math.floor(rand() * 3);
      const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
      const candidate = Math.floor(rand() * (n - 1));
      const ip = candidate + 1 + Math.floor(rand() * (n - 1 - candidate));
      const to = ip + Math.floor(rand() * (n - ip + 1));
      let naive = 0;
      while (ip + naive < to && src[ip + naive] === src[candidate + naive]) naive++;
      expect(matchLength(src, words, candidate, ip, 0, to), `${n} bytes, ${candidate} → ${ip}, to ${to}`).toBe(naive);
    }
  });

  it('round-trips random, repetitive and mixed inputs of many sizes', () => {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    for (const n of [0, 1, 5, 15, 16, 17, 100, 4096, 65535, 65536, 65537, 200_000, 1_000_003]) {
      for (const mode of ['random', 'runs', 'mixed', 'text']) {
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          b[i] = mode === 'random' ? next() : mode === 'runs' ? (i >> 9) & 3 : mode === 'mixed' ? (i % 1000 < 500 ? next() : i & 15) : 'the quick brown fox '.charCodeAt(i % 20);
        }
        const c = snappyCompress(b);
        expect(Buffer.from(snappyDecode(c)).equals(Buffer.from(b)), `${mode} ${n}`).toBe(true);
        if (mode === 'runs' && n > 1000) expect(c.length).toBeLessThan(n / 10);
      }
    }
  });
});

describe("paranom's Parquet writer", () => {
  for (const name of ['reference-frequency', 'reference-count']) {
    it(`${name}: same values as parquet-wasm, snappy and none`, () => {
      const s = loadScenario(`test/fixtures/golden/${name}.yaml`);
      const cols = generateShard(s, 0, Math.min(s.timeline.rows, 150_000));
      const table = shardTable(cols);
      const meta = new Map([['paranom', '{"test":1}']]);
      for (const c of ['snappy', 'none'] as const) expectSameValues(encodeParquet(table, meta, c), encodeParquetWasm(table, meta, c));
    });
  }

  it('nullable value columns, an all-null and a no-null page, bool and int64 with nulls', () => {
    const s = loadScenario('test/fixtures/golden/reference-frequency.yaml');
    const rows = 140_000;
    const cols = generateShard(s, 0, rows);
    for (const [j, v] of cols.values.entries()) {
      const valid = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) valid[i] = i < 65_536 ? 0 : i < 131_072 ? 1 : (i * 7 + j) % 5 === 0 ? 0 : 1;
      v.valid = valid;
    }
    const table = shardTable(cols);
    const meta = new Map([['k', 'v']]);
    expectSameValues(encodeParquet(table, meta, 'snappy'), encodeParquetWasm(table, meta, 'snappy'));
  });

  it('labels packed and counted run by run equal the row-by-row bitmap and count', () => {
    let x = 12345;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099]) {
      for (const runs of [1, 3, 40, 5000]) {
        const bytes = new Uint8Array(n);
        // Runs of ones at arbitrary (unaligned) starts and lengths, some reaching the end.
        for (let r = 0; r < runs; r++) {
          const a = Math.floor(rand() * n);
          bytes.fill(1, a, Math.min(n, a + Math.floor(rand() * 20)));
        }
        if (runs === 3) bytes.fill(1, Math.floor(n / 2));
        expect(packRuns(bytes), `${n} rows, ${runs} runs`).toEqual(packBits(bytes));
        expect(countOnes(bytes)).toBe(bytes.reduce((a, b) => a + b, 0));
      }
    }
  });

  it('irregular and negative timestamps (delta encoding with wide deltas), several row groups', async () => {
    const n = ROW_GROUP_ROWS + 70_000;
    const ts = new BigInt64Array(n);
    const x = new Float64Array(n);
    const flag = new Uint8Array((n + 7) >> 3);
    let t = -86_400_000 * 365;
    for (let i = 0; i < n; i++) {
      t += i % 1000 === 999 ? -5_000_000_000 : (i * 2654435761) % 100_003;
      ts[i] = BigInt(t);
      x[i] = i % 3 === 0 ? 1.5 : Math.sin(i);
      if (i % 11 === 0) flag[i >> 3]! |= 1 << (i & 7);
    }
    const fields = [new Field('timestamp', new TimestampMillisecond('UTC'), false), new Field('x', new Float64(), false), new Field('flag', new Bool(), false), new Field('id', new Int64(), true)];
    const schema = new Schema(fields);
    const children: Data[] = [
      makeData({ type: new TimestampMillisecond('UTC'), length: n, data: ts }),
      makeData({ type: new Float64(), length: n, data: x }),
      makeData({ type: new Bool(), length: n, data: flag }),
      makeData({ type: new Int64(), length: n, data: ts.slice(), nullBitmap: flag.slice(), nullCount: n - Math.ceil(n / 11) }),
    ];
    const table = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 }))]);
    const meta = new Map([['k', 'v']]);
    const bytes = encodeParquet(table, meta, 'snappy');
    expect(pw.readParquet(bytes).recordBatches().length).toBeGreaterThanOrEqual(2);
    expectSameValues(bytes, encodeParquetWasm(table, meta, 'snappy'));
    // Each row group's timestamp statistics are its least and greatest values.
    const file = join(tempDir(), 'ts.parquet');
    writeFileSync(file, bytes);
    const stats = await duck(`SELECT row_group_id AS g, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 'timestamp' ORDER BY g`);
    const epochMs = (v: unknown): number => Date.parse(String(v).replace(' ', 'T').replace(/\+00$/, 'Z'));
    const expected = [0, ROW_GROUP_ROWS].map((g) => {
      const part = [...ts.subarray(g, g + ROW_GROUP_ROWS)];
      return { g: g / ROW_GROUP_ROWS, lo: Number(part.reduce((a, v) => (v < a ? v : a))), hi: Number(part.reduce((a, v) => (v > a ? v : a))) };
    });
    expect(stats.map((r) => ({ g: Number(r['g']), lo: epochMs(r['lo']), hi: epochMs(r['hi']) }))).toEqual(expected);
  });

  it('reused column and output buffers give the same values and bytes as fresh ones', () => {
    const s = loadScenario('test/fixtures/golden/reference-count.yaml');
    const arena = new ColumnArena();
    const output = new ParquetOutput();
    const meta = new Map([['k', 'v']]);
    for (const [a, b] of [[0, 70_000], [70_000, 131_072], [5, 9]] as const) {
      const fresh = generateShard(s, a, b);
      const freshBytes = Buffer.from(encodeParquet(shardTable(fresh), meta));
      const reused = generateShard(s, a, b, undefined, arena);
      expect(columnHashes(reused)).toEqual(columnHashes(fresh));
      expect(Buffer.from(encodeParquet(shardTable(reused), meta, 'snappy', output)).equals(freshBytes)).toBe(true);
    }
  });

  it('reused buffers across shards of mixed kinds, anomaly kinds and dropout give the values of fresh ones', () => {
    const s = scenarioFrom({
      seed: 11,
      timeline: { rows: 400_000 },
      anomalies: { frequency: 0.05, duration: [50, 300], kinds: [{ kind: 'spike', magnitude: 2, duration: 1 }, { kind: 'dropout', rate: 0.5 }, { kind: 'level_shift', shift: 3 }] },
      variables: {
        p: { type: 'process', components: [{ type: 'sine', period: 100, amplitude: 1 }, { type: 'noise', sd: 0.1 }] },
        id: { type: 'id', min: 1, max: 1e9 },
        x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'uniform', min: 5, max: 6 } },
        c: { normal: { dist: 'categorical', values: ['a', 'b'] } },
      },
    });
    const arena = new ColumnArena();
    // Consecutive shards of different sizes through one arena, each against a fresh generation.
    for (const [a, b] of [[0, 131_072], [131_072, 196_608], [196_608, 400_000], [5, 70_000]] as const) {
      const reused = columnHashes(generateShard(s, a, b, undefined, arena));
      expect(reused).toEqual(columnHashes(generateShard(s, a, b)));
    }
  });

  it('plain strings (the segment table): nulls, empty and multi-byte strings, empty tables; same values as parquet-wasm, read by DuckDB', async () => {
    const table = (n: number): Table => {
      const text = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? '' : i % 5 === 0 ? `niveau ${i} — ±${i / 4} °C` : `kind-${i % 3}`));
      const params = text.map((t, i) => (i % 3 === 0 ? null : `{"amount":${i},"label":${JSON.stringify(t)}}`));
      const fields = [new Field('id', new Int64(), false), new Field('kind', new Utf8(), false), new Field('params', new Utf8(), true), new Field('effect_rms', new Float64(), false), new Field('truncated', new Bool(), false)];
      const schema = new Schema(fields);
      const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 1000));
      const children: Data[] = [
        makeData({ type: new Int64(), length: n, data: ids }),
        vectorFromArray(text, new Utf8()).data[0]!,
        vectorFromArray(params, new Utf8()).data[0]!,
        makeData({ type: new Float64(), length: n, data: Float64Array.from({ length: n }, (_, i) => (i === 1 ? NaN : i / 3)) }),
        makeData({ type: new Bool(), length: n, data: Uint8Array.from({ length: (n + 7) >> 3 }, () => 0x55) }),
      ];
      return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 }))]);
    };
    const meta = new Map([['k', 'v']]);
    const dir = tempDir();
    for (const n of [0, 1, 40, 65_600]) {
      for (const c of ['snappy', 'none'] as const) {
        const own = encodeParquet(table(n), meta, c);
        // Not parquet-wasm's file (which would also pass the comparison below).
        expect(Buffer.from(own).equals(Buffer.from(encodeParquetWasm(table(n), meta, c))), `${n} ${c}`).toBe(false);
        expectSameValues(own, encodeParquetWasm(table(n), meta, c));
        writeFileSync(join(dir, `t${n}${c}.parquet`), own);
      }
      const [d] = await duck(`SELECT count(*)::INTEGER AS n, count(params)::INTEGER AS p, sum(length(kind))::INTEGER AS chars, string_agg(DISTINCT typeof(kind)) AS t FROM read_parquet('${dir}/t${n}snappy.parquet')`);
      const expected = table(n);
      const kinds = expected.getChild('kind')!.toArray() as string[];
      expect(d).toEqual({ n, p: (expected.getChild('params')!.toArray() as (string | null)[]).filter((x) => x !== null).length, chars: n === 0 ? null : kinds.reduce((a, k) => a + [...k].length, 0), t: n === 0 ? null : 'VARCHAR' });
    }
  });

  it('is deterministic: the same table gives the same bytes', () => {
    const s = loadScenario('test/fixtures/golden/reference-frequency.yaml');
    const t = shardTable(generateShard(s, 1000, 90_000));
    const meta = new Map([['paranom', '{}']]);
    expect(Buffer.from(encodeParquet(t, meta)).equals(Buffer.from(encodeParquet(t, meta)))).toBe(true);
  });
});

/**
 * DELTA_BINARY_PACKED as the Parquet format describes it, in BigInt: blocks of 128 deltas
 * in 4 miniblocks of 32, each block's minimum delta zigzag-encoded, then each miniblock's
 * bit width and its deltas minus the minimum packed LSB first.
 */
function referenceDelta(values: readonly bigint[]): Uint8Array {
  const out: number[] = [];
  const varint = (v: bigint): void => {
    for (; v >= 128n; v >>= 7n) out.push(Number(v & 127n) | 128);
    out.push(Number(v));
  };
  const zigzag = (v: bigint): bigint => (v >= 0n ? 2n * v : -2n * v - 1n);
  varint(128n);
  varint(4n);
  varint(BigInt(values.length));
  varint(zigzag(values[0]!));
  const deltas = values.slice(1).map((v, i) => v - values[i]!);
  for (let b = 0; b < deltas.length; b += 128) {
    const block = deltas.slice(b, b + 128);
    const min = block.reduce((a, d) => (d < a ? d : a));
    varint(zigzag(min));
    const widths = [0, 1, 2, 3].map((m) => {
      const mini = block.slice(32 * m, 32 * m + 32);
      return mini.length === 0 ? 0 : mini.reduce((a, d) => (d - min > a ? d - min : a), 0n).toString(2).replace(/^0$/, '').length;
    });
    out.push(...widths);
    for (let m = 0; m < 4; m++) {
      if (widths[m] === 0) continue;
      let acc = 0n;
      let bits = 0n;
      for (let k = 32 * m; k < 32 * m + 32; k++) {
        acc |= (k < block.length ? block[k]! - min : 0n) << bits;
        bits += BigInt(widths[m]!);
      }
      for (let i = 0n; i < bits; i += 8n) out.push(Number((acc >> i) & 255n));
    }
  }
  return Uint8Array.from(out);
}

describe('DELTA_BINARY_PACKED timestamps', () => {
  const encode = (values: readonly bigint[]): Uint8Array | null => {
    const sink = new ByteSink(16);
    const w = new Int32Array(BigInt64Array.from(values).buffer);
    return encodeDeltaInt64(sink, w, 0, values.length) ? sink.bytes().slice() : null;
  };
  const steps = (first: bigint, d: bigint, n: number): bigint[] => Array.from({ length: n }, (_, i) => first + BigInt(i) * d);

  it('regular steps (one delta throughout) are encoded as the format describes, across low-word carries and borrows', () => {
    const cases: Array<[string, bigint[]]> = [
      ['100 ms from 2024', steps(1_704_067_200_000n, 100n, 65_536)],
      ['one row', [1_704_067_200_000n]],
      ['two rows', steps(5n, 3n, 2)],
      ['129 and 130 rows (a block and a bit)', steps(-7n, 1n, 129)],
      ['130 rows', steps(0n, 0n, 130)],
      ['descending', steps(1_704_067_200_000n, -60_000n, 1000)],
      ['negative values', steps(-86_400_000n * 365n, 1000n, 300)],
      ['each step carries into the high word', steps(4_294_967_000n, 4_294_967_295n, 500)],
      ['each step borrows from the high word', steps(2n ** 52n, -4_294_967_297n, 500)],
      ['the largest safe values', steps(2n ** 53n - 1n - 999n * 3n, 3n, 1000)],
    ];
    for (const [what, values] of cases) expect(encode(values), what).toEqual(referenceDelta(values));
  });

  it('irregular steps, one odd delta, and steps that leave the exact range', () => {
    const odd = steps(1_704_067_200_000n, 100n, 1000);
    odd[700] = odd[700]! + 1n;
    expect(encode(odd)).toEqual(referenceDelta(odd));
    const jitter = Array.from({ length: 777 }, (_, i) => 1_000_000n + BigInt(i * 1000 + ((i * 7919) % 13)));
    expect(encode(jitter)).toEqual(referenceDelta(jitter));
    // Beyond 2^53 the encoder declines (the caller writes PLAIN), regular or not.
    expect(encode(steps(2n ** 53n - 10n, 3n, 10))).toBeNull();
    // A delta of 2^62 wraps around 2^64 and back to small values: not a regular timeline.
    expect(encode(steps(0n, 2n ** 62n, 5).map((v) => BigInt.asIntN(64, v)))).toBeNull();
  });

  it("wide miniblocks of every width, as a fleet's timestamps jumping back at each entity", () => {
    // Entities of 1,000 one-minute rows from 2024: every 1,000th delta jumps back (~26-bit miniblocks).
    const fleet = Array.from({ length: 5000 }, (_, i) => 1_704_067_200_000n + BigInt(i % 1000) * 60_000n);
    expect(encode(fleet)).toEqual(referenceDelta(fleet));
    // Blocks of one delta beside blocks with a jump, at every position against the 128-value blocks.
    for (const rows of [1, 2, 37, 127, 128, 129, 256, 257]) {
      const short = Array.from({ length: 3000 }, (_, i) => 1_704_067_200_000n + BigInt(i % rows) * 60_000n);
      expect(encode(short), `entities of ${rows} rows`).toEqual(referenceDelta(short));
    }
    // The largest safe values, in blocks of one delta: still DELTA_BINARY_PACKED, as the reference writes it.
    const top = Array.from({ length: 600 }, (_, i) => 2n ** 53n - 1n - BigInt(i % 300) * 7n);
    expect(encode(top)).toEqual(referenceDelta(top));
    // Random walks with steps of every magnitude up to 2^44 (deltas of up to 45 bits), and negative values.
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    for (const scale of [1, 2 ** 7, 2 ** 15, 2 ** 16, 2 ** 17, 2 ** 24, 2 ** 31, 2 ** 33, 2 ** 40, 2 ** 44]) {
      let v = -Math.floor(rand() * 2 ** 40);
      const walk = Array.from({ length: 1 + Math.floor(rand() * 700) }, () => BigInt((v += Math.floor((rand() - 0.5) * scale))));
      expect(encode(walk), `steps of ${scale}`).toEqual(referenceDelta(walk));
    }
  });
});
