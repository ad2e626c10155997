/**
 * Whether a Parquet file holds exactly the bytes paranom's own writer gives for its values
 * (formats/parquet.ts), checked a column chunk at a time: each chunk is decoded, encoded
 * again where the file says it starts and compared byte for byte; then the offset indexes
 * and the footer, rebuilt from those chunks with the schema and metadata the file must
 * have. Memory is one column of one row group, whatever the file's length. With its values
 * compared elsewhere, this proves the file is the one paranom wrote, byte for byte.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { forEachParquetBatch, parquetChunkStarts } from './parquet-batches.js';
import { Pieces, writeChunk, type ParquetCompression } from './parquet-chunks.js';
import { leavesOf, type Leaf } from './parquet-leaves.js';
import { Codec } from './parquet-spec.js';
import { ROW_GROUP_ROWS, writeTail, type GroupMeta } from './parquet.js';

/** Compares `pieces`, placed at `at`, with the file's bytes there; the first differing offset, or -1. */
function firstDifference(fd: number, at: number, pieces: readonly Uint8Array[]): number {
  let pos = at;
  for (const p of pieces) {
    const have = new Uint8Array(p.length);
    const n = p.length > 0 ? readSync(fd, have, 0, p.length, pos) : 0;
    for (let i = 0; i < p.length; i++) if (i >= n || have[i] !== p[i]) return pos + i;
    pos += p.length;
  }
  return -1;
}

/** A leaf's name and types without its values: what the footer says of it. */
function described(l: Leaf): Leaf {
  return { ...l, bytes: new Uint8Array(0), offsets: null, words: null, validity: null, dictionary: null };
}

/**
 * Where the Parquet file at `path` differs from what paranom's writer gives for its
 * values with `like`'s schema (any table of it), `metadata` and `compression`; undefined
 * when it is byte for byte that file, null when that writer cannot write such a table.
 */
export function recodedDifference(path: string, like: Table, metadata: Map<string, string>, compression: Exclude<ParquetCompression, 'zstd'>): string | undefined | null {
  const leaves = leavesOf(like)?.map(described);
  if (!leaves) return null;
  const layout = parquetChunkStarts(path);
  // Chunks of another codec (zstd, which parquet-wasm writes) are not this writer's.
  if (layout.some((g) => g.codecs.some((c) => c !== Codec.UNCOMPRESSED && c !== Codec.SNAPPY))) return null;
  if (layout.some((g) => g.starts.length !== leaves.length)) return 'its row groups do not hold the columns the scenario gives';
  const groups: GroupMeta[] = layout.map((g) => ({ rows: g.rows, chunks: [] }));
  const fd = openSync(path, 'r');
  try {
    for (let c = 0; c < leaves.length; c++) {
      const want = leaves[c]!;
      let g = 0;
      let said: string | undefined;
      forEachParquetBatch(path, [want.name], (t) => {
        if (said) return;
        const at = layout[g]!.starts[c]!;
        const leaf = leavesOf(t)?.[0];
        if (!leaf || leaf.kind !== want.kind) {
          said = `column '${want.name}' of row group ${g} is not of the scenario's type`;
          return;
        }
        const out = new Pieces();
        out.length = at;
        const meta = writeChunk(out, { ...leaf, nullable: want.nullable, utc: want.utc }, 0, t.numRows, compression);
        const d = firstDifference(fd, at, out.list);
        if (d >= 0) said = `byte ${d} (column '${want.name}' of row group ${g}) is not what paranom writes for its values`;
        groups[g++]!.chunks.push({ ...meta, leaf: want });
      }, 1, ROW_GROUP_ROWS);
      if (said) return said;
    }
    // The chunks lie one after another from the magic on, then the offset indexes and footer.
    let end = 4;
    for (let g = 0; g < groups.length; g++) {
      for (const ch of groups[g]!.chunks) {
        const start = ch.dictionaryPageOffset >= 0 ? ch.dictionaryPageOffset : ch.dataPageOffset;
        if (start !== end) return `row group ${g} leaves bytes ${end}–${start - 1} that paranom does not write`;
        end = start + ch.compressed;
      }
    }
    const head = firstDifference(fd, 0, [new TextEncoder().encode('PAR1')]);
    if (head >= 0) return 'it does not start with the Parquet magic';
    const tail = new Pieces();
    tail.length = end;
    writeTail(tail, like.schema, leaves, groups.reduce((a, g) => a + g.rows, 0), groups, metadata);
    const d = firstDifference(fd, end, tail.list);
    if (d >= 0) return `byte ${d} (its offset indexes or footer) is not what paranom writes for its values and provenance`;
    const size = fstatSync(fd).size;
    if (size !== tail.length) return `it has ${size - tail.length} bytes after the end paranom writes`;
    return undefined;
  } finally {
    closeSync(fd);
  }
}
