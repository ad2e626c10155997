/**
 * A large `source` file replayed by `paranom generate`: the file (CSV and Parquet, a
 * timestamp and a value column of R rows) is written once, then a scenario replaying its
 * value column over R timeline rows is generated with 1 and with 2 workers, each run a
 * child process whose peak RSS (VmHWM, worker threads included) is its own. The file is
 * read and parsed once, on the main thread, into columns the workers share, so neither
 * the peak RSS nor the wall time should grow with the worker count by a copy of the file.
 *
 *   node dist/bench/source.js [--rows 20000000] [--formats csv,parquet] [--workers 1,2] [--reps 1] [--map]
 *
 * `--map` replays with `timestamps: map` (the timestamp column parsed too).
 */
import { createRequire } from 'node:module';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeVector, Table, tableToIPC, TimestampMillisecond, vectorFromArray } from 'apache-arrow';
import { CLI, runChild } from './end-to-end.js';
import { median } from './stats.js';

const START_MS = Date.UTC(2024, 0, 1);
const STEP_MS = 60_000;

/** Row i's value: a daily wave with a little deterministic jitter (three decimals, as metrics are written). */
function valueAt(i: number): number {
  return Math.round((50 + 10 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 1000) / 200) * 1000) / 1000;
}

/** Writes the CSV source, `timestamp,value`, a million rows per write. */
export function writeSourceCsv(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'timestamp,value\n');
    for (let start = 0; start < rows; start += 1_000_000) {
      const end = Math.min(rows, start + 1_000_000);
      const lines: string[] = [];
      for (let i = start; i < end; i++) lines.push(`${new Date(START_MS + i * STEP_MS).toISOString()},${valueAt(i)}\n`);
      writeSync(fd, lines.join(''));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the same rows as Parquet (a TIMESTAMP(ms) and a DOUBLE column). */
export function writeSourceParquet(path: string, rows: number): void {
  const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
  const value = new Float64Array(rows);
  const times = new Array<Date>(rows);
  for (let i = 0; i < rows; i++) {
    value[i] = valueAt(i);
    times[i] = new Date(START_MS + i * STEP_MS);
  }
  const table = new Table({ timestamp: vectorFromArray(times, new TimestampMillisecond()), value: makeVector(value) });
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream'))));
}

function scenario(file: string, rows: number, map: boolean): string {
  return [
    'name: source-bench',
    'seed: 1',
    `timeline: { start: "2024-01-01T00:00:00Z", step: 1m, rows: ${rows} }`,
    'anomalies: { frequency: 0.001, duration: [10, 50], kinds: [{ kind: spike, magnitude: [5, 10] }] }',
    'variables:',
    `  cpu: { type: source, file: ${file}, column: value${map ? ', timestamps: map' : ''} }`,
    '',
  ].join('\n');
}

export interface SourceBenchCase {
  format: 'csv' | 'parquet';
  workers: number;
  seconds: number[];
  peakRssMb: number[];
}

export interface SourceBenchResult {
  rows: number;
  fileMb: Record<string, number>;
  cases: SourceBenchCase[];
  loads: number[];
}

export async function runSourceBench(o: { rows: number; formats: ReadonlyArray<'csv' | 'parquet'>; workers: readonly number[]; reps: number; map: boolean }): Promise<SourceBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-source-bench-'));
  const cases: SourceBenchCase[] = o.formats.flatMap((format) => o.workers.map((workers) => ({ format, workers, seconds: [], peakRssMb: [] })));
  const fileMb: Record<string, number> = {};
  const loads = [loadavg()[0]!];
  try {
    for (const format of o.formats) {
      const file = join(dir, `series.${format}`);
      if (format === 'csv') writeSourceCsv(file, o.rows);
      else writeSourceParquet(file, o.rows);
      fileMb[format] = statSync(file).size / 2 ** 20;
      writeFileSync(join(dir, `${format}.yaml`), scenario(`series.${format}`, o.rows, o.map));
    }
    for (let rep = 0; rep < o.reps; rep++) {
      for (const c of cases) {
        const out = join(dir, 'out');
        const r = await runChild(process.execPath, [CLI, 'generate', join(dir, `${c.format}.yaml`), '--out', out, '--workers', String(c.workers)]);
        if (r.status !== 0) throw new Error(`${c.format}, ${c.workers} workers: generate exited ${r.status}: ${r.stderr}`);
        c.seconds.push(r.seconds);
        c.peakRssMb.push(r.peakRssMb);
        rmSync(out, { recursive: true, force: true });
        loads.push(loadavg()[0]!);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: o.rows, fileMb, cases, loads };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** A Markdown table of the result. */
export function formatSourceBench(r: SourceBenchResult): string {
  const lines = ['| source file | workers | wall (median) | peak RSS |', '|---|---:|---:|---:|'];
  for (const c of r.cases) lines.push(`| ${c.format.toUpperCase()}, ${fmt(r.rows)} rows, ${fmt(r.fileMb[c.format]!)} MB | ${c.workers} | ${median(c.seconds).toFixed(1)} s | ${fmt(Math.max(...c.peakRssMb))} MB |`);
  lines.push('', `load average ${Math.min(...r.loads).toFixed(1)}–${Math.max(...r.loads).toFixed(1)} during the runs.`);
  return lines.join('\n');
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = Number(arg('rows', '20000000'));
  const formats = arg('formats', 'csv,parquet').split(',') as Array<'csv' | 'parquet'>;
  const workers = arg('workers', '1,2').split(',').map(Number);
  console.log(`source bench: ${fmt(rows)}-row source replayed over ${fmt(rows)} rows; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const r = await runSourceBench({ rows, formats, workers, reps: Number(arg('reps', '1')), map: process.argv.includes('--map') });
  console.log(formatSourceBench(r));
}
