/**
 * parquet-wasm, loaded on first use. Its Node build is CommonJS and compiles its 5 MB of
 * WebAssembly synchronously when required (some 60 ms of one core, twice in a one-worker
 * run: the main thread and the worker), so no module requires it at import: a run that
 * writes snappy or none and reads nothing back never loads it.
 */
import { createRequire } from 'node:module';

export type ParquetWasm = typeof import('parquet-wasm');

const require = createRequire(import.meta.url);
let loaded: ParquetWasm | null = null;

/** The parquet-wasm module, required the first time it is asked for. */
export function parquetWasm(): ParquetWasm {
  return (loaded ??= require('parquet-wasm') as ParquetWasm);
}
