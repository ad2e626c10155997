/**
 * `verify` compares the segment table (and a fleet's entity table) with the scenario a
 * piece at a time: the regenerated pieces together are the table `generate` writes, the
 * file is read a few pages at a time, and a value changed anywhere — in the last piece
 * too — is found and named with its row, column, event and both values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { generate } from '../src/run/generate.js';
import { verify } from '../src/run/verify.js';
import { datasetSegments, segmentTableChunks } from '../src/run/labels.js';
import { entityTable } from '../src/dataset/entities.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { forEachParquetRows, parquetKeyValues } from '../src/formats/parquet-batches.js';
import { cell } from '../src/run/table-check.js';
import { readManifest } from '../src/dataset/manifest.js';
import { prepareScenario } from '../src/variables/registry.js';
import type { Scenario } from '../src/model/types.js';
import { scenarioFrom, tempDir } from './helpers.js';

/** Short events, many of them: some 2,400 over 100,000 rows. */
const MANY = {
  name: 'many-events',
  seed: 7,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 100_000 },
  anomalies: {
    frequency: 0.05,
    duration: [1, 6],
    kinds: [
      { kind: 'spike', weight: 2, duration: 1, magnitude: [4, 8] },
      { kind: 'level_shift', duration: [2, 6], shift: [2, 5] },
    ],
  },
  variables: {
    signal: { type: 'process', components: [{ type: 'sine', period: '1h', amplitude: 5 }, { type: 'noise', sd: 0.4 }] },
    counter: { normal: { dist: 'poisson', lambda: 20 } },
  },
};

/** A fleet with names and outages: entity events, then one row per outage. */
const FLEET = {
  name: 'fleet-pieces',
  seed: 11,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 6000 },
  entities: { names: ['web-1', 'web-2', 'db-1', 'db-2', 'cache', 'queue', 'edge'], key: 'host' },
  anomalies: {
    frequency: 0.05,
    duration: [2, 10],
    kinds: [{ kind: 'spike', magnitude: { per_entity: { dist: 'uniform', min: 8, max: 12 } } }, { kind: 'level_shift', shift: [3, 6] }],
    outages: { frequency: 0.06, duration: [100, 300], share: 0.4, kind: 'flat_line', variables: ['cpu'] },
  },
  variables: {
    cpu: { type: 'process', components: [{ type: 'constant', value: { per_entity: { dist: 'normal', mean: 40, sd: 5 } } }, { type: 'sine', period: '1d', amplitude: 10 }] },
    mem: { normal: { dist: 'normal', mean: 60, sd: 3 } },
  },
};

/** Every cell of `t`'s rows, column by column, as verify compares them. */
function cells(tables: readonly Table[]): string[][] {
  const names = tables[0]!.schema.fields.map((f) => f.name);
  return names.map((n) => tables.flatMap((t) => Array.from({ length: t.numRows }, (_, i) => cell(t.getChild(n)!.get(i)))));
}

describe('the segment table regenerated in pieces', () => {
  const cases: Array<[string, () => Scenario, number]> = [
    ['one series', () => scenarioFrom(MANY), 300],
    ['a later stretch of the timeline (a test split: the event running into it first)', () => {
      const s = scenarioFrom(MANY);
      return { ...s, timeline: { ...s.timeline, offset: 5003 } };
    }, 300],
    ['count mode', () => scenarioFrom({ ...MANY, anomalies: { ...MANY.anomalies, frequency: undefined, count: 1600 } }), 300],
    ['a fleet with names and outages', () => scenarioFrom(FLEET), 40],
  ];
  for (const [what, make, rows] of cases) {
    it(`gives the whole table's rows, in pieces of at most the rows asked for: ${what}`, async () => {
      const s = make();
      await prepareScenario(s);
      const whole = datasetSegments(s).table;
      expect(whole.numRows).toBeGreaterThan(5 * rows);
      const pieces = [...segmentTableChunks(s, rows)];
      expect(pieces.length).toBe(Math.ceil(whole.numRows / rows));
      for (const p of pieces) expect(p.numRows).toBeLessThanOrEqual(rows);
      expect(pieces.map((p) => String(p.schema))).toEqual(pieces.map(() => String(whole.schema)));
      expect(cells(pieces)).toEqual(cells([whole]));
    });
  }

  it('gives one empty table when there are no events, and the entity table in ranges of entities', async () => {
    const s = scenarioFrom({ ...MANY, anomalies: undefined });
    const [only, ...more] = [...segmentTableChunks(s, 400)];
    expect(more).toEqual([]);
    expect(only!.numRows).toBe(0);
    expect(String(only!.schema)).toBe(String(datasetSegments(s).table.schema));
    const f = scenarioFrom(FLEET);
    expect(cells([entityTable(f, 0, 3), entityTable(f, 3, 7)])).toEqual(cells([entityTable(f)]));
  });
});

/** Rewrites the Parquet file at `path` as `change` leaves the table, with its metadata. */
function rewrite(path: string, table: Table, change: (t: Table) => void, compression: 'snappy' | 'none' = 'snappy'): void {
  const meta = parquetKeyValues(path);
  meta.delete('ARROW:schema');
  change(table);
  writeFileSync(path, encodeParquet(table, meta, compression));
}

describe('verify compares the segment table a piece at a time', () => {
  it('holds at most a piece of the table, and finds a value changed in its last piece, naming row, column, event and values', async () => {
    const out = join(tempDir(), 'many');
    await generate(scenarioFrom(MANY), { out, workers: 1 });
    const checked = await verify(out, { sampleBlocks: 0, tableRows: 256 });
    expect(checked.problems).toEqual([]);
    const m = readManifest(out);
    const events = m.anomalies.realised.events;
    expect(events).toBeGreaterThan(2000);
    // Pieces of 256 rows, regenerated and read: never the whole table of thousands of events.
    expect(checked.tableRowsAtOnce).toBe(256);
    let pieces = 0;
    forEachParquetRows(join(out, 'anomalies.parquet'), 256, (t) => {
      pieces++;
      expect(t.numRows).toBeLessThanOrEqual(256);
    });
    expect(pieces).toBe(Math.ceil(events / 256));

    // One value of the last event changed, the file otherwise as generate wrote it.
    await prepareScenario(m.scenario);
    const table = datasetSegments(m.scenario).table;
    const last = table.numRows - 1;
    const effect = table.getChild('effect_max')!.get(last) as number;
    const id = table.getChild('id')!.get(last) as bigint;
    const path = join(out, 'anomalies.parquet');
    const before = readFileSync(path);
    rewrite(path, table, (t) => {
      (t.getChild('effect_max')!.data[0]!.values as Float64Array)[last] = effect + 1;
    });
    expect((await verify(out, { sampleBlocks: 0, tableRows: 256 })).problems).toEqual([
      `anomalies.parquet: differs from the events the scenario gives: column 'effect_max' differs at row ${last} (event ${id}): file has ${effect + 1}, the scenario gives ${effect}`,
    ]);

    // The same values written otherwise (uncompressed, where generate compressed some columns): the bytes are compared too.
    writeFileSync(path, before);
    rewrite(path, datasetSegments(m.scenario).table, () => {}, 'none');
    expect(readFileSync(path)).not.toEqual(before);
    expect((await verify(out, { sampleBlocks: 0, tableRows: 256 })).problems).toEqual([
      expect.stringMatching(/^anomalies\.parquet: differs from the events the scenario gives: byte \d+ \(column '\w+' of row group 0\) is not what paranom writes for its values$/),
    ]);

    // The last event left out: the count is said, with both figures.
    writeFileSync(path, before);
    rewrite(path, datasetSegments(m.scenario).table.slice(0, last), () => {});
    expect((await verify(out, { sampleBlocks: 0, tableRows: 256 })).problems).toEqual([`anomalies.parquet: differs from the events the scenario gives: it has ${last} rows, the scenario gives ${events}`]);
  });

  it("names a changed entity parameter of a fleet's entity table, and a fleet event's entity", async () => {
    const out = join(tempDir(), 'fleet');
    await generate(scenarioFrom(FLEET), { out, workers: 1 });
    expect((await verify(out, { sampleBlocks: 0, tableRows: 3 })).problems).toEqual([]);
    const m = readManifest(out);
    const path = join(out, 'entities.parquet');
    const table = entityTable(m.scenario);
    const seed = table.getChild('seed')!.get(5) as bigint;
    rewrite(path, table, (t) => {
      (t.getChild('seed')!.data[0]!.values as BigInt64Array)[5] = seed + 1n;
    });
    expect((await verify(out, { sampleBlocks: 0, tableRows: 3 })).problems).toEqual([`entities.parquet: differs from the entities and parameters the scenario gives: column 'seed' differs at row 5: file has ${seed + 1n}, the scenario gives ${seed}`]);

    await prepareScenario(m.scenario);
    const segments = datasetSegments(m.scenario).table;
    const row = 10;
    const start = segments.getChild('start_row')!.get(row) as bigint;
    rewrite(join(out, 'anomalies.parquet'), segments, (t) => {
      (t.getChild('start_row')!.data[0]!.values as BigInt64Array)[row] = start + 1n;
    });
    const host = segments.getChild('host')!.get(row) as string;
    expect((await verify(out, { sampleBlocks: 0, tableRows: 3 })).problems).toEqual([
      `anomalies.parquet: differs from the events the scenario gives: column 'start_row' differs at row ${row} (event ${segments.getChild('id')!.get(row)} of host ${host}): file has ${start + 1n}, the scenario gives ${start}`,
      `entities.parquet: differs from the entities and parameters the scenario gives: column 'seed' differs at row 5: file has ${seed + 1n}, the scenario gives ${seed}`,
    ]);
  });
});
