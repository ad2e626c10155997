/**
 * An index of (fingerprint, row) pairs sorted by fingerprint, then row: it answers "the
 * first row whose attempt-0 tuple has fingerprint x" and lists groups of rows sharing a
 * fingerprint. Pairs go into buckets by the fingerprint's top bits; past a memory budget
 * the buckets spill to files, are sorted one at a time, and are searched through a sparse
 * in-memory index with one read per lookup — so memory stays bounded at 10⁸–10⁹ rows.
 */
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerBound } from '../math/search.js';

const FP_BITS = 52;
/** Pairs per page of a spilled bucket: one read answers a lookup. */
const PAGE = 512;

/** Stable LSD radix sort of pairs (fp, row) by fp; rows arrive in ascending order. */
function sortPairs(fp: Float64Array, row: Float64Array): void {
  const n = fp.length;
  if (n < 2) return;
  let f: Float64Array = fp;
  let r: Float64Array = row;
  let f2: Float64Array = new Float64Array(n);
  let r2: Float64Array = new Float64Array(n);
  const counts = new Uint32Array(8192);
  for (let pass = 0, scale = 1; pass < 4; pass++, scale *= 8192) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(f[i]! / scale) % 8192]!++;
    let sum = 0;
    for (let d = 0; d < 8192; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.floor(f[i]! / scale) % 8192;
      const at = counts[d]!++;
      f2[at] = f[i]!;
      r2[at] = r[i]!;
    }
    [f, f2] = [f2, f];
    [r, r2] = [r2, r];
  }
  // Four passes: the sorted data is back in the original arrays.
}


interface Bucket {
  /** Pending pairs, interleaved (fp, row). */
  pending: Float64Array;
  used: number;
  spilled: boolean;
  /** After finish, in memory: */
  fps?: Float64Array;
  rows?: Float64Array;
  /** After finish, on disk: first fp of each page, and the pair count. */
  pageFirst?: Float64Array;
  count?: number;
}

export interface FingerprintIndexOptions {
  /** Pairs held in memory before spilling (default 16M ≈ 256 MB with sorting). */
  memoryPairs?: number;
  /** Expected pairs, to size the buckets. */
  expected?: number;
}

export class FingerprintIndex {
  private readonly bucketBits: number;
  private readonly scale: number;
  private readonly buckets: Bucket[];
  private readonly memoryPairs: number;
  private pendingTotal = 0;
  private dir: string | undefined;
  private finished = false;
  size = 0;

  constructor(options: FingerprintIndexOptions = {}) {
    this.memoryPairs = options.memoryPairs ?? 16_000_000;
    const expected = options.expected ?? this.memoryPairs;
    // Buckets of ~1M pairs when spilling can happen; a few otherwise.
    this.bucketBits = Math.min(16, Math.max(4, Math.ceil(Math.log2(Math.max(1, expected / 1_000_000))) + 4));
    this.scale = 2 ** (FP_BITS - this.bucketBits);
    this.buckets = Array.from({ length: 1 << this.bucketBits }, () => ({ pending: new Float64Array(64), used: 0, spilled: false }));
  }

  private bucketOf(fp: number): number {
    return (fp / this.scale) | 0;
  }

  /** Adds the rows of one shard whose class flag equals `want`; returns how many. */
  addRows(fps: Float64Array, flags: Uint8Array, want: number, rowStart: number): number {
    let n = 0;
    for (let i = 0; i < fps.length; i++) {
      if (flags[i] !== want) continue;
      this.add(fps[i]!, rowStart + i);
      n++;
    }
    return n;
  }

  /** Adds pairs; rows must arrive in ascending order across calls. */
  add(fp: number, row: number): void {
    const b = this.buckets[this.bucketOf(fp)]!;
    if (b.used + 2 > b.pending.length) {
      const grown = new Float64Array(b.pending.length * 2);
      grown.set(b.pending);
      b.pending = grown;
    }
    b.pending[b.used++] = fp;
    b.pending[b.used++] = row;
    this.size++;
    if (++this.pendingTotal >= this.memoryPairs) this.spill();
  }

  private spillDir(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'paranom-fp-'));
    return this.dir;
  }

  private spill(): void {
    const dir = this.spillDir();
    this.buckets.forEach((b, i) => {
      if (b.used === 0) return;
      appendFileSync(join(dir, `b${i}`), new Uint8Array(b.pending.buffer, 0, b.used * 8));
      b.spilled = true;
      b.pending = new Float64Array(64);
      b.used = 0;
    });
    this.pendingTotal = 0;
  }

  /** Sorts every bucket; the index is read-only afterwards. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const onDisk = this.buckets.some((b) => b.spilled);
    this.buckets.forEach((b, i) => {
      let pairs = b.pending.subarray(0, b.used);
      if (b.spilled) {
        const file = readFileSync(join(this.dir!, `b${i}`));
        const old = new Float64Array(file.buffer, file.byteOffset, file.byteLength / 8);
        const all = new Float64Array(old.length + pairs.length);
        all.set(old);
        all.set(pairs, old.length);
        pairs = all;
        rmSync(join(this.dir!, `b${i}`));
      }
      const n = pairs.length / 2;
      const fps = new Float64Array(n);
      const rows = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        fps[k] = pairs[2 * k]!;
        rows[k] = pairs[2 * k + 1]!;
      }
      b.pending = new Float64Array(0);
      b.used = 0;
      sortPairs(fps, rows);
      if (!onDisk) {
        b.fps = fps;
        b.rows = rows;
        return;
      }
      // Sorted bucket to disk, interleaved by page; keep each page's first fp.
      const inter = new Float64Array(2 * n);
      for (let k = 0; k < n; k++) {
        inter[2 * k] = fps[k]!;
        inter[2 * k + 1] = rows[k]!;
      }
      writeFileSync(join(this.dir!, `s${i}`), new Uint8Array(inter.buffer));
      const pages = Math.ceil(n / PAGE);
      b.pageFirst = new Float64Array(pages);
      for (let p = 0; p < pages; p++) b.pageFirst[p] = fps[p * PAGE]!;
      b.count = n;
    });
  }

  /** Reads pairs [from, to) of spilled bucket i. */
  private readPairs(i: number, from: number, to: number): { fps: Float64Array; rows: Float64Array } {
    const n = to - from;
    const buf = new Float64Array(2 * n);
    const fd = openSync(join(this.dir!, `s${i}`), 'r');
    try {
      readSync(fd, new Uint8Array(buf.buffer), 0, n * 16, from * 16);
    } finally {
      closeSync(fd);
    }
    const fps = new Float64Array(n);
    const rows = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      fps[k] = buf[2 * k]!;
      rows[k] = buf[2 * k + 1]!;
    }
    return { fps, rows };
  }

  /** The first row whose fingerprint is `fp`, or -1. */
  firstRow(fp: number): number {
    const i = this.bucketOf(fp);
    const b = this.buckets[i]!;
    if (b.fps && b.rows) {
      const at = lowerBound(b.fps, fp);
      return at < b.fps.length && b.fps[at] === fp ? b.rows[at]! : -1;
    }
    if (!b.pageFirst || !b.count) return -1;
    // The first page whose successor starts above fp may hold it; equal fps can straddle
    // a page boundary, so start one page earlier when the page begins with fp.
    let p = Math.max(0, lowerBound(b.pageFirst, fp) - 1);
    for (; p * PAGE < b.count; p++) {
      const page = this.readPairs(i, p * PAGE, Math.min(b.count, (p + 1) * PAGE));
      const at = lowerBound(page.fps, fp);
      if (at < page.fps.length) return page.fps[at] === fp ? page.rows[at]! : -1;
    }
    return -1;
  }

  /** Every group of two or more rows sharing a fingerprint, rows ascending. */
  *groups(): Generator<number[]> {
    for (let i = 0; i < this.buckets.length; i++) {
      const b = this.buckets[i]!;
      const chunks: Array<{ fps: Float64Array; rows: Float64Array }> =
        b.fps && b.rows ? [{ fps: b.fps, rows: b.rows }] : b.count ? [] : [];
      if (!b.fps && b.count) for (let from = 0; from < b.count; from += 1 << 20) chunks.push(this.readPairs(i, from, Math.min(b.count, from + (1 << 20))));
      let run: number[] = [];
      let last = NaN;
      for (const { fps, rows } of chunks) {
        for (let k = 0; k < fps.length; k++) {
          if (fps[k] === last) run.push(rows[k]!);
          else {
            if (run.length > 1) yield run;
            run = [rows[k]!];
            last = fps[k]!;
          }
        }
      }
      if (run.length > 1) yield run;
    }
  }

  /** Removes spilled files. */
  dispose(): void {
    if (this.dir && existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
