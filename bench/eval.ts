/**
 * `paranom eval` at scale: a dataset of the valve-sensors scenario (R rows, generated and
 * merged into one Parquet file once), scored by `paranom eval` against the dataset's
 * labels, each run a child process whose wall time and peak RSS are its own; beside it in
 * the same run, DuckDB joining the same files, ranking the scores and computing ROC-AUC
 * (bench/peers/duckdb-eval.ts: one metric, a floor for the join and the sort).
 *
 *   node dist/bench/eval.js [--rows 1000000,10000000] [--reps 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, runChild, type ChildRun } from './end-to-end.js';
import { median } from './stats.js';

const SCENARIO = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../scenarios/valve-sensors.yaml' : '../scenarios/valve-sensors.yaml', import.meta.url));
const PEER = fileURLToPath(new URL('./peers/duckdb-eval.js', import.meta.url));

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1]! : fallback;
}

async function ok(r: Promise<ChildRun>, what: string): Promise<ChildRun> {
  const done = await r;
  if (done.status !== 0) throw new Error(`${what} failed (${done.status}): ${done.stderr}`);
  return done;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const rowsList = option('rows', '1000000,10000000').split(',').map(Number);
const reps = Number(option('reps', '2'));
const dir = mkdtempSync(join(tmpdir(), 'paranom-eval-bench-'));
try {
  console.log(`eval bench: valve-sensors, eval PRED --labels DATASET --score-column pressure; median of ${reps}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('rows          paranom eval   rows/s        peak RSS   B/row   DuckDB join+rank+AUC   rows/s');
  for (const rows of rowsList) {
    const ds = join(dir, `ds-${rows}`);
    const all = join(dir, `all-${rows}.parquet`);
    await ok(runChild(process.execPath, [CLI, 'generate', SCENARIO, '--rows', String(rows), '--out', ds]), 'generate');
    await ok(runChild(process.execPath, [CLI, 'merge', ds, '--to', all]), 'merge');
    const ours: ChildRun[] = [];
    const peer: ChildRun[] = [];
    let auc = '';
    for (let r = 0; r < reps; r++) {
      const e = await ok(runChild(process.execPath, [CLI, 'eval', all, '--labels', ds, '--score-column', 'pressure', '--json']), 'eval');
      ours.push(e);
      auc = (JSON.parse(e.stdout) as { roc_auc: number }).roc_auc.toFixed(6);
      const d = await runChild(process.execPath, [PEER, all, 'pressure', ds]);
      if (d.status === 0) peer.push(d);
    }
    const s = median(ours.map((x) => x.seconds));
    const rss = median(ours.map((x) => x.peakRssMb));
    const ds2 = peer.length ? median(peer.map((x) => x.seconds)) : NaN;
    const peerAuc = peer.length ? (JSON.parse(peer[0]!.stdout) as { roc_auc: number }).roc_auc.toFixed(6) : '—';
    console.log(
      `${fmt(rows).padEnd(13)} ${`${s.toFixed(2)} s`.padStart(12)}   ${fmt(Math.round(rows / s)).padStart(11)}   ${`${rss.toFixed(0)} MB`.padStart(8)}   ${((rss * 2 ** 20) / rows).toFixed(0).padStart(5)}   ${(peer.length ? `${ds2.toFixed(2)} s` : 'not installed').padStart(20)}   ${peer.length ? fmt(Math.round(rows / ds2)).padStart(11) : ''}  (ROC-AUC ${auc}; DuckDB ${peerAuc})`,
    );
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
