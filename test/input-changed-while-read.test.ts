/**
 * An input that changes while it is read is refused, never half old and half new: a
 * Parquet file's SHA-256 is read in one pass and its columns in another, and a CSV file's
 * pieces are hashed as they are parsed, so a change in the middle would mix two versions;
 * the file's size and modification time are compared before and after the read
 * (input/file-hash.ts, readUnchanged). The change is made deterministically in the middle
 * of the read: the piece and batch readers are wrapped here so that, when armed, they
 * change the file after handing on their first piece (a CSV file is read in pieces of
 * 4 KiB for that); everything else of their modules is the real code.
 */
import { appendFileSync, existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Float64, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it, vi } from 'vitest';
import { cli, expectClean, treeHashes } from './reliability-helpers.js';
import { tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/** What a wrapped reader does to the file after its first piece or batch, once (null: nothing). */
const hook = vi.hoisted(() => {
  const h = {
    change: null as null | ((path: string) => void),
    /** `fn` (a reader's per-piece callback for the file at `path`), then the change, if armed. */
    then<A extends unknown[], R>(path: string, fn: (...args: A) => R): (...args: A) => R {
      return (...args) => {
        const out = fn(...args);
        const change = h.change;
        h.change = null;
        change?.(path);
        return out;
      };
    },
  };
  return h;
});

vi.mock('../src/formats/parquet-batches.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/formats/parquet-batches.js')>();
  return {
    ...real,
    forEachParquetBatch: (...[path, columns, fn, batchBytes]: Parameters<typeof real.forEachParquetBatch>) => real.forEachParquetBatch(path, columns, hook.then(path, fn), batchBytes),
  };
});

vi.mock('../src/input/csv-line.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/input/csv-line.js')>();
  return {
    ...real,
    forEachCsvFilePiece: (...[path, fn, o]: Parameters<typeof real.forEachCsvFilePiece>) => real.forEachCsvFilePiece(path, hook.then(path, fn), { ...o, pieceBytes: 4096 }),
    forEachCsvFileRecords: (...[path, fn, o]: Parameters<typeof real.forEachCsvFileRecords>) => real.forEachCsvFileRecords(path, hook.then(path, fn), { ...o, pieceBytes: 4096 }),
  };
});

/** A series file of `n` rows of `value` beside another column: Parquet in row groups of 1,000, or CSV (many 4 KiB pieces). */
function series(file: string, n: number): void {
  const value = (i: number) => Math.sin(i / 9) * 50 + i / 100;
  if (file.endsWith('.csv')) {
    writeFileSync(file, 'timestamp,value\n' + Array.from({ length: n }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${value(i)}\n`).join(''));
    return;
  }
  const t = new Table({
    value: vectorFromArray(Array.from({ length: n }, (_, i) => value(i)), new Float64()),
    other: vectorFromArray(Array.from({ length: n }, (_, i) => i * 2), new Float64()),
  });
  writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), new pw.WriterPropertiesBuilder().setMaxRowGroupSize(1000).build()));
}

/** The ways a file changes under a reader: a row added (bytes, for Parquet), or rewritten in place (same size, a new modification time). */
const CHANGES: Record<string, (path: string) => void> = {
  appended: (path) => appendFileSync(path, path.endsWith('.csv') ? '2030-01-01T00:00:00.000Z,1.5\n' : 'more bytes'),
  rewritten: (path) => {
    const { atime, mtime } = statSync(path);
    utimesSync(path, atime, new Date(mtime.getTime() + 5000));
  },
};

const CASES = ['series.parquet', 'series.csv'].flatMap((file) => Object.keys(CHANGES).map((how) => [file, how] as const));

function scenario(dir: string, file: string): string {
  const path = join(dir, 'scenario.json');
  writeFileSync(path, JSON.stringify({ seed: 5, timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: 10_000 }, variables: { v: { type: 'source', file, column: 'value' } } }));
  return path;
}

describe('a source file that changes while it is read', () => {
  it.each(CASES)('%s %s during generate: exit 2 naming the file and the variable, nothing written', async (file, how) => {
    const dir = tempDir();
    series(join(dir, file), 10_000);
    const out = join(dir, 'out');
    hook.change = CHANGES[how]!;
    const r = await cli('generate', scenario(dir, file), '--out', out);
    expect(hook.change).toBeNull();
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`variables.v.file: ${file}: changed while it was being read; run again once it is written`);
    expectClean(r);
    expect(existsSync(out)).toBe(false);
  });

  it.each(['series.parquet', 'series.csv'])('%s appended while grow reads it again: INPUT_CHANGED, exit 2, the dataset as it was', async (name) => {
    const dir = tempDir();
    const file = join(dir, name);
    series(file, 10_000);
    const out = join(dir, 'out');
    const first = await cli('generate', scenario(dir, name), '--out', out, '--rows', '3000', '--workers', '1');
    expect(first.code, first.err).toBe(0);
    const before = treeHashes(out);
    // The same bytes, a new modification time: grow reads the file again rather than take what this process read.
    const { atime, mtime } = statSync(file);
    utimesSync(file, atime, new Date(mtime.getTime() + 60_000));
    hook.change = CHANGES['appended']!;
    const r = await cli('grow', out, '--rows', '6000');
    expect(hook.change).toBeNull();
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(new RegExp(`variable 'v': source file ${name.replace('.', '\\.')} changed: its SHA-256 is now [0-9a-f]{64}, the dataset recorded [0-9a-f]{64}`));
    expectClean(r);
    expect(treeHashes(out)).toEqual(before);
  });
});

describe('a training file that changes while train-vae reads it', () => {
  it.each(CASES)('%s %s: exit 2 naming the file, no model written', async (name, how) => {
    const dir = tempDir();
    const data = join(dir, name);
    series(data, 10_000);
    const out = join(dir, 'model');
    hook.change = CHANGES[how]!;
    const r = await cli('train-vae', '--data', data, '--columns', 'value', '--window', '16', '--latent', '2', '--epochs', '1', '--backend', 'cpu', '--out', out);
    expect(hook.change).toBeNull();
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`training data ${data} changed while it was being read; run again once it is written`);
    expectClean(r);
    expect(existsSync(out)).toBe(false);
    expect(Object.keys(treeHashes(dir))).toEqual([name]);
  });
});
