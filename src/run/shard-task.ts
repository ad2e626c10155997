/**
 * One shard task, as a worker runs it: generate the rows, encode them, write the file
 * atomically, and report its hash. Errors come back as data, never as thrown instances,
 * because class identity does not survive postMessage.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ParanomError, type ErrorData } from '../errors.js';
import { generateShard } from '../generate/shard.js';
import { shardTable } from '../output/arrow-table.js';
import { encodeParquet, type ParquetCompression } from '../output/parquet.js';
import { encodeArrowIPC } from '../output/arrow-ipc.js';
import { encodeCsv } from '../output/csv.js';
import { writeFileAtomic } from '../output/files.js';
import { shardMetadata } from '../output/provenance.js';
import type { OutputFormat, ShardPlan } from '../plan/planner.js';
import type { Scenario } from '../scenario/types.js';

export interface ShardTask {
  scenario: Scenario;
  shard: ShardPlan;
  outDir: string;
  format: OutputFormat;
  compression: ParquetCompression;
}

export interface ShardDone {
  ok: true;
  index: number;
  file: string;
  rowStart: number;
  rowEnd: number;
  bytes: number;
  sha256: string;
  anomalousRows: number;
}

export type ShardResult = ShardDone | { ok: false; index: number; error: ErrorData };

/** Generates and encodes one shard in memory. */
export function encodeShard(task: Omit<ShardTask, 'outDir'>): { bytes: Uint8Array; anomalousRows: number } {
  const { scenario, shard, format } = task;
  const columns = generateShard(scenario, shard.rowStart, shard.rowEnd);
  let anomalousRows = 0;
  for (let i = 0; i < columns.rows; i++) anomalousRows += columns.isAnomaly[i]!;
  if (format === 'csv') return { bytes: encodeCsv(columns), anomalousRows };
  const metadata = shardMetadata(scenario, shard);
  // Arrow IPC keeps provenance in the schema metadata; Parquet in its key-value metadata
  // (an Arrow schema map would be re-ordered by parquet-wasm, see provenance.ts).
  const bytes = format === 'arrow' ? encodeArrowIPC(shardTable(columns, metadata)) : encodeParquet(shardTable(columns), metadata, task.compression);
  return { bytes, anomalousRows };
}

export function runShardTask(task: ShardTask): ShardResult {
  const { shard, scenario } = task;
  try {
    const { bytes, anomalousRows } = encodeShard(task);
    writeFileAtomic(join(task.outDir, shard.file), bytes);
    return {
      ok: true,
      index: shard.index,
      file: shard.file,
      rowStart: shard.rowStart,
      rowEnd: shard.rowEnd,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      anomalousRows,
    };
  } catch (err) {
    const base = err instanceof ParanomError ? err.toData() : { code: 'GENERATION_FAILED' as const, message: String((err as Error)?.message ?? err), details: {} };
    return {
      ok: false,
      index: shard.index,
      error: {
        ...base,
        details: { ...base.details, seed: scenario.seed, shard: shard.index, rowStart: shard.rowStart, rowEnd: shard.rowEnd, stack: (err as Error)?.stack },
      },
    };
  }
}
