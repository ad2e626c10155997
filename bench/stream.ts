/**
 * Stream throughput: `generate --stdout` in each stream format beside the file writer in
 * the same run, each a child process with default workers (wall time includes start-up):
 *
 *   node dist/bench/stream.js [--rows 2000000] [--reps 3]
 *
 * - stream → /dev/null, for csv, ndjson and arrow (an IPC stream);
 * - the same stream into a pipe read by this process (bytes counted; a real reader);
 * - the file writer, `generate --out DIR`, for csv, arrow and parquet.
 *
 * Cases run round-robin so background load spreads over all; medians are reported, with
 * the stream/file ratio for the formats both have and the load average before and after.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirBytes, runChild } from './end-to-end.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../scenarios/valve-sensors.yaml' : '../scenarios/valve-sensors.yaml', import.meta.url));

interface Case {
  name: string;
  format: string;
  /** Seconds per run and bytes produced. */
  seconds: number[];
  bytes: number;
  run: () => Promise<{ seconds: number; bytes: number }>;
}

/** A child writing its stdout to /dev/null (no reader at all) or into a pipe we drain. */
function streamChild(args: string[], into: 'null' | 'pipe'): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const fd = into === 'null' ? openSync('/dev/null', 'w') : undefined;
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (bytes += d.length));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (fd !== undefined) closeSync(fd);
      if (status !== 0) reject(new Error(`paranom ${args.join(' ')} exited ${status}: ${stderr}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, bytes });
    });
  });
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Runs every case `reps` times, round-robin, and returns the table as text. */
export async function runStreamBench(rows: number, reps: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-stream-bench-'));
  const base = ['generate', SCENARIO, '--rows', String(rows)];
  const cases: Case[] = [];
  for (const format of ['csv', 'ndjson', 'arrow']) {
    const args = [...base, '--stdout', '--format', format];
    cases.push({ name: 'stream → /dev/null', format, seconds: [], bytes: 0, run: () => streamChild(args, 'null') });
    cases.push({ name: 'stream → pipe reader', format, seconds: [], bytes: 0, run: () => streamChild(args, 'pipe') });
  }
  for (const format of ['csv', 'arrow', 'parquet']) {
    const out = join(dir, `ds-${format}`);
    const run = async () => {
      rmSync(out, { recursive: true, force: true });
      const r = await runChild(process.execPath, [CLI, ...base, '--format', format, '--out', out]);
      if (r.status !== 0) throw new Error(`generate --out exited ${r.status}: ${r.stderr}`);
      const bytes = dirBytes(join(out, 'data'));
      rmSync(out, { recursive: true, force: true });
      return { seconds: r.seconds, bytes };
    };
    cases.push({ name: 'file writer (--out DIR)', format, seconds: [], bytes: 0, run });
  }
  const before = loadavg()[0]!;
  try {
    for (let r = 0; r < reps; r++) {
      for (const c of cases) {
        const res = await c.run();
        c.seconds.push(res.seconds);
        c.bytes = Math.max(c.bytes, res.bytes);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // /dev/null counts nothing: its bytes are the same stream's, counted through the pipe.
  for (const c of cases) if (c.name.includes('/dev/null')) c.bytes = cases.find((p) => p.format === c.format && p.name.includes('pipe'))!.bytes;
  const fileRate = new Map(cases.filter((c) => c.name.startsWith('file')).map((c) => [c.format, rows / median(c.seconds)]));
  const head = ['case', 'format', 'median s', 'rows/s', 'MB/s', 'vs file writer'];
  const body = cases.map((c) => {
    const s = median(c.seconds);
    const file = fileRate.get(c.format);
    return [c.name, c.format, s.toFixed(2), fmt(rows / s), (c.bytes / 1e6 / s).toFixed(1), c.name.startsWith('file') ? '' : file ? `${(rows / s / file).toFixed(2)}×` : '—'];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  return [
    line(head),
    w.map((n) => '-'.repeat(n)).join('  '),
    ...body.map(line),
    `${fmt(rows)} rows of scenarios/valve-sensors.yaml, default workers, median of ${reps}; load average ${before.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
  };
  console.log(await runStreamBench(Number(arg('rows', '2000000')), Number(arg('reps', '3'))));
}
