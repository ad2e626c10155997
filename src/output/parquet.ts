/**
 * Parquet encoding with parquet-wasm (the Rust `parquet` crate compiled to WebAssembly),
 * chosen by measurement: see bench/writers.ts. Dictionary encoding only where it pays
 * (string columns); one row group per shard up to ROW_GROUP_ROWS.
 */
import { createRequire } from 'node:module';
import { DataType, tableToIPC, type Table } from 'apache-arrow';

// parquet-wasm's Node build is CommonJS and instantiates its WebAssembly synchronously.
const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

/** Largest row group written; well under Parquet's limits and DuckDB-friendly. */
export const ROW_GROUP_ROWS = 1 << 20;

const CODECS: Record<ParquetCompression, number> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  none: pw.Compression.UNCOMPRESSED,
};

export function encodeParquet(table: Table, metadata: Map<string, string>, compression: ParquetCompression = 'snappy'): Uint8Array {
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(CODECS[compression])
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setCreatedBy('paranom')
    .setKeyValueMetadata(metadata);
  for (const f of table.schema.fields) {
    if (DataType.isDictionary(f.type)) builder = builder.setColumnDictionaryEnabled(f.name, true);
  }
  // writeParquet frees both the table and the properties: do not free them again.
  return pw.writeParquet(wasmTable, builder.build());
}
