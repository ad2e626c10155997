/**
 * `npm run bench`: every performance figure of the README in one run, each beside its
 * baseline or target, measured in the same run.
 *
 *   node dist/bench/run.js [--full] [--reps 3] [--readme README.md]
 *                          [--headline-rows 65536,3000000,10000000] [--scaling-rows 3000000,10000000]
 *                          [--phase-rows 3000000] [--disk-rows 10000000] [--rss-rows 2000000,20000000]
 *                          [--writer-rows 1000000] [--all-writers] [--stream-rows 2000000] [--e2e [--rows N]]
 *                          [--fleet 10000x1000] [--source-rows 2000000] [--skip startup,headline,scaling,phases,disk,micro,writers,rss,stream,fleet,source]
 *
 * 0. start-up (bench/startup.ts): `--help` and a 65,536-row generate beside `node -e 0`;
 * 1. the headline (bench/headline.ts): `npx paranom generate` of the reference scenario,
 *    as the README runs it, against DuckDB COPY at 65,536, 3M and 10M rows (`--full`:
 *    also 100M, with the peak RSS), alternating, medians, ratio against the ≥ 3× target;
 * 2. scaling: W=2 / W=1 at 3M and 10M rows, with the CPU seconds of each;
 * 3. phases (bench/phases.ts): a shard's time inside the workers, W=1 and W=2;
 * 4. the disk (bench/disk.ts): write + fsync of 1 GiB against paranom `--compression none`;
 * 5. micro (tinybench, whole 65,536-row blocks): the PRNG (WebAssembly and plain JS),
 *    each distribution, each variable kind that needs no outside file, Parquet/Arrow
 *    encoding of a block — rows/s and MB/s of what each case produces;
 * 6. writers (bench/writers.ts): single-thread encoders on the same 13 columns;
 * 7. peak RSS of whole runs of growing size (flat in the row count);
 * 8. streams (bench/stream.ts): generate --stdout per format to /dev/null and to a pipe,
 *    beside the file writer;
 * 9. fleets (bench/fleet.ts): a fleet of entities × rows (`--fleet E×R`, default 10⁷ rows)
 *    against one series of as many rows, wall time, rows/s and peak RSS;
 * 10. a large source (bench/source.ts): a CSV and a Parquet file of `--source-rows` rows
 *    replayed with 1 and 2 workers, wall time and peak RSS (parsed once, shared by the workers).
 * `--e2e` adds the end-to-end table of `paranom bench` (every peer, the naive generator too).
 * At the end it prints the README's performance figures as one block; `--readme README.md`
 * writes them between the README's bench markers instead. The default run takes about
 * five minutes on two cores.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { tableToIPC } from 'apache-arrow';
import { fillRowUniforms, fillRowUniformsJs, seedKey } from '../src/random/counter.js';
import { compileStochastic, fillStochastic } from '../src/variables/stochastic.js';
import { generateShard } from '../src/generate/shard.js';
import { ColumnArena } from '../src/columns/columns.js';
import { shardTable } from '../src/formats/arrow-table.js';
import { encodeParquet, encodeParquetWasm, ParquetOutput } from '../src/formats/parquet.js';
import { loadScenario, parseScenario } from '../src/reader/load.js';
import type { Scenario, StochasticVariable } from '../src/model/types.js';
import { prepareScenario } from '../src/variables/registry.js';
import { endToEndNotes, formatEndToEnd, referenceScenario, runChild, runEndToEnd } from './end-to-end.js';
import { formatWriterTable, runWriterBench, writerConclusion } from './writers.js';
import { runStreamBench } from './stream.js';
import { formatStartup, runStartupBench, type StartupCase } from './startup.js';
import { formatHeadline, formatLauncher, formatScaling, runHeadline, runLauncher, runScaling } from './headline.js';
import { formatPhases, formatTimeline, runPhases } from './phases.js';
import { measureFirstTouch } from './first-touch.js';
import { formatDisk, runDiskBench } from './disk.js';
import { readmeBlock, replaceReadmeBlock } from './readme-block.js';
import { formatFleetBench, runFleetBench } from './fleet.js';
import { formatSourceBench, runSourceBench } from './source.js';

const BLOCK = 65_536;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const skip = new Set(arg('skip', '').split(',').filter(Boolean));

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

// ---------------------------------------------------------------- 1. micro

interface MicroCase {
  group: string;
  name: string;
  /** Rows one call produces. */
  rows: number;
  /** Bytes one call produces. */
  bytes: number;
  fn: () => void;
}

function scenarioOf(variables: Record<string, unknown>, rows = 10 * BLOCK): Scenario {
  return parseScenario(JSON.stringify({ seed: 7, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows }, variables }), '<bench>');
}

async function microCases(dir: string): Promise<MicroCase[]> {
  const key = seedKey(7);
  const u = new Float64Array(BLOCK);
  const cases: MicroCase[] = [];
  let row = 0;
  // PRNG: uniforms of one block at a moving row offset (no caching across calls).
  cases.push({ group: 'prng', name: 'Philox4x32-10 WebAssembly (block)', rows: BLOCK, bytes: 8 * BLOCK, fn: () => fillRowUniforms(key, 0x1234, 0, 0, (row += BLOCK), BLOCK, u) });
  cases.push({ group: 'prng', name: 'Philox4x32-10 plain JS (reference)', rows: BLOCK, bytes: 8 * BLOCK, fn: () => fillRowUniformsJs(key, 0x1234, 0, 0, (row += BLOCK), BLOCK, u) });

  // Distributions: a stochastic variable's block fill, 1% of rows anomalous in runs.
  const anomalous = new Uint8Array(BLOCK);
  for (let i = 1000; i < BLOCK; i += 10_000) anomalous.fill(1, i, i + 100);
  const dists: Record<string, unknown> = {
    uniform: { dist: 'uniform', min: 0, max: 1 },
    normal: { dist: 'normal', mean: 0, sd: 1 },
    lognormal: { dist: 'lognormal', mu: 0, sigma: 0.5 },
    exponential: { dist: 'exponential', rate: 1 },
    'poisson (λ=4)': { dist: 'poisson', lambda: 4 },
    'poisson (λ=100)': { dist: 'poisson', lambda: 100 },
    bernoulli: { dist: 'bernoulli', p: 0.1 },
    integer: { dist: 'integer', min: 0, max: 1000 },
    'categorical (10 strings)': { dist: 'categorical', values: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] },
    constant: { dist: 'constant', value: 1.5 },
  };
  const s = scenarioOf(Object.fromEntries(Object.entries(dists).map(([n, d], i) => [`v${i}`, { normal: d }])));
  Object.keys(dists).forEach((name, i) => {
    const v = s.variables.find((x) => x.name === `v${i}`) as StochasticVariable;
    const c = compileStochastic(v, key);
    const out = new Float64Array(2 * BLOCK);
    const width = v.dtype === 'bool' ? 1 : v.dtype === 'string' || v.dtype === 'int32' || v.dtype === 'float32' ? 4 : 8;
    let r = 0;
    cases.push({ group: 'distribution', name: `${name} → ${v.dtype}`, rows: BLOCK, bytes: width * BLOCK, fn: () => fillStochastic(c, key, 7, (r += BLOCK), BLOCK, anomalous, u, out as never, 0) });
  });

  // Variable kinds: one-block shards of a one-variable scenario (timestamp and labels included).
  const cbFile = join(dir, 'bench-callback.mjs');
  writeFileSync(cbFile, 'export function normal(ctx) { return 20 + ctx.random.normal() * 2; }\n');
  const kinds: Record<string, unknown> = {
    stochastic: { normal: { dist: 'normal', mean: 0, sd: 1 } },
    id: { type: 'id', min: 1, max: 1e12 },
    'process (sine + noise)': { type: 'process', components: [{ type: 'sine', period: 1000, amplitude: 1 }, { type: 'noise', sd: 0.1 }] },
    'process (random walk)': { type: 'process', components: [{ type: 'random_walk', sd: 1 }] },
    'process (AR(2))': { type: 'process', components: [{ type: 'ar', coefficients: [0.5, 0.2], sd: 1 }] },
    callback: { type: 'callback', module: cbFile, normal: 'normal' },
  };
  for (const [name, spec] of Object.entries(kinds)) {
    let sc: Scenario;
    try {
      sc = scenarioOf({ x: spec });
      await prepareScenario(sc);
      generateShard(sc, 0, 16);
    } catch (e) {
      console.log(`  (micro: kind '${name}' skipped: ${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const arena = new ColumnArena();
    let r = 0;
    cases.push({ group: 'variable kind', name, rows: BLOCK, bytes: 8 * BLOCK, fn: () => void generateShard(sc, (r = (r + BLOCK) % (9 * BLOCK)), r + BLOCK, undefined, arena) });
  }
  // A correlation group of ten members (Cholesky rows over shared draws) beside ten independent normals.
  const ten = Array.from({ length: 10 }, (_, i) => `x${i}`);
  const wide: Record<string, Record<string, unknown>> = {
    '10 stochastic normals': Object.fromEntries(ten.map((n) => [n, { normal: { dist: 'normal', mean: 0, sd: 1 } }])),
    'correlated group of 10': { g: { type: 'correlated', correlation: ten.map((_, i) => ten.map((_, j) => (i === j ? 1 : 0.5))), variables: Object.fromEntries(ten.map((n) => [n, { dist: 'normal', mean: 0, sd: 1 }])) } },
  };
  for (const [name, vars] of Object.entries(wide)) {
    const sc = scenarioOf(vars);
    const arena = new ColumnArena();
    let r = 0;
    cases.push({ group: 'variable kind', name, rows: BLOCK, bytes: 80 * BLOCK, fn: () => void generateShard(sc, (r = (r + BLOCK) % (9 * BLOCK)), r + BLOCK, undefined, arena) });
  }

  // Encoding one block of the reference scenario.
  const ref = loadScenario(referenceScenario());
  const refTable = shardTable(generateShard(ref, 0, BLOCK));
  const meta = new Map([['paranom', '{}']]);
  const output = new ParquetOutput();
  const size = (b: Uint8Array) => b.length;
  const pq = size(encodeParquet(refTable, meta));
  cases.push({ group: 'encode (reference, 1 block)', name: 'paranom Parquet writer (snappy)', rows: BLOCK, bytes: pq, fn: () => void encodeParquet(refTable, meta, 'snappy', output) });
  cases.push({ group: 'encode (reference, 1 block)', name: 'parquet-wasm, tuned (snappy)', rows: BLOCK, bytes: size(encodeParquetWasm(refTable, meta)), fn: () => void encodeParquetWasm(refTable, meta) });
  cases.push({ group: 'encode (reference, 1 block)', name: 'parquet-wasm, zstd + BYTE_STREAM_SPLIT', rows: BLOCK, bytes: size(encodeParquet(refTable, meta, 'zstd')), fn: () => void encodeParquet(refTable, meta, 'zstd') });
  cases.push({ group: 'encode (reference, 1 block)', name: 'Arrow IPC stream', rows: BLOCK, bytes: size(tableToIPC(refTable, 'stream')), fn: () => void tableToIPC(refTable, 'stream') });
  const arena = new ColumnArena();
  let gr = 0;
  cases.push({ group: 'generate (reference, 1 block)', name: 'all 13 columns, reused buffers', rows: BLOCK, bytes: pq, fn: () => void generateShard(ref, (gr = (gr + BLOCK) % (100 * BLOCK)), gr + BLOCK, undefined, arena) });
  return cases;
}

async function runMicro(): Promise<{ prngPerSecond: number; encode: string; prng: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-micro-'));
  try {
    const cases = await microCases(dir);
    const bench = new Bench({ time: 400, warmupTime: 100 });
    for (const c of cases) bench.add(`${c.group}: ${c.name}`, c.fn);
    await bench.run();
    const rows: string[][] = [];
    let prng = NaN;
    // The README's lines: encoding one block (paranom's writer beside parquet-wasm) and the PRNG.
    const md: Record<string, string[]> = { encode: [], prng: [] };
    bench.tasks.forEach((t, i) => {
      const c = cases[i]!;
      const r = t.result as { state: string; latency?: { p50: number; rme: number }; error?: Error };
      if (r.state !== 'completed' || !r.latency) {
        rows.push([c.group, c.name, '-', '-', '-', r.error ? `error: ${r.error.message}` : r.state]);
        return;
      }
      const perSecond = 1000 / r.latency.p50;
      if (i === 0) prng = perSecond * c.rows;
      rows.push([c.group, c.name, fmt(perSecond * c.rows), ((perSecond * c.bytes) / 1e6).toFixed(0), r.latency.p50.toFixed(3), `±${r.latency.rme.toFixed(1)}%`]);
      const key = c.group.startsWith('encode') ? 'encode' : c.group === 'prng' ? 'prng' : '';
      if (key) md[key]!.push(`| ${c.name} | ${fmt(perSecond * c.rows)} | ${r.latency.p50.toFixed(2)} ms |`);
    });
    console.log(table(['group', 'case (one call = one 65,536-row block)', 'rows/s', 'MB/s', 'ms/call', 'rme'], rows));
    console.log(`PRNG: ${(prng / 1e6).toFixed(0)}M uniform doubles/s on one core (target ≥ 100M); plain JS reference in the next line.`);
    console.log(`process peak RSS after micro cases: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    const head = '| case (one 65,536-row block, one thread) | rows/s | per block |\n|---|---:|---:|\n';
    return { prngPerSecond: prng, encode: head + md['encode']!.join('\n'), prng: head + md['prng']!.join('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- 4. RSS

async function runRss(rowsList: readonly number[]): Promise<string> {
  const scenario = referenceScenario();
  const dir = mkdtempSync(join(tmpdir(), 'paranom-rss-'));
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  try {
    const rows: string[][] = [];
    for (const n of rowsList) {
      const out = join(dir, 'ds');
      const r = await runChild(process.execPath, [cli, 'generate', scenario, '--out', out, '--rows', String(n)]);
      if (r.status !== 0) throw new Error(`generate exited ${r.status}: ${r.stderr}`);
      // The merge of the same dataset into one file: streamed, so as flat in the rows.
      const to = join(dir, 'all.parquet');
      const m = await runChild(process.execPath, [cli, 'merge', out, '--to', to]);
      rmSync(out, { recursive: true, force: true });
      rmSync(to, { force: true });
      if (m.status !== 0) throw new Error(`merge exited ${m.status}: ${m.stderr}`);
      rows.push([fmt(n), r.seconds.toFixed(1), fmt(n / r.seconds), r.peakRssMb.toFixed(0), m.seconds.toFixed(1), m.peakRssMb.toFixed(0)]);
    }
    console.log(table(['rows', 'seconds', 'rows/s', 'peak RSS MB', 'merge s', 'merge peak RSS MB'], rows));
    return ['| rows | peak RSS of `generate` | peak RSS of `merge --to` |', '|---:|---:|---:|', ...rows.map((r) => `| ${r[0]} | ${r[3]} MB | ${r[5]} MB |`)].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const rows = Number(arg('rows', '10000000'));
  const reps = Number(arg('reps', '3'));
  const full = flag('full');
  const log = (l: string) => console.log(l);
  const t0 = performance.now();
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  const loads = [loadavg()[0]!];
  console.log(`paranom bench — ${machine}, load average ${load()}`);
  const blocks: Record<string, string> = {};
  let startup: StartupCase[] | undefined;
  if (!skip.has('startup')) {
    console.log('\n## 0. start-up (bench/startup.ts)');
    startup = await runStartupBench();
    console.log(formatStartup(startup));
  }
  if (!skip.has('headline')) {
    const sizes = arg('headline-rows', `65536,3000000,10000000${full ? ',100000000' : ''}`).split(',').filter(Boolean).map(Number);
    console.log(`\n## 1. headline: \`npx paranom generate scenarios/reference-13col.yaml\` vs DuckDB COPY, ${reps} alternating runs each (bench/headline.ts)`);
    const h = await runHeadline(sizes, reps, full ? [sizes[sizes.length - 1]!] : [], log);
    loads.push(loadavg()[0]!);
    blocks['headline'] = `${formatHeadline(h)}\n\n${formatLauncher(await runLauncher(5), h)}`;
    console.log(blocks['headline']);
  }
  if (!skip.has('scaling')) {
    const sizes = arg('scaling-rows', '3000000,10000000').split(',').filter(Boolean).map(Number);
    console.log(`\n## 2. scaling: W=2 / W=1, \`node dist/src/cli/main.js generate\`, ${reps} alternating runs each (wall medians; CPU = user + sys of the process)`);
    const sc = await runScaling(sizes, reps, log);
    loads.push(loadavg()[0]!);
    blocks['scaling'] = formatScaling(sc);
    console.log(blocks['scaling']);
  }
  if (!skip.has('phases')) {
    const pr = Number(arg('phase-rows', '3000000'));
    console.log(`\n## 3. phases of the shards, ${fmt(pr)} rows, timed inside the workers (bench/phases.ts; wall time of each phase, so a busy machine inflates them)`);
    const runs = await runPhases(pr);
    blocks['phases'] = formatPhases(runs, await measureFirstTouch());
    blocks['timeline'] = formatTimeline(runs);
    loads.push(loadavg()[0]!);
    console.log(blocks['phases']);
    console.log(blocks['timeline']);
  }
  if (!skip.has('disk')) {
    const dr = Number(arg('disk-rows', '10000000'));
    console.log(`\n## 4. toward the disk: write + fsync of 1 GiB vs paranom --compression none, ${fmt(dr)} rows, ${reps} alternating runs (bench/disk.ts)`);
    blocks['disk'] = formatDisk(await runDiskBench(dr, reps, log));
    loads.push(loadavg()[0]!);
    console.log(blocks['disk']);
  }
  if (flag('e2e')) {
    console.log(`\n## end to end with every peer: reference-13col → Parquet, ${fmt(rows)} rows, ${reps} runs each, round-robin`);
    const r = await runEndToEnd({ rows, reps, log });
    console.log('');
    console.log(formatEndToEnd(r));
    console.log(endToEndNotes(r));
  }
  if (!skip.has('micro')) {
    console.log('\n## 5. micro (tinybench; rows/s and MB/s of what one call produces)');
    const m = await runMicro();
    blocks['encode'] = m.encode;
    blocks['prng'] = m.prng;
  }
  if (!skip.has('writers')) {
    const wr = Number(arg('writer-rows', '1000000'));
    console.log(`\n## 6. Parquet writers, single thread, ${fmt(wr)} rows × 13 columns from memory to a file (bench/writers.ts${flag('all-writers') ? '' : '; --all-writers for every setting'})`);
    const results = await runWriterBench(wr, 3, () => undefined, flag('all-writers') ? 'all' : 'peers');
    blocks['writers'] = formatWriterTable(results);
    console.log(blocks['writers']);
    console.log(writerConclusion(results));
  }
  if (!skip.has('rss')) {
    const rssRows = arg('rss-rows', '2000000,20000000').split(',').filter(Boolean).map(Number);
    console.log('\n## 7. peak RSS of whole runs (generate with default workers, then merge of its dataset; flat in the row count)');
    blocks['rss'] = await runRss(rssRows);
  }
  if (!skip.has('stream')) {
    const sr = Number(arg('stream-rows', '2000000'));
    console.log(`\n## 8. streams: generate --stdout per format beside the file writer (bench/stream.ts)`);
    console.log(await runStreamBench(sr, reps));
  }
  if (!skip.has('fleet')) {
    const [entities, perEntity] = arg('fleet', '10000x1000').split('x').map(Number);
    console.log(`\n## 9. fleets: ${fmt(entities!)} entities × ${fmt(perEntity!)} rows against one series of as many rows (bench/fleet.ts)`);
    console.log(formatFleetBench(await runFleetBench({ entities: entities!, rows: perEntity!, reps })));
  }
  if (!skip.has('source')) {
    const rows = Number(arg('source-rows', '2000000'));
    console.log(`\n## 10. a source file of ${fmt(rows)} rows replayed with 1 and 2 workers (bench/source.ts)`);
    console.log(formatSourceBench(await runSourceBench({ rows, formats: ['csv', 'parquet'], workers: [1, 2], reps, map: false })));
  }
  loads.push(loadavg()[0]!);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\nbench finished in ${seconds.toFixed(0)} s; load average ${load()}`);
  const block = readmeBlock({ machine, command: `npm run bench${full ? ' -- --full' : ''}`, loads, startup, blocks });
  const readme = arg('readme', '');
  if (readme) {
    writeFileSync(readme, replaceReadmeBlock(readFileSync(readme, 'utf8'), block));
    console.log(`\nREADME figures updated in ${readme}.`);
  } else console.log(`\n---- README block (\`--readme README.md\` writes it between the bench markers) ----\n${block}\n----`);
}

await main();
