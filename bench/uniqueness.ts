/**
 * The cost of uniqueness: rows/s of scenarios/unique-keys.yaml with hard uniqueness and with
 * the uniqueness block removed, in the same run, plus each run's peak RSS (separate
 * processes so figures do not mix).
 *
 *   node dist/bench/uniqueness.js [--rows 10000000] [--workers 2]
 */
import { runChild } from './end-to-end.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIO = fileURLToPath(new URL('../../scenarios/unique-keys.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface UniquenessBenchResult {
  label: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  retried: number;
}

async function runOnce(label: string, scenario: string, rows: number, workers: number, dir: string): Promise<UniquenessBenchResult> {
  const out = join(dir, label);
  // The child's own peak RSS (VmHWM sampled while it runs), not the parent's.
  const m = await runChild(process.execPath, [CLI, 'generate', scenario, '--out', out, '--rows', String(rows), '--workers', String(workers)]);
  if (m.status !== 0) throw new Error(`${label}: generate exited ${m.status}: ${m.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { uniqueness: { normal: { retried_rows: number }; anomalous: { retried_rows: number } } | null };
  rmSync(out, { recursive: true, force: true });
  const retried = manifest.uniqueness ? manifest.uniqueness.normal.retried_rows + manifest.uniqueness.anomalous.retried_rows : 0;
  return { label, rows, seconds: m.seconds, rowsPerSecond: rows / m.seconds, peakRssMb: m.peakRssMb, retried };
}

export async function runUniquenessBench(rows: number, workers = 2): Promise<UniquenessBenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-unique-'));
  try {
    const text = readFileSync(SCENARIO, 'utf8');
    const plain = join(dir, 'none.yaml');
    // Same scenario without the uniqueness block (its lines run from `uniqueness:` to `variables:`).
    writeFileSync(plain, text.replace(/^uniqueness:[\s\S]*?(?=^variables:)/m, ''));
    const hardFile = join(dir, 'hard.yaml');
    writeFileSync(hardFile, text);
    return [await runOnce('none', plain, rows, workers, dir), await runOnce('hard', hardFile, rows, workers, dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = Number(arg('rows', '10000000'));
  const results = await runUniquenessBench(rows, Number(arg('workers', '2')));
  console.log(`\nuniqueness: scenarios/unique-keys.yaml, ${rows.toLocaleString('en-US')} rows`);
  console.log('mode   seconds      rows/s   peak RSS MB   retried rows');
  for (const r of results) console.log(`${r.label.padEnd(5)} ${r.seconds.toFixed(2).padStart(8)} ${Math.round(r.rowsPerSecond).toLocaleString('en-US').padStart(11)} ${r.peakRssMb.toFixed(0).padStart(12)} ${String(r.retried).padStart(14)}`);
  const [none, hard] = results;
  if (none && hard) console.log(`hard / none time = ${(hard.seconds / none.seconds).toFixed(2)}× (target ≤ 1.5×)`);
}
