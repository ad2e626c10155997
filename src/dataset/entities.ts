/**
 * The entity table (entities.parquet) of a fleet: one row per entity, in index order — its
 * key, the seed it is generated with (the same scenario without `entities`, with this seed
 * and these parameters, gives exactly its rows), and the value drawn for each per-entity
 * parameter (a column named by the parameter's path in the scenario file).
 */
import { Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import type { Scenario } from '../model/types.js';
import { putInt64 } from '../columns/columns.js';
import { fleetOf } from '../fleet/entity.js';
import { drawEntityParamRange } from '../fleet/params.js';
import { entitySeed } from '../random/entity-seed.js';

/** The entity table of a fleet scenario: its entities [from, to) (all by default). */
export function entityTable(s: Scenario, from = 0, to = fleetOf(s).count): Table {
  const f = fleetOf(s);
  const n = to - from;
  const seeds = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) putInt64(seeds, i, entitySeed(s.seed, from + i));
  const fields = [new Field(f.key, f.names ? new Utf8() : new Int32(), false), new Field('seed', new Int64(), false), ...f.params.map((p) => new Field(p.path, new Float64(), false))];
  const children: Data[] = [
    f.names ? vectorFromArray(f.names.slice(from, to), new Utf8()).data[0]! : makeData({ type: new Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => from + i) }),
    makeData({ type: new Int64(), length: n, data: new BigInt64Array(seeds.buffer) }),
    ...f.params.map((p) => makeData({ type: new Float64(), length: n, data: drawEntityParamRange(s.seed, p, from, to) })),
  ];
  const schema = new Schema(fields);
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 }))]);
}
