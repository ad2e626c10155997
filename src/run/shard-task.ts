/**
 * One shard task, as a worker runs it: generate the rows, encode them, write the file
 * atomically, and report its hash. Errors come back as data, never as thrown instances,
 * because class identity does not survive postMessage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
import { prepareScenario } from '../variables/registry.js';

export interface ShardTask {
  scenario: Scenario;
  shard: ShardPlan;
  outDir: string;
  format: OutputFormat;
  compression: ParquetCompression;
  /** A previous run recorded this shard: reuse the file if its bytes still hash to this. */
  expect?: { sha256: string; bytes: number; anomalousRows: number } | undefined;
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
  /** True when an existing file was verified and kept. */
  reused: boolean;
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

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `path` exists with exactly the expected size and SHA-256. */
export function fileMatches(path: string, expect: { sha256: string; bytes: number }): boolean {
  return existsSync(path) && statSync(path).size === expect.bytes && sha256(readFileSync(path)) === expect.sha256;
}

export async function runShardTask(task: ShardTask): Promise<ShardResult> {
  const { shard, scenario } = task;
  const base = { index: shard.index, file: shard.file, rowStart: shard.rowStart, rowEnd: shard.rowEnd };
  try {
    const path = join(task.outDir, shard.file);
    if (task.expect && fileMatches(path, task.expect)) {
      return { ok: true, ...base, bytes: task.expect.bytes, sha256: task.expect.sha256, anomalousRows: task.expect.anomalousRows, reused: true };
    }
    await prepareScenario(scenario);
    const { bytes, anomalousRows } = encodeShard(task);
    writeFileAtomic(path, bytes);
    return { ok: true, ...base, bytes: bytes.length, sha256: sha256(bytes), anomalousRows, reused: false };
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
