#!/usr/bin/env node
// kill -9 sweep over the commands that write: generate (a single series, a fleet in each order, a zstd
// dataset whose segment table is spooled, splits with uniqueness), grow,
// merge, merge-manifests and train-vae, each killed after a random delay spread over its
// whole run, with the user's own files beside --out (and in it where a command allows
// them). After each kill it checks:
// the user's files hash as before; then `verify` passes, or the same command run again
// exits 0 and `verify` passes, with the bytes of an uninterrupted run.
//
//   npm run build && node scripts/kill-sweep.mjs [trials per command, default 20] [seed]
//
// Prints one line per command: trials, how many the kill caught mid-run, and every failure.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const TRIALS = Number(process.argv[2] ?? 20);
let seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31)) >>> 0;
const only = process.env.SWEEP_ONLY?.split(',');
console.log(`kill sweep: ${TRIALS} trials per command, seed ${seed} (replay: node scripts/kill-sweep.mjs ${TRIALS} ${seed})`);
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const sha = (b) => createHash('sha256').update(b).digest('hex');
function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = sha(readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
const run = (args) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
/** Runs the CLI and kills it with SIGKILL after `ms`; whether it was still running then. */
function killAfter(args, ms) {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.exitCode === null;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', () => {
      clearTimeout(timer);
      res(killed);
    });
  });
}
const timeOf = (args) => {
  const t = performance.now();
  const r = run(args);
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.err}`);
  return performance.now() - t;
};

const base = mkdtempSync(join(tmpdir(), 'paranom-sweep-'));
const doc = (rows) => ({
  name: 'sweep',
  seed: 3,
  timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
  anomalies: { frequency: 0.01, duration: [5, 20] },
  variables: { temp: { normal: { dist: 'normal', mean: 20, sd: 2 }, anomalous: { dist: 'uniform', min: 40, max: 60 } }, state: { normal: { dist: 'categorical', values: ['idle', 'run'] } } },
});
const scenario = join(base, 'scenario.json');
writeFileSync(scenario, JSON.stringify(doc(400_000)));
const SHARDS = ['--shard-rows', '65536', '--workers', '2'];
const USER = { 'notes.md': 'my notes', 'data.csv': 't,v\n1,2\n', 'results.parquet': 'not really parquet' };
const placeUser = (dir) => {
  mkdirSync(dir, { recursive: true });
  for (const [n, t] of Object.entries(USER)) writeFileSync(join(dir, n), t);
};
const userOk = (dir) => Object.entries(USER).every(([n, t]) => existsSync(join(dir, n)) && readFileSync(join(dir, n), 'utf8') === t);

const ref = join(base, 'ref');
const tGen = timeOf(['generate', scenario, '--out', ref, ...SHARDS]);
const refTree = tree(ref);
// A fleet run entity by entity, whose segment table is written as its shards end.
const fleetScenario = join(base, 'fleet.json');
writeFileSync(fleetScenario, JSON.stringify({ ...doc(10_000), name: 'sweep-fleet', entities: { count: 40, key: 'unit' }, anomalies: { frequency: 0.05, duration: [2, 8], outages: { frequency: 0.01, duration: [10, 30], share: 0.5, kind: 'flat_line' } } }));
const fleetRef = join(base, 'fleet-ref');
const tFleet = timeOf(['generate', fleetScenario, '--out', fleetRef, ...SHARDS]);
const fleetTree = tree(fleetRef);
// A time-major fleet, whose events are sorted through runs beside its segment table; runs of
// 40 events (the variable reaches only such a sort), so kills find them there.
process.env.PARANOM_SEGMENT_SPILL_EVENTS = '40';
const fleetTimeScenario = join(base, 'fleet-time.json');
writeFileSync(fleetTimeScenario, JSON.stringify({ ...JSON.parse(readFileSync(fleetScenario, 'utf8')), name: 'sweep-fleet-time', entities: { count: 40, key: 'unit', order: 'time_entity' } }));
const fleetTimeRef = join(base, 'fleet-time-ref');
const tFleetTime = timeOf(['generate', fleetTimeScenario, '--out', fleetTimeRef, ...SHARDS]);
const fleetTimeTree = tree(fleetTimeRef);
// A zstd dataset with more events than a page of its segment table: the table's pieces are
// spooled beside it until the end (run/segment-spool.ts), so kills find the spool there.
const zstdScenario = join(base, 'zstd.json');
writeFileSync(zstdScenario, JSON.stringify({ ...doc(600_000), name: 'sweep-zstd', anomalies: { frequency: 0.25, duration: [1, 3] } }));
const zstdArgs = (out) => ['generate', zstdScenario, '--out', out, ...SHARDS, '--compression', 'zstd'];
const zstdRef = join(base, 'zstd-ref');
const tZstd = timeOf(zstdArgs(zstdRef));
const zstdTree = tree(zstdRef);
// Splits of a scenario with hard uniqueness on a crowded key: the test split resolves its rows
// against the train rows before it, which it fingerprints but never writes.
const splitsScenario = join(base, 'splits.json');
writeFileSync(splitsScenario, JSON.stringify({ ...doc(300_000), name: 'sweep-splits', splits: { train: 0.6 }, uniqueness: { key: ['device'], normal: { mode: 'hard', tries: 100 }, anomalous: { mode: 'hard', tries: 100 } }, variables: { ...doc(0).variables, device: { normal: { dist: 'integer', min: 0, max: 899_999 } } } }));
const splitsArgs = (out) => ['generate', splitsScenario, '--out', out, ...SHARDS];
const splitsRef = join(base, 'splits-ref');
const tSplits = timeOf(splitsArgs(splitsRef));
const splitsTree = tree(splitsRef);
const small = join(base, 'small');
run(['generate', scenario, '--out', small, ...SHARDS, '--rows', '150000']);
const tGrow = timeOf(['grow', join(base, 'small'), '--rows', '400000', '--workers', '2']) ;
rmSync(small, { recursive: true });
run(['generate', scenario, '--out', small, ...SHARDS, '--rows', '150000']);
const refMerged = join(base, 'ref.parquet');
const tMerge = timeOf(['merge', ref, '--to', refMerged]);
const mergedHash = sha(readFileSync(refMerged));
const parts = join(base, 'parts');
for (const k of [1, 2]) run(['generate', scenario, '--out', parts, ...SHARDS, '--part', `${k}/2`]);
const partsCopy = join(base, 'parts-ref');
cpSync(parts, partsCopy, { recursive: true });
const tMm = timeOf(['merge-manifests', partsCopy]);
const partsTree = tree(partsCopy);
const VAE_DATA = join(ROOT, 'test/fixtures/vae/nyc_taxi_6w.csv');
const vaeArgs = (out) => ['train-vae', '--data', VAE_DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '3', '--seed', '5', '--backend', 'cpu', '--out', out];
const vaeRef = join(base, 'vae-ref');
const tVae = timeOf(vaeArgs(vaeRef));
const vaeTree = tree(vaeRef);
console.log(`durations (ms): generate ${tGen.toFixed(0)}, generate-fleet ${tFleet.toFixed(0)}, generate-fleet-time ${tFleetTime.toFixed(0)}, generate-zstd ${tZstd.toFixed(0)}, generate-splits ${tSplits.toFixed(0)}, grow ${tGrow.toFixed(0)}, merge ${tMerge.toFixed(0)}, merge-manifests ${tMm.toFixed(0)}, train-vae ${tVae.toFixed(0)}`);

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const withoutLock = (t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('.paranom')));

/** One command's trials: `setup(dir)` → args; `check(dir, trial)` → problems after kill + recovery. */
async function sweep(name, duration, setup, recover) {
  if (only && !only.includes(name)) return;
  const failures = [];
  let caught = 0;
  for (let t = 0; t < TRIALS; t++) {
    const dir = join(base, `${name}-${t}`);
    placeUser(dir);
    const args = setup(dir);
    // From 0 to 1.2 × the command's time: before start-up, throughout, and just after.
    const ms = rand() * duration * 1.2;
    if (await killAfter(args, ms)) caught++;
    const problems = [];
    if (!userOk(dir)) problems.push('user files changed');
    problems.push(...recover(dir, args));
    if (!userOk(dir)) problems.push('user files changed after recovery');
    if (problems.length > 0) failures.push(`trial ${t} (killed at ${ms.toFixed(0)} ms): ${problems.join('; ')}`);
  }
  console.log(`${name}: ${TRIALS} trials, ${caught} killed mid-run, ${failures.length} failure(s)`);
  for (const f of failures) console.log(`  ${f}`);
}

/** verify passes, or the same command again exits 0 and then verify passes; the tree is `want`. */
function verifyOrRerun(ds, args, want) {
  const problems = [];
  let v = run(['verify', ds, '--sample', '2']);
  if (v.code !== 0) {
    const again = run(args);
    if (again.code !== 0) return [`rerun exit ${again.code}: ${again.err.trim().split('\n').slice(-2).join(' | ')} (verify before: ${v.out.trim().split('\n').slice(-1)}${v.err.trim()})`];
    v = run(['verify', ds, '--sample', '2']);
    if (v.code !== 0) problems.push(`verify after rerun: ${v.out}${v.err}`.trim());
  }
  if (want && !same(withoutLock(tree(ds)), withoutLock(want))) problems.push(`files differ from an uninterrupted run: ${JSON.stringify(Object.keys(tree(ds)))}`);
  if (existsSync(join(ds, '.paranom.lock'))) {
    // A lock left by the killed run is fine (the next run takes it over), if its process is gone.
    const h = JSON.parse(readFileSync(join(ds, '.paranom.lock'), 'utf8'));
    try {
      process.kill(h.pid, 0);
      problems.push('a lock of a live process remains');
    } catch {}
  }
  return problems;
}

/** Recovery of a killed `generate`: verify passes, or the same command run again completes it to `want`. */
const recoverGenerate = (want) => (dir, args) => {
  const ds = join(dir, 'ds');
  // Killed before it wrote anything: nothing there, or an empty directory; the command completes it.
  if (!existsSync(join(ds, 'manifest.json')) && !existsSync(join(ds, '.paranom-run.jsonl'))) {
    const r = run(args);
    if (r.code !== 0) return [`rerun on what the kill left exit ${r.code}: ${r.err.trim()}`];
  }
  return verifyOrRerun(ds, args, want);
};

await sweep('generate', tGen, (dir) => ['generate', scenario, '--out', join(dir, 'ds'), ...SHARDS], recoverGenerate(refTree));
await sweep('generate-fleet', tFleet, (dir) => ['generate', fleetScenario, '--out', join(dir, 'ds'), ...SHARDS], recoverGenerate(fleetTree));
await sweep('generate-fleet-time', tFleetTime, (dir) => ['generate', fleetTimeScenario, '--out', join(dir, 'ds'), ...SHARDS], recoverGenerate(fleetTimeTree));
await sweep('generate-zstd', tZstd, (dir) => zstdArgs(join(dir, 'ds')), recoverGenerate(zstdTree));

await sweep('generate-splits', tSplits, (dir) => splitsArgs(join(dir, 'ds')), (dir, args) => {
  // An unfinished splits run is completed by the same command; then every split verifies and
  // the files are those of an uninterrupted run.
  const ds = join(dir, 'ds');
  const r = run(args);
  if (r.code !== 0) return [`rerun exit ${r.code}: ${r.err.trim().split('\n').slice(-2).join(' | ')}`];
  const problems = [];
  for (const split of ['train_clean', 'train', 'test']) {
    const v = run(['verify', join(ds, split), '--sample', '2']);
    if (v.code !== 0) problems.push(`verify ${split}: ${(v.out + v.err).trim().split('\n').slice(-2).join(' | ')}`);
  }
  const unlocked = (t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.split('/').some((p) => p.startsWith('.paranom'))));
  if (!same(unlocked(tree(ds)), unlocked(splitsTree))) problems.push(`files differ from an uninterrupted run: ${JSON.stringify(Object.keys(tree(ds)))}`);
  return problems;
});

await sweep('grow', tGrow, (dir) => {
  cpSync(small, join(dir, 'ds'), { recursive: true });
  return ['grow', join(dir, 'ds'), '--rows', '400000', '--workers', '2'];
}, (dir, args) => {
  const ds = join(dir, 'ds');
  const v = run(['verify', ds, '--sample', '2']);
  const problems = [];
  // The old dataset or the grown one: either way verify says ok or says a commit is to be completed.
  if (v.code !== 0 && !/grow|commit|run .* again/i.test(v.out + v.err)) problems.push(`verify right after the kill: ${(v.out + v.err).trim().split('\n').slice(-2).join(' | ')}`);
  const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
  if (m.rows !== 400000) {
    const r = run(args);
    if (r.code !== 0) problems.push(`grow again exit ${r.code}: ${r.err.trim()}`);
  }
  return [...problems, ...verifyOrRerun(ds, args, refTree)];
});

await sweep('merge', tMerge, (dir) => ['merge', ref, '--to', join(dir, 'all.parquet')], (dir, args) => {
  const to = join(dir, 'all.parquet');
  const problems = [];
  if (existsSync(to) && sha(readFileSync(to)) !== mergedHash) problems.push('a merged file that is not whole');
  const r = run([...args, '--force']);
  if (r.code !== 0) problems.push(`merge again exit ${r.code}: ${r.err.trim()}`);
  else if (sha(readFileSync(to)) !== mergedHash) problems.push('merge again: other bytes');
  const left = readdirSync(dir).filter((n) => !(n in USER) && n !== 'all.parquet');
  if (left.length > 0) problems.push(`left beside it: ${left.join(', ')}`);
  if (!same(tree(ref), refTree)) problems.push('the dataset changed');
  return problems;
});

await sweep('merge-manifests', tMm, (dir) => {
  cpSync(parts, join(dir, 'ds'), { recursive: true });
  return ['merge-manifests', join(dir, 'ds')];
}, (dir, args) => verifyOrRerun(join(dir, 'ds'), args, partsTree));

await sweep('train-vae', tVae, (dir) => {
  // Half the trials replace an earlier model at --out.
  if (rand() < 0.5) cpSync(vaeRef, join(dir, 'model'), { recursive: true });
  return vaeArgs(join(dir, 'model'));
}, (dir, args) => {
  const out = join(dir, 'model');
  const problems = [];
  const r = run(args);
  if (r.code !== 0) problems.push(`train-vae again exit ${r.code}: ${r.err.trim().split('\n').slice(-2).join(' | ')}`);
  else if (!same(tree(out), vaeTree)) problems.push(`model differs from an uninterrupted training: ${Object.keys(tree(out)).join(', ')}`);
  const left = readdirSync(dir).filter((n) => !(n in USER) && n !== 'model');
  if (left.length > 0) problems.push(`left beside it: ${left.join(', ')}`);
  return problems;
});

rmSync(base, { recursive: true, force: true });
