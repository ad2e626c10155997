/**
 * Bringing a dataset together: `mergeManifests` joins the part manifests of a split run
 * into one dataset manifest; `mergeToFile` streams a whole dataset into one Parquet file
 * with bounded memory (one shard read at a time, row groups flushed as they fill).
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { tableToIPC } from 'apache-arrow';
import { ParanomError } from '../errors.js';
import { planGeneration } from '../plan/planner.js';
import { readManifest, type Manifest } from '../dataset/manifest.js';
import { ROW_GROUP_ROWS } from '../formats/parquet.js';
import { readArrowRows } from '../formats/read.js';
import { shardMetadata } from '../dataset/provenance.js';
import { TEMP_SUFFIX } from '../formats/files.js';
import { finishDataset } from './generate.js';
import { identityOf, PART_MANIFEST_RE } from './state.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/**
 * Joins manifest-part-K-of-N.json files in `out` into manifest.json (and the segment table).
 * With `checkFiles: false` only the manifests need to be present — for shards that already
 * sit in object storage beside them.
 */
export async function mergeManifests(out: string, options: { checkFiles?: boolean } = {}): Promise<Manifest> {
  if (!existsSync(out)) throw new ParanomError('DATASET_INVALID', `${out}: no such directory`);
  const files = readdirSync(out).filter((f) => PART_MANIFEST_RE.test(f)).sort();
  if (files.length === 0) throw new ParanomError('DATASET_INVALID', `${out}: no part manifests (manifest-part-K-of-N.json) to merge`);
  const parts = files.map((f) => ({ file: f, m: readManifest(out, f) }));
  const first = parts[0]!.m;
  const id = JSON.stringify(identityOf(first));
  for (const { file, m } of parts) {
    if (JSON.stringify(identityOf(m)) !== id) throw new ParanomError('DATASET_INVALID', `${file}: belongs to another run (scenario, seed, rows, format or shard size differ from ${parts[0]!.file})`);
    if (!m.part || m.part.n !== first.part?.n) throw new ParanomError('DATASET_INVALID', `${file}: not a part of the same ${first.part?.n}-part split`);
  }
  const n = first.part!.n;
  const seen = new Set(parts.map((p) => p.m.part!.k));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new ParanomError('DATASET_INVALID', `${out}: parts ${missing.join(', ')} of ${n} are missing; run them, then merge again`);

  const plan = planGeneration(first.scenario, { format: first.format, shardRows: first.shard_rows });
  const shards = parts.flatMap((p) => p.m.shards).sort((a, b) => a.index - b.index);
  const expected = plan.shards.map((s) => `${s.index}:${s.rowStart}-${s.rowEnd}`).join(',');
  if (shards.map((s) => `${s.index}:${s.row_start}-${s.row_end}`).join(',') !== expected) {
    throw new ParanomError('DATASET_INVALID', `${out}: the parts' shards do not cover the dataset exactly once`);
  }
  for (const s of options.checkFiles === false ? [] : shards) {
    const path = join(out, s.file);
    if (!existsSync(path) || statSync(path).size !== s.bytes) throw new ParanomError('DATASET_INVALID', `${s.file}: missing or of the wrong size; copy every part's data/ into ${out}/data, or pass --no-check-files`);
  }
  // The last part resolved uniqueness over every row, so its summary is the dataset's.
  const last = parts.reduce((a, p) => (p.m.part!.k > a.m.part!.k ? p : a));
  const manifest = await finishDataset(out, first.scenario, plan, first.compression ?? 'snappy', shards, null, last.m.uniqueness);
  for (const f of files) rmSync(join(out, f), { force: true });
  return manifest;
}

/** Streams the whole dataset in `out` into one Parquet file `to`. */
export async function mergeToFile(out: string, to: string): Promise<{ rows: number; bytes: number }> {
  const m = readManifest(out);
  if (m.format === 'csv') throw new ParanomError('USAGE', `${out} holds CSV shards; merge writes Parquet from Parquet or Arrow datasets`);
  let i = 0;
  const input = new ReadableStream({
    pull(ctrl) {
      const s = m.shards[i++];
      if (!s) {
        ctrl.close();
        return;
      }
      const bytes = readFileSync(join(out, s.file));
      const table =
        m.format === 'parquet'
          ? pw.readParquet(bytes, { batchSize: 65536 })
          : pw.Table.fromIPCStream(tableToIPC(readArrowRows(bytes, 0, s.rows), 'stream'));
      for (const b of table.recordBatches()) ctrl.enqueue(b);
    },
  });
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(m.compression === 'zstd' ? pw.Compression.ZSTD : m.compression === 'none' ? pw.Compression.UNCOMPRESSED : pw.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy('paranom')
    .setKeyValueMetadata(shardMetadata(m.scenario, { index: -1, rowStart: 0, rowEnd: m.rows }))
    .build();
  const tmp = to + TEMP_SUFFIX;
  try {
    const stream = await pw.transformParquetStream(input, props);
    await stream.pipeTo(Writable.toWeb(createWriteStream(tmp)) as WritableStream<Uint8Array>);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ParanomError('GENERATION_FAILED', `merge into ${to} failed: ${(err as Error).message}`);
  }
  renameSync(tmp, to);
  return { rows: m.rows, bytes: statSync(to).size };
}
