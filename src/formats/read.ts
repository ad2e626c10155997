/** Reading shards back (verify, merge): Parquet through parquet-wasm, Arrow IPC through apache-arrow. */
import { parquetWasm } from './parquet-wasm.js';
import { tableFromIPC, type Table } from 'apache-arrow';


/** Rows [offset, offset+limit) of a Parquet file, as an Apache Arrow table. */
export function readParquetRows(bytes: Uint8Array, offset: number, limit: number): Table {
  return tableFromIPC(parquetWasm().readParquet(bytes, { offset, limit, batchSize: 65536 }).intoIPCStream());
}

/** Rows [offset, offset+limit) of an Arrow IPC file. */
export function readArrowRows(bytes: Uint8Array, offset: number, limit: number): Table {
  return readArrowTable(bytes).slice(offset, offset + limit);
}

/** A whole Arrow IPC file (or stream). */
export function readArrowTable(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}

/** The named columns (all when omitted) of a whole Parquet file, as an Apache Arrow table. */
export function readParquetColumns(bytes: Uint8Array, columns?: readonly string[]): Table {
  return tableFromIPC(parquetWasm().readParquet(bytes, { batchSize: 65536, ...(columns ? { columns: [...columns] } : {}) }).intoIPCStream());
}
