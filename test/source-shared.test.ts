/**
 * A source file is read and parsed once, on the main thread, hashed as it is parsed, into
 * columns in shared memory that every worker task carries: the workers never open the
 * file. Shown by what a worker that read the file would meet: a file removed after the
 * scenario was loaded (each run then on a fresh pool, whose workers have read nothing), or
 * replaced by other numbers, changes nothing in any run that replays it — shards,
 * uniqueness, fleets, splits, streams — and the dataset keeps the version its scenario
 * recorded (D5). The CSV reader's pieces come from the disk one at a time.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { generateSplits } from '../src/run/splits.js';
import { streamRows } from '../src/run/stream.js';
import { loadScenario } from '../src/reader/load.js';
import { readManifest } from '../src/dataset/manifest.js';
import { sourceShares } from '../src/variables/source-share.js';
import { csvRecords, forEachCsvFilePiece } from '../src/input/csv-line.js';
import type { Scenario } from '../src/model/types.js';
import { tempDir } from './helpers.js';

/** Row i of the series, scaled. */
const seriesValue = (scale: number, i: number) => (scale * (50 + 10 * Math.sin(i / 229))).toFixed(3);

/** 3,000 rows a minute apart: a quoted header, a daily wave. */
function seriesCsv(scale: number): string {
  const rows = Array.from({ length: 3000 }, (_, i) => `${new Date(Date.UTC(2023, 5, 1) + i * 60_000).toISOString()},${seriesValue(scale, i)}\n`);
  return '"timestamp","value"\n' + rows.join('');
}

const SOURCE = { type: 'source', file: 'series.csv', column: 'value', timestamps: 'map', drift: { offset: 1, gain: 0.1, every: 500 } };
const KINDS = [{ kind: 'spike', magnitude: [5, 10], variables: ['cpu'] }, { kind: 'level_shift', shift: [3, 6], variables: ['cpu'] }];

/** Scenarios that replay the source through each kind of worker task. */
const DOCS: Record<string, object> = {
  // Three shards on two workers, uniqueness's fingerprint tasks, the clean twin, drift, mapped timestamps.
  dataset: {
    seed: 7,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 140_000 },
    anomalies: { frequency: 0.002, duration: [5, 20], kinds: KINDS, clean_twin: true },
    uniqueness: { key: ['k'], normal: { mode: 'soft', tries: 4 }, anomalous: { mode: 'soft', tries: 4 } },
    variables: { cpu: SOURCE, k: { normal: { dist: 'integer', min: 0, max: 1000000 } } },
  },
  fleet: {
    seed: 8,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 40_000 },
    entities: { count: 3, key: 'host' },
    anomalies: { frequency: 0.002, duration: [5, 20], kinds: KINDS },
    variables: { cpu: { ...SOURCE, offset: { per_entity: { dist: 'integer', min: 0, max: 2000 } }, timestamps: 'ignore' } },
  },
  splits: {
    seed: 9,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 140_000 },
    splits: { train: 0.6 },
    anomalies: { frequency: 0.002, duration: [5, 20], kinds: KINDS },
    variables: { cpu: SOURCE },
  },
};

/** A scenario file and its source in a fresh directory, loaded (the main thread reads the source here). */
function loaded(doc: object): { dir: string; source: string; scenario: Scenario } {
  const dir = tempDir('paranom-source-shared-');
  writeFileSync(join(dir, 'series.csv'), seriesCsv(1));
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(doc));
  return { dir, source: join(dir, 'series.csv'), scenario: loadScenario(join(dir, 'scenario.json')) };
}

/** Every file's SHA-256 under a dataset (shards, segment table), by name; the manifest as written. */
function datasetHashes(out: string): Record<string, string> {
  const m = readManifest(out);
  return Object.fromEntries(m.shards.map((s) => [s.file, s.sha256]));
}

async function run(name: string, s: Scenario, out: string): Promise<unknown> {
  if (name === 'splits') {
    const r = await generateSplits(s, { out, workers: 2, shardRows: 65_536 });
    return r.index.splits.map((x) => datasetHashes(join(out, x.name)));
  }
  await generate(s, { out, workers: 2, shardRows: 65_536 });
  return { shards: datasetHashes(out), segments: createHash('sha256').update(readFileSync(join(out, 'anomalies.parquet'))).digest('hex') };
}

async function streamed(s: Scenario): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await streamRows(s, { out, format: 'csv', workers: 2 });
  return createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
}

describe('a source file is parsed once, on the main thread', () => {
  for (const name of Object.keys(DOCS)) {
    it(`${name}: removed after the scenario was loaded, the workers still replay it, with the same bytes (before: INPUT_CHANGED, each worker read the file)`, async () => {
      const { dir, source, scenario } = loaded(DOCS[name]!);
      const withFile = await run(name, scenario, join(dir, 'with-file'));
      rmSync(source);
      expect(await run(name, scenario, join(dir, 'without-file'))).toEqual(withFile);
    });
  }

  it('a stream: its blocks are generated on the workers without the file', async () => {
    const { source, scenario } = loaded({ ...DOCS['dataset']!, uniqueness: undefined, timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 140_000 } });
    const withFile = await streamed(scenario);
    rmSync(source);
    expect(await streamed(scenario)).toBe(withFile);
  });

  it('a file replaced after loading: the run replays the version its scenario recorded; loading again takes the new one', async () => {
    const { dir, source, scenario } = loaded(DOCS['dataset']!);
    const recorded = createHash('sha256').update(readFileSync(source)).digest('hex');
    const before = await run('dataset', scenario, join(dir, 'before'));
    writeFileSync(source, seriesCsv(2));
    expect(await run('dataset', scenario, join(dir, 'after'))).toEqual(before);
    expect(readManifest(join(dir, 'after')).scenario.variables.find((v) => v.name === 'cpu')).toMatchObject({ sha256: recorded });
    const again = loadScenario(join(dir, 'scenario.json'));
    const [old, now] = [sourceShares(scenario)[0]!.data, sourceShares(again)[0]!.data];
    expect(now.sha256).toBe(createHash('sha256').update(readFileSync(source)).digest('hex'));
    expect(Array.from(old.values.subarray(0, 3), String)).toEqual([0, 1, 2].map((i) => String(Number(seriesValue(1, i)))));
    expect(Array.from(now.values.subarray(0, 3), String)).toEqual([0, 1, 2].map((i) => String(Number(seriesValue(2, i)))));
  });

  it('the columns handed to the workers are shared memory, not copies', () => {
    const { scenario } = loaded(DOCS['dataset']!);
    const { data } = sourceShares(scenario)[0]!;
    expect(data.values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.times!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.values.length).toBe(3000);
  });
});

describe('a CSV file read from the disk piece by piece', () => {
  it('gives the records and line numbers of the whole text, and hashes exactly the bytes parsed', () => {
    // A quoted field holding a line break, an escaped quote, a multi-byte character, CRLF and LF, a blank line.
    const text = '\uFEFFa,b\r\n1,"x\r\ny"\r\n2,""""\r\n3,"é,\n"\n4,z\n\n5,w\n';
    const file = join(tempDir('paranom-csv-pieces-'), 'pieces.csv');
    writeFileSync(file, text);
    const whole = csvRecords(text.slice(1));
    const keep = whole.records.map((r, i) => [r, whole.line[i]!] as const).filter(([r]) => r !== '');
    for (const pieceBytes of [1, 2, 5, 7, 11, 64]) {
      const got: Array<readonly [string, number]> = [];
      const hash = createHash('sha256');
      forEachCsvFilePiece(file, (piece, first) => {
        const r = csvRecords(piece);
        r.records.forEach((rec, i) => got.push([rec, first - 1 + r.line[i]!]));
      }, { pieceBytes, onBytes: (b) => hash.update(b) });
      expect(got.filter(([r]) => r !== ''), `pieces of ${pieceBytes} bytes`).toEqual(keep);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    }
  });

  it('stops after the piece that asks to: a header read takes the first piece, not the file', () => {
    const file = join(tempDir('paranom-csv-pieces-'), 'long.csv');
    writeFileSync(file, seriesCsv(1));
    let pieces = 0;
    let bytes = 0;
    forEachCsvFilePiece(file, () => {
      pieces++;
      return false;
    }, { pieceBytes: 1024, onBytes: (b) => (bytes += b.length) });
    expect(pieces).toBe(1);
    expect(bytes).toBe(1024);
  });
});
