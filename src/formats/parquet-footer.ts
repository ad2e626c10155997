/**
 * The Parquet footer: schema elements (with logical and legacy converted types), row
 * groups and their column chunks, offset indexes, key-value metadata. Field ids are named
 * as in the Parquet specification (parquet-spec.ts).
 */
import { ThriftWriter, TType } from './thrift.js';
import { ColumnChunk, ColumnMetaData, ConvertedType, FileMetaData, LogicalType, Repetition, SchemaElement, Statistics, TimestampType, TimeUnit } from './parquet-spec.js';
import type { ChunkMeta } from './parquet-chunks.js';
import type { Leaf } from './parquet-leaves.js';

export function schemaElements(t: ThriftWriter, leaves: readonly Leaf[]): void {
  t.list(FileMetaData.SCHEMA, TType.Struct, leaves.length + 1);
  // The root element: a group of all leaves.
  t.begin().binary(SchemaElement.NAME, 'arrow_schema').i32(SchemaElement.NUM_CHILDREN, leaves.length).end();
  for (const l of leaves) {
    t.begin()
      .i32(SchemaElement.TYPE, l.physical)
      .i32(SchemaElement.REPETITION_TYPE, l.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED)
      .binary(SchemaElement.NAME, l.name);
    if (l.kind === 'dictionary' || l.kind === 'utf8') t.i32(SchemaElement.CONVERTED_TYPE, ConvertedType.UTF8).struct(SchemaElement.LOGICAL_TYPE).struct(LogicalType.STRING).end().end();
    else if (l.kind === 'timestamp') {
      t.i32(SchemaElement.CONVERTED_TYPE, ConvertedType.TIMESTAMP_MILLIS)
        .struct(SchemaElement.LOGICAL_TYPE)
        .struct(LogicalType.TIMESTAMP)
        .bool(TimestampType.IS_ADJUSTED_TO_UTC, l.utc)
        .struct(TimestampType.UNIT)
        .struct(TimeUnit.MILLIS)
        .end()
        .end()
        .end()
        .end();
    }
    t.end();
  }
}

export function columnChunk(t: ThriftWriter, c: ChunkMeta): void {
  t.begin().i64(ColumnChunk.FILE_OFFSET, 0).struct(ColumnChunk.META_DATA);
  t.i32(ColumnMetaData.TYPE, c.leaf.physical);
  t.list(ColumnMetaData.ENCODINGS, TType.I32, c.encodings.length);
  for (const e of c.encodings) t.rawI32(e);
  t.list(ColumnMetaData.PATH_IN_SCHEMA, TType.Binary, 1).rawBinary(c.leaf.name);
  t.i32(ColumnMetaData.CODEC, c.codec)
    .i64(ColumnMetaData.NUM_VALUES, c.numValues)
    .i64(ColumnMetaData.TOTAL_UNCOMPRESSED_SIZE, c.uncompressed)
    .i64(ColumnMetaData.TOTAL_COMPRESSED_SIZE, c.compressed)
    .i64(ColumnMetaData.DATA_PAGE_OFFSET, c.dataPageOffset);
  if (c.dictionaryPageOffset >= 0) t.i64(ColumnMetaData.DICTIONARY_PAGE_OFFSET, c.dictionaryPageOffset);
  if (c.stats) {
    // Both the deprecated max/min and max_value/min_value: readers differ in which they trust.
    t.struct(ColumnMetaData.STATISTICS)
      .binary(Statistics.MAX, c.stats.max)
      .binary(Statistics.MIN, c.stats.min)
      .i64(Statistics.NULL_COUNT, 0)
      .binary(Statistics.MAX_VALUE, c.stats.max)
      .binary(Statistics.MIN_VALUE, c.stats.min)
      .end();
  }
  t.end();
  t.i64(ColumnChunk.OFFSET_INDEX_OFFSET, c.offsetIndexOffset).i32(ColumnChunk.OFFSET_INDEX_LENGTH, c.offsetIndexLength);
  t.end();
}
