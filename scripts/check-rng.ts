/**
 * Statistical check of the engine's random core with dieharder.
 *
 *   npm run check:rng                      curated quick subset (a few minutes)
 *   npm run check:rng -- --all             the full battery (dieharder -a; hours)
 *   npm run check:rng -- --tests 0,2,102   chosen dieharder test numbers
 *
 * Options: --seed N (default 1), --stream N (default: the stream of the system purpose
 * "check-rng"), --resolve-weak (pass -Y 1: dieharder re-runs WEAK results with more
 * p-samples until they resolve into PASSED or FAILED).
 *
 * The words fed to dieharder are exactly those the engine consumes: Philox4x32-10 keyed by
 * the seed, over counters (pair mod 2^32, pair div 2^32, stream, attempt·256 + draw = 0)
 * for pair = 0, 1, 2, ..., all four 32-bit output words of each call in order — the words
 * fillRowUniforms turns into the uniforms of rows 0, 1, 2, 3, ... of one variable. They
 * are written to `dieharder -g 200` (raw 32-bit words on stdin, native byte order). Each
 * test of the subset starts again from pair 0, so every result is reproducible.
 *
 * Exit status: 0 when nothing FAILED (WEAK results are reported, not fatal: each test
 * p-value is WEAK with probability 1 % even for a perfect generator), 1 on any FAILED or
 * when dieharder is missing or misbehaves, 2 on a usage error.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Writable } from 'node:stream';
import { philox4x32 } from '../src/random/philox.js';
import { seedKey, type SeedKey } from '../src/random/counter.js';
import { systemStream } from '../src/random/hash.js';

/**
 * The quick subset: tests dieharder rates "Good", chosen to cover bit-level (monobit, runs,
 * serial, bit distribution, ranks), byte-level, spacing, geometric and permutation
 * structure, and to finish in a few minutes on two cores. Left out: diehard_sums ("Do Not
 * Use"), OPSO/OQSO/DNA ("Suspect"), and the slow rgb_minimum_distance (~3 min alone),
 * marsaglia_tsang_gcd (~2 min) and diehard_dna; --all runs everything.
 */
const QUICK: ReadonlyArray<{ d: number; extra?: string[] }> = [
  { d: 0 }, // diehard_birthdays
  { d: 1 }, // diehard_operm5
  { d: 2 }, // diehard_rank_32x32
  { d: 3 }, // diehard_rank_6x8
  { d: 4 }, // diehard_bitstream
  { d: 8 }, // diehard_count_1s_str
  { d: 9 }, // diehard_count_1s_byt
  { d: 10 }, // diehard_parking_lot
  { d: 11 }, // diehard_2dsphere
  { d: 12 }, // diehard_3dsphere
  { d: 13 }, // diehard_squeeze
  { d: 15 }, // diehard_runs
  { d: 16 }, // diehard_craps
  { d: 100 }, // sts_monobit
  { d: 101 }, // sts_runs
  { d: 102 }, // sts_serial (16 block lengths)
  { d: 200, extra: ['-n', '8'] }, // rgb_bitdist, 8-bit tuples
  { d: 202 }, // rgb_permutations
  { d: 203, extra: ['-n', '2'] }, // rgb_lagged_sum, lag 2
  { d: 204 }, // rgb_kstest_test
  { d: 205 }, // dab_bytedistrib
  { d: 206 }, // dab_dct
  { d: 207 }, // dab_filltree
  { d: 208 }, // dab_filltree2
  { d: 209 }, // dab_monobit2
];

interface Options {
  all: boolean;
  tests: Array<{ d: number; extra?: string[] }>;
  seed: number;
  stream: number;
  resolveWeak: boolean;
}

function usage(message: string): never {
  process.stderr.write(`check-rng: ${message}\n`);
  process.stderr.write('usage: check-rng [--all | --tests N,N,...] [--seed N] [--stream N] [--resolve-weak]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { all: false, tests: [...QUICK], seed: 1, stream: systemStream('check-rng'), resolveWeak: false };
  const int = (flag: string, v: string | undefined, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0 || n > max) usage(`${flag} expects an integer in [0, ${max}], got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--all') o.all = true;
    else if (a === '--resolve-weak') o.resolveWeak = true;
    else if (a === '--seed') o.seed = int(a, argv[++i], Number.MAX_SAFE_INTEGER);
    else if (a === '--stream') o.stream = int(a, argv[++i], 0xffffffff);
    else if (a === '--tests') {
      const v = argv[++i];
      if (!v) usage('--tests expects a comma-separated list of dieharder test numbers');
      o.tests = v.split(',').map((t) => ({ d: int('--tests', t.trim(), 1000) }));
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: check-rng [--all | --tests N,N,...] [--seed N] [--stream N] [--resolve-weak]\n');
      process.exit(0);
    } else usage(`unknown argument '${a}'`);
  }
  return o;
}

/** Produces the engine's Philox words, 4 per counter, in chunks. */
class WordSource {
  private pair = 0;
  private readonly scratch = new Uint32Array(4);
  bytes = 0;
  constructor(
    private readonly key: SeedKey,
    private readonly stream: number,
  ) {}

  /** The next `calls` Philox calls as raw native-endian bytes. */
  next(calls: number): Buffer {
    const words = new Uint32Array(calls * 4);
    const { key, stream, scratch } = this;
    let pair = this.pair;
    for (let j = 0; j < words.length; j += 4) {
      const w = philox4x32(pair % 4294967296, Math.floor(pair / 4294967296), stream, 0, key.k0, key.k1, scratch);
      words[j] = w[0]!;
      words[j + 1] = w[1]!;
      words[j + 2] = w[2]!;
      words[j + 3] = w[3]!;
      pair++;
    }
    this.pair = pair;
    this.bytes += words.byteLength;
    return Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  }
}

interface Result {
  test: string;
  ntup: string;
  psamples: number;
  pvalue: string;
  assessment: 'PASSED' | 'WEAK' | 'FAILED';
  line: string;
}

const RESULT = /^\s*([A-Za-z0-9_]+)\|\s*(\d+)\|\s*(\d+)\|\s*(\d+)\|\s*([0-9.eE+-]+)\|\s*(PASSED|WEAK|FAILED)\s*$/;

/**
 * With -Y 1 dieharder re-runs a test whose results include a WEAK one, with 100 more
 * p-samples each round, and prints every round. Only the last round of each
 * (test, ntuple) counts: the lines with the most p-samples.
 */
function finalRound(results: Result[]): Result[] {
  const most = new Map<string, number>();
  for (const r of results) {
    const k = `${r.test}|${r.ntup}`;
    most.set(k, Math.max(most.get(k) ?? 0, r.psamples));
  }
  return results.filter((r) => r.psamples === most.get(`${r.test}|${r.ntup}`));
}

/** Feeds `source` into `stdin` until the reader goes away; an EPIPE is the normal end. */
async function feed(stdin: Writable, source: WordSource): Promise<void> {
  let closed = false;
  let wake: (() => void) | null = null;
  const stop = (): void => {
    closed = true;
    wake?.();
  };
  stdin.on('error', (e: NodeJS.ErrnoException) => {
    // dieharder closes its stdin when it has read enough: EPIPE (or a write to the
    // destroyed stream) is how every run ends, not a failure.
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED' && e.code !== 'ECONNRESET') {
      process.stderr.write(`check-rng: writing to dieharder: ${e.message}\n`);
    }
    stop();
  });
  stdin.on('close', stop);
  while (!closed) {
    if (!stdin.write(source.next(16384))) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        stdin.once('drain', resolve);
      });
      wake = null;
    }
  }
}

interface Run {
  results: Result[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

async function runDieharder(args: string[], source: WordSource): Promise<Run> {
  const child = spawn('dieharder', ['-g', '200', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const results: Result[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = RESULT.exec(line);
      if (m) {
        results.push({ test: m[1]!, ntup: m[2]!, psamples: Number(m[4]), pvalue: m[5]!, assessment: m[6] as Result['assessment'], line: line.trim() });
        process.stdout.write(`${line}\n`);
      } else if (/^#|test_name/.test(line.trim()) && process.env['CHECK_RNG_VERBOSE']) {
        process.stdout.write(`${line}\n`);
      }
    }
  });
  const exited = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ results, code, signal }));
  });
  await Promise.race([feed(child.stdin, source), exited]);
  // dieharder may exit first (closing the pipe) or we may notice the EPIPE first.
  child.stdin.destroy();
  return exited;
}

function dieharderAvailable(): boolean {
  const r = spawnSync('dieharder', ['-l'], { stdio: 'ignore' });
  const err = r.error as NodeJS.ErrnoException | undefined;
  return !(err && err.code === 'ENOENT');
}

function fmtBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (!dieharderAvailable()) {
    process.stderr.write(
      'check-rng: dieharder is not installed (or not on PATH).\n' +
        '  Debian/Ubuntu: sudo apt-get install dieharder\n' +
        '  Fedora: sudo dnf install dieharder    macOS: brew install dieharder\n',
    );
    return 1;
  }
  const key = seedKey(o.seed);
  const extraFlags = o.resolveWeak ? ['-Y', '1'] : [];
  const runs: Array<{ label: string; args: string[] }> = o.all
    ? [{ label: 'all tests (-a)', args: ['-a', ...extraFlags] }]
    : o.tests.map((t) => ({ label: `-d ${t.d}${t.extra ? ' ' + t.extra.join(' ') : ''}`, args: ['-d', String(t.d), ...(t.extra ?? []), ...extraFlags] }));

  process.stdout.write(
    `check-rng: philox4x32-10, seed ${o.seed} (key ${key.k0}, ${key.k1}), stream ${o.stream}, attempt 0, draw 0\n` +
      `check-rng: ${o.all ? 'full battery: dieharder -g 200 -a' : `${runs.length} dieharder runs (-g 200)`}${o.resolveWeak ? ', WEAK results resolved (-Y 1)' : ''}\n`,
  );
  process.stdout.write('        test_name   |ntup| tsamples |psamples|  p-value |Assessment\n');

  const started = Date.now();
  const all: Result[] = [];
  let totalBytes = 0;
  let broken = 0;
  let superseded = 0;
  for (const r of runs) {
    const source = new WordSource(key, o.stream);
    const run = await runDieharder(r.args, source);
    totalBytes += source.bytes;
    const kept = o.resolveWeak ? finalRound(run.results) : run.results;
    superseded += run.results.length - kept.length;
    all.push(...kept);
    if (run.results.length === 0 || run.code !== 0) {
      broken++;
      process.stderr.write(
        `check-rng: dieharder ${r.label} ${run.signal ? `was killed by ${run.signal}` : `exited with status ${run.code}`}` +
          ` after ${run.results.length} result(s)\n`,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const count = (a: Result['assessment']): number => all.filter((r) => r.assessment === a).length;
  const passed = count('PASSED');
  const weak = count('WEAK');
  const failed = count('FAILED');

  process.stdout.write(
    `\ncheck-rng summary: ${all.length} p-values from ${runs.length} dieharder run(s): ` +
      `${passed} PASSED, ${weak} WEAK, ${failed} FAILED` +
      ` (${fmtBytes(totalBytes)} of Philox output generated, ${seconds.toFixed(0)} s)\n`,
  );
  if (superseded > 0) process.stdout.write(`check-rng: ${superseded} result line(s) of earlier -Y rounds superseded by their re-runs\n`);
  for (const r of all) if (r.assessment !== 'PASSED') process.stdout.write(`  ${r.assessment}: ${r.line}\n`);
  if (weak > 0 && failed === 0) {
    process.stdout.write(
      'check-rng: WEAK means 0.005 > p or p > 0.995 (for a good generator about 1 p-value in 100); re-run with --resolve-weak to settle them.\n',
    );
  }
  if (broken > 0) process.stdout.write(`check-rng: ${broken} dieharder run(s) did not complete normally\n`);
  return failed > 0 || broken > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`check-rng: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
