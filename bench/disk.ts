/**
 * Throughput toward the disk: the machine's sequential write bandwidth, measured in the
 * same run (1 GiB of incompressible bytes written in 8 MiB pieces to one file, then
 * fsync: what a shard writer does), against paranom's output MB/s on the reference
 * scenario with `--compression none` (no codec, so the figure is the generator and the
 * writer, not snappy). The two alternate, `reps` times each; medians are compared.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, dirBytes, runChild } from './end-to-end.js';
import { REPO } from './headline.js';
import { median } from './stats.js';

export const DISK_TARGET = 0.7;
const PIECE = 8 << 20;

/** Writes and fsyncs `bytes` into a new file under `dir`; MB/s (1e6) of the whole. */
export function diskWriteMBps(dir: string, bytes = 1 << 30): number {
  const buf = randomFillSync(new Uint8Array(PIECE));
  const path = join(dir, 'disk-probe.bin');
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  try {
    for (let off = 0; off < bytes; off += PIECE) {
      let done = 0;
      const n = Math.min(PIECE, bytes - off);
      while (done < n) done += writeSync(fd, buf, done, n - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const s = (performance.now() - t0) / 1000;
  rmSync(path, { force: true });
  return bytes / 1e6 / s;
}

export interface DiskResult {
  rows: number;
  diskMBps: number[];
  paranomMBps: number[];
  bytes: number;
}

export async function runDiskBench(rows: number, reps: number, log: (l: string) => void): Promise<DiskResult> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-disk-'));
  const r: DiskResult = { rows, diskMBps: [], paranomMBps: [], bytes: 0 };
  try {
    for (let i = 0; i < reps; i++) {
      r.diskMBps.push(diskWriteMBps(dir));
      const out = join(dir, 'ds');
      rmSync(out, { recursive: true, force: true });
      const run = await runChild(process.execPath, [CLI, 'generate', join(REPO, 'scenarios/reference-13col.yaml'), '--out', out, '--rows', String(rows), '--compression', 'none']);
      if (run.status !== 0) throw new Error(`paranom generate exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
      r.bytes = dirBytes(join(out, 'data'));
      rmSync(out, { recursive: true, force: true });
      r.paranomMBps.push(r.bytes / 1e6 / run.seconds);
      log(`  run ${i + 1}/${reps}: disk ${r.diskMBps[i]!.toFixed(0)} MB/s, paranom --compression none ${r.paranomMBps[i]!.toFixed(0)} MB/s (${run.seconds.toFixed(2)} s, load ${loadavg()[0]!.toFixed(2)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

export function diskFraction(r: DiskResult): number {
  return median(r.paranomMBps) / median(r.diskMBps);
}

export function formatDisk(r: DiskResult): string {
  const f = diskFraction(r);
  return (
    `| sequential write + fsync of 1 GiB, this machine, this run | ${median(r.diskMBps).toFixed(0)} MB/s |\n` +
    `| paranom, ${r.rows.toLocaleString('en-US')} rows, \`--compression none\` (${(r.bytes / 1e6).toFixed(0)} MB, start-up included) | ${median(r.paranomMBps).toFixed(0)} MB/s = **${(100 * f).toFixed(0)}%** of the disk (target ≥ ${100 * DISK_TARGET}%: ${f >= DISK_TARGET ? 'met' : 'not met'}) |`
  );
}
