/**
 * Property-based fuzzing of paranom's front door (fast-check). Seeded and replayable:
 * the seed is printed; a failing case prints fast-check's { seed, path }, and
 *   FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts
 * replays the run. Properties: exit codes only 0/1/2/3; no "internal error"; no stack
 * trace; no case runs past its time limit; a refusal leaves no file behind.
 *
 * - 2,000 scenario mutations through the library's load → validate → plan path, in process;
 * - a sample of mutations through the real CLI binary (each under a process timeout);
 * - 500 CLI argument vectors through the in-process CLI entry (runCli);
 * - random *valid* scenarios (test/valid-scenarios.ts) end to end: generate exits 0, DuckDB
 *   (Arrow files: apache-arrow) reads every column of the rows and labels the manifest
 *   counts, another worker count and shard size give the same rows (written as Parquet for
 *   a CSV or Arrow case: the same values in both formats), DuckDB holds the Parquet dataset
 *   to its manifest (test/read-back.ts: types, nulls, NaN, timestamps, labels against the
 *   segment table, the clean twin), a run split in two parts and merged gives the same
 *   files, verify says ok and report writes its page. test/fuzz-campaign.ts runs the same
 *   scenarios by the hundred with more steps (grow, splits, streams), outside `npm test`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, ParanomError } from '../src/errors.js';
import { parseScenario, withOverrides } from '../src/reader/load.js';
import { planGeneration, shardRowCount } from '../src/plan/planner.js';
import { datasetRows } from '../src/dataset/manifest.js';
import { tableFromIPC } from 'apache-arrow';
import { duck, tempDir } from './helpers.js';
import { validCase, writeInputs, type ValidCase } from './valid-scenarios.js';
import { checkParquetDataset, compareArrowToParquet, compareCsvFilesToParquet, dataFiles } from './read-back.js';
import { cli, cliProcess, cpuMs, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const PATH = process.env['FUZZ_PATH'];
console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED} npx vitest run test/fuzz.test.ts)`);
const params = (numRuns: number) => ({ seed: SEED, numRuns, ...(PATH ? { path: PATH } : {}), endOnFailure: true });

/**
 * Each in-process case must finish within this much CPU time (a hang or a quadratic
 * blow-up shows here); CPU time, not wall time, so a loaded machine does not stretch it.
 */
const CASE_CPU_MS = 5_000;

// ---------------------------------------------------------------------------------------
// Scenario mutations

const HAND_MADE: Array<Record<string, unknown>> = [
  tinyScenario(5000),
  {
    seed: 9,
    timeline: { start: '2024-02-28T23:00:00Z', step: '5m', end: '2024-03-02T00:00:00Z' },
    anomalies: { count: 3, duration: ['10m', '1h'] },
    uniqueness: { key: ['k'], normal: { mode: 'hard', tries: 8 }, anomalous: { mode: 'soft', tries: 2 } },
    variables: {
      k: { dtype: 'int32', normal: { dist: 'integer', min: 0, max: 1_000_000 } },
      id: { type: 'id', min: 100, max: 10_000_000 },
      load: { type: 'process', components: [{ type: 'sine', period: '1d', amplitude: 3 }, { type: 'noise', dist: 'normal', sd: 0.5 }] },
      f: { dtype: 'float32', normal: { dist: 'exponential', rate: 2 }, anomalous: { dist: 'lognormal', mu: 1, sigma: 0.5 } },
    },
  },
  {
    timeline: { rows: 100_000 },
    anomalies: { frequency: 0.02, kinds: [{ kind: 'spike', duration: [1, 1], magnitude: [2, 4] }, { kind: 'level_shift', duration: [5, 50], shift: [1, 2] }] },
    variables: { temp: { normal: { dist: 'normal', mean: 20, sd: 2 } }, on: { normal: { dist: 'bernoulli', p: 0.3 } } },
  },
];

/**
 * The bases: the hand-made ones above (read as if beside the test's temporary files), and
 * every scenario shipped in scenarios/ and test/fixtures/golden, read from their own folder
 * so that the callback modules, source files and VAE models they name load — fleets,
 * outages, correlations, splits, processes, every anomaly kind.
 */
const SHIPPED = ['scenarios', 'test/fixtures/golden'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ doc: parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>, dir })),
);
const BASES: Array<{ doc: Record<string, unknown>; dir: string | null }> = [...HAND_MADE.map((doc) => ({ doc, dir: null })), ...SHIPPED];

/** Values a mutation may put anywhere: edge numbers, wrong types, hostile strings. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 0.5, 1e308, -1.7e308, 2 ** 53, 2 ** 53 + 2, 1e12, 1e13, NaN, Infinity, -Infinity),
  fc.constantFrom('', ' ', '1s', '0ms', '-5m', '1e309', 'NaN', 'IS_ANOMALY', 'Timestamp', '../../etc/passwd', '/proc/self/mem', 'normal', 'categorical', 'hard', 'x'.repeat(300), '2024-02-30T00:00:00Z'),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noDefaultInfinity: false, noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 }), fc.double()), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom('dist', 'min', 'max', 'type', 'mean', 'sd', 'p', 'values', 'weights', 'kind', 'rows'), fc.oneof(fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 4 })), { maxKeys: 3 }),
);

type Mutation =
  | { op: 'set'; path: number[]; value: unknown }
  | { op: 'delete'; path: number[] }
  | { op: 'rename'; path: number[]; how: 'upper' | 'lower' | 'reserved' | 'space' }
  | { op: 'nest'; path: number[]; depth: number }
  | { op: 'clone-case'; path: number[] };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), value: weird }),
  fc.record({ op: fc.constant('delete' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) }),
  fc.record({ op: fc.constant('rename' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), how: fc.constantFrom('upper' as const, 'lower' as const, 'reserved' as const, 'space' as const) }),
  fc.record({ op: fc.constant('nest' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), depth: fc.constantFrom(1, 2, 10, 100, 1000) }),
  fc.record({ op: fc.constant('clone-case' as const), path: fc.array(fc.nat(), { minLength: 0, maxLength: 2 }) }),
);

type Json = Record<string, unknown> | unknown[];

/** Walks `path` (indices into each level's keys) to a container and one of its keys. */
function locate(doc: Json, path: number[]): { parent: Json; key: string | number } | undefined {
  let node: unknown = doc;
  let parent: Json | undefined;
  let key: string | number | undefined;
  for (const step of path) {
    if (node === null || typeof node !== 'object') break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Json;
    key = keys[step % keys.length]!;
    node = (node as Record<string | number, unknown>)[key];
  }
  return parent && key !== undefined ? { parent, key } : undefined;
}

function apply(doc: Json, m: Mutation): void {
  // clone-case works among the variables: a second variable whose name differs only in case.
  const vars = Array.isArray(doc) ? -1 : Object.keys(doc).indexOf('variables');
  const at = locate(doc, m.op === 'clone-case' ? (vars < 0 ? [] : [vars, ...m.path.slice(0, 1)]) : m.path);
  if (!at) return;
  const { parent, key } = at;
  const p = parent as Record<string | number, unknown>;
  switch (m.op) {
    case 'set':
      p[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      break;
    case 'nest': {
      let v: unknown = p[key];
      for (let i = 0; i < m.depth; i++) v = [v];
      p[key] = v;
      break;
    }
    case 'rename':
    case 'clone-case': {
      if (Array.isArray(parent) || typeof key !== 'string') return;
      const name = m.op === 'clone-case' ? key.toUpperCase() : m.how === 'upper' ? key.toUpperCase() : m.how === 'lower' ? key.toLowerCase() : m.how === 'reserved' ? 'Is_Anomaly' : ` ${key}`;
      p[name] = p[key];
      if (m.op === 'rename' && name !== key) delete p[key];
      break;
    }
  }
}

/** A mutated copy of a base document, as JSON or YAML text. */
const mutatedScenario = fc.record({ base: fc.nat({ max: BASES.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }), yaml: fc.boolean() }).map(({ base, mutations, yaml }) => {
  const doc = structuredClone(BASES[base]!.doc) as Json;
  for (const m of mutations) apply(doc, m);
  // The YAML writer recurses: very deep documents go as JSON (which is YAML too).
  const deep = mutations.some((m) => m.op === 'nest' && m.depth > 100);
  let text: string;
  try {
    text = yaml && !deep ? stringify(doc, { aliasDuplicateObjects: false }) : JSON.stringify(doc);
  } catch {
    // Nested past what the serialisers recurse through: the text a user could still write.
    text = '{"timeline": {"rows": 10}, "variables": ' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  }
  // Only the text is the case: fast-check prints it on failure (a deep value would overflow its printer).
  return { text, yaml, dir: BASES[base]!.dir };
});

/** What every refusal must look like. */
function checkRefusal(err: unknown): void {
  if (!(err instanceof ParanomError)) throw new Error(`not a ParanomError (would print "internal error"): ${(err as Error)?.stack ?? String(err)}`);
  expect([1, 2, 3]).toContain(exitCodeOf(err));
  expect(err.message).not.toMatch(/internal error|\n\s+at /);
}

describe('fuzz: scenario mutations', () => {
  it('2,000 mutations through load → validate → plan: a Scenario and a plan, or a coded refusal', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(mutatedScenario, ({ text, yaml, dir: from }) => {
        const t0 = cpuMs();
        try {
          const s = parseScenario(text, join(from ?? dir, yaml ? 'scenario.yaml' : 'scenario.json'));
          const small = withOverrides(s, { rows: Math.min(s.timeline.rows, 10_000) });
          const plan = planGeneration(small, { shardRows: 65_536 });
          // A fleet shard holds its rectangle's rows: entities × timestamps.
          expect(plan.shards.reduce((a, x) => a + shardRowCount(x), 0)).toBe(datasetRows(small));
        } catch (err) {
          checkRefusal(err);
        }
        expect(cpuMs() - t0).toBeLessThan(CASE_CPU_MS);
      }),
      params(2000),
    );
  }, 300_000);

  it('a sample of mutations through the real CLI: exit 0/1/2/3, no stack, nothing left after a refusal', () => {
    const dir = tempDir();
    let n = 0;
    fc.assert(
      fc.property(mutatedScenario, ({ text, yaml }) => {
        const k = n++;
        const file = join(dir, `s${k}.${yaml ? 'yaml' : 'json'}`);
        writeFileSync(file, text);
        const out = join(dir, `out${k}`);
        // A fleet base is 1,000 entities × 3,000 rows (8 CPU-seconds): bounded by CPU time, not by how loaded the machine is.
        const r = cliProcess(['generate', file, '--out', out, '--rows', '3000', '--workers', '1'], { cpuSeconds: 60, timeout: 600_000 });
        expect(r.code, `ran past its CPU time or was killed: ${r.err}`).not.toBeNull();
        expect([0, 1, 2, 3]).toContain(r.code);
        expect(r.err).not.toMatch(/internal error|^\s+at /m);
        if (r.code !== 0) expect(existsSync(out), r.err).toBe(false);
      }),
      params(20),
    );
  }, 1_200_000);
});

// ---------------------------------------------------------------------------------------
// Valid scenarios, end to end

/** The generate arguments of a drawn case, into `out`. */
function generateArgs(c: ValidCase, file: string, out: string, layout: { workers: number; shardRows: number | undefined } = c): string[] {
  return ['generate', file, '--out', out, '--format', c.format, '--workers', String(layout.workers), ...(c.format === 'parquet' ? ['--compression', c.compression] : []), ...(layout.shardRows ? ['--shard-rows', String(layout.shardRows)] : []), ...(c.withClean ? ['--with-clean'] : [])];
}

/** Rows, labelled rows and an order-free digest of every value of a dataset's shards, as a reader decodes them. */
async function readBack(c: ValidCase, out: string): Promise<{ rows: number; labelled: number; digest: string }> {
  if (c.format === 'arrow') {
    const tables = readdirSync(join(out, 'data')).map((f) => tableFromIPC(readFileSync(join(out, 'data', f))));
    const labelled = tables.reduce((a, t) => a + t.getChild('is_anomaly')!.toArray().reduce((n: number, x: unknown) => n + (x ? 1 : 0), 0), 0);
    return { rows: tables.reduce((a, t) => a + t.numRows, 0), labelled, digest: '' };
  }
  const from = c.format === 'csv' ? `read_csv('${out}/data/*.csv', header = true, all_varchar = true)` : `read_parquet('${out}/data/*.parquet')`;
  const labelled = c.format === 'csv' ? "is_anomaly = 'true'" : 'is_anomaly';
  const [r] = await duck(`SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE ${labelled})::BIGINT AS a, sum(hash(t))::VARCHAR AS h FROM ${from} t`);
  return { rows: Number(r!['n']), labelled: Number(r!['a']), digest: String(r!['h']) };
}

/** The values of variables with `limits` (and their clean twins) that DuckDB reads outside them from a Parquet dataset. */
async function outsideLimits(c: ValidCase, dataset: string): Promise<string[]> {
  const variables = c.doc['variables'] as Record<string, { limits?: [number | null, number | null] } | null>;
  const problems: string[] = [];
  // A clean twin is written for the variables kinds act on, when asked for.
  const columns = new Set((await duck(`DESCRIBE SELECT * FROM read_parquet('${dataset}/data/*.parquet')`)).map((r) => String(r['column_name'])));
  for (const [name, v] of Object.entries(variables)) {
    if (!v?.limits) continue;
    const [lo, hi] = v.limits;
    for (const column of [name, `${name}_clean`].filter((x) => columns.has(x))) {
      const [r] = await duck(`SELECT min("${column}")::DOUBLE AS lo, max("${column}")::DOUBLE AS hi FROM read_parquet('${dataset}/data/*.parquet')`);
      if (lo !== null && r!['lo'] !== null && Number(r!['lo']) < lo) problems.push(`${column}: ${String(r!['lo'])} below ${lo}`);
      if (hi !== null && r!['hi'] !== null && Number(r!['hi']) > hi) problems.push(`${column}: ${String(r!['hi'])} above ${hi}`);
    }
  }
  return problems;
}

describe('fuzz: valid scenarios end to end', () => {
  it('drawn over the whole format: generate, read back, another layout, a split run, verify and report all agree', async () => {
    const box = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validCase(70_000), async (c) => {
        const dir = join(box, `c${n++}`);
        mkdirSync(dir);
        await writeInputs(dir);
        const file = join(dir, 'scenario.json');
        writeFileSync(file, JSON.stringify(c.doc, null, 1));
        const out = join(dir, 'out');
        const g = await cli(...generateArgs(c, file, out));
        expect(g.code, g.err).toBe(0);
        const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { rows: number; anomalies: { realised: { anomalous_rows: number } } };
        const read = await readBack(c, out);
        expect(read.rows).toBe(m.rows);
        expect(read.labelled).toBe(m.anomalies.realised.anomalous_rows);
        // D2: another worker count and shard size, the same rows; a CSV or Arrow dataset's
        // rows written as Parquet there, the same values (DuckDB and parquet-wasm against
        // apache-arrow), and the Parquet dataset held to its manifest by DuckDB.
        const other = join(dir, 'other');
        const layout = { workers: 3 - c.workers, shardRows: c.shardRows === 65_536 ? 131_072 : 65_536 };
        const g2 = await cli(...generateArgs({ ...c, format: 'parquet' }, file, other, layout));
        expect(g2.code, g2.err).toBe(0);
        const parquet = c.format === 'parquet' ? out : other;
        expect(await checkParquetDataset(parquet)).toEqual([]);
        expect(await outsideLimits(c, parquet)).toEqual([]);
        if (c.format === 'parquet') expect(await readBack(c, other)).toEqual(read);
        else if (c.format === 'csv') expect(await compareCsvFilesToParquet('csv', dataFiles(out).map((f) => join(out, 'data', f)), dataFiles(other).map((f) => join(other, 'data', f)))).toEqual([]);
        else expect(compareArrowToParquet(out, other)).toEqual([]);
        // A run split in two parts, merged: the same files as one run.
        const parted = join(dir, 'parted');
        for (const k of [1, 2]) {
          const p = await cli(...generateArgs(c, file, parted), '--part', `${k}/2`);
          expect(p.code, p.err).toBe(0);
        }
        const merged = await cli('merge-manifests', parted);
        expect(merged.code, merged.err).toBe(0);
        expect(treeHashes(parted)).toEqual(treeHashes(out));
        const v = await cli('verify', out, '--sample', '2');
        expect(v.code, v.out + v.err).toBe(0);
        const r = await cli('report', out, '--out', join(dir, 'report.html'));
        expect(r.code, r.err).toBe(0);
      }),
      params(8),
    );
  }, 600_000);
});

// ---------------------------------------------------------------------------------------
// CLI argument vectors

describe('fuzz: CLI argument vectors', () => {
  it('500 vectors through the in-process CLI: exit 0/1/2/3, no internal error or stack, nothing changed by a refusal', async () => {
    const box = tempDir();
    const scenario = writeScenario(box, tinyScenario(2000));
    const bad = writeScenario(box, { timeline: { rows: 0 }, variables: {} }, 'bad.json');
    writeFileSync(join(box, 'afile'), 'a user file');
    const dataset = join(box, 'ds');
    expect((await cli('generate', scenario, '--out', dataset)).code).toBe(0);
    mkdirSync(join(box, 'empty'));

    let fresh = 0;
    const value = fc.oneof(
      fc.constantFrom('1', '2', '100', '2000', '5000', '65536'),
      fc.constantFrom('0', '-1', '-3', '1.5', 'abc', '', ' ', '1e13', '9007199254740993', '0x10', '1e3', 'Infinity', 'NaN', '--', '-'),
    );
    const path = fc.oneof(
      fc.constantFrom(scenario, bad, join(box, 'missing.yaml'), join(box, 'afile'), dataset, join(box, 'empty'), '', '/proc/x', join(box, 'afile', 'sub'), join(dataset, 'data'), box),
      fc.constant('<fresh>'),
    );
    const option = fc.oneof(
      fc.tuple(fc.constantFrom('--rows', '--seed', '--workers', '-w', '--shard-rows', '--sample', '--parts'), value).map(([f, v]) => [f, v]),
      fc.tuple(fc.constantFrom('--out', '-o', '--to'), path).map(([f, v]) => [f, v]),
      fc.tuple(fc.constant('--part'), fc.constantFrom('1/1', '1/2', '2/2', '3/2', '0/1', 'a/b', '')).map(([f, v]) => [f, v]),
      fc.tuple(fc.constant('--format'), fc.constantFrom('parquet', 'arrow', 'csv', 'ndjson', 'xml')).map(([f, v]) => [f, v]),
      fc.constantFrom(['--force'], ['--dry-run'], ['--with-clean'], ['--verbose'], ['--no-check-files'], ['--bogus'], ['--rows'], ['--out'], ['--help'], ['--version']),
    );
    const vector = fc.record({
      command: fc.constantFrom('generate', 'generate', 'generate', 'validate', 'grow', 'verify', 'merge', 'merge-manifests', 'frobnicate'),
      target: path,
      options: fc.array(option, { maxLength: 5 }),
    });

    await fc.assert(
      fc.asyncProperty(vector, async ({ command, target, options }) => {
        const sub = (x: string) => (x === '<fresh>' ? join(box, `fresh-${fresh++}`) : x);
        const args = [command, sub(target), ...options.flat().map(sub)];
        const before = treeHashes(box);
        const t0 = cpuMs();
        const r = await cli(...args);
        expect(cpuMs() - t0, args.join(' ')).toBeLessThan(60_000);
        expect([0, 1, 2, 3], `${args.join(' ')}\n${r.err}`).toContain(r.code);
        expect(r.err, args.join(' ')).not.toMatch(/internal error/);
        // --verbose asks for stack traces; without it there are none.
        if (!args.includes('--verbose')) expect(r.err, args.join(' ')).not.toMatch(/^\s+at /m);
        // A refusal changes nothing: no file appears, none changes, none goes.
        if (r.code !== 0) expect(treeHashes(box), `${args.join(' ')}\n${r.err}`).toEqual(before);
      }),
      params(500),
    );
  }, 900_000);
});
