/**
 * The parallel engine: identical bytes for any worker count and shard size, grow ≡
 * direct generation, verify, crash safety and resume, parts merged ≡ one run, single-file merge.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { makeVector, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { generate } from '../src/run/generate.js';
import { readParquetRows } from '../src/formats/read.js';
import { readParquetRange } from '../src/formats/parquet-batches.js';
import { encodeParquet } from '../src/formats/parquet.js';
import { shardTable } from '../src/formats/arrow-table.js';
import { generateShard } from '../src/generate/shard.js';
import { grow } from '../src/run/grow.js';
import { verify } from '../src/run/verify.js';
import { mergeManifests, mergeToFile } from '../src/run/merge.js';
import { partFromEnvironment, selectPart } from '../src/plan/parts.js';
import { planGeneration } from '../src/plan/planner.js';
import type { Manifest } from '../src/dataset/manifest.js';
import { duck, scenarioFrom, tempDir, VALVE } from './helpers.js';

const CLI = 'dist/src/cli/main.js';
const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
const scenario = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 400_000 } });
const hashes = (m: Manifest) => m.shards.map((s) => `${s.file}:${s.sha256}`);

/** One digest of every value of the dataset, in row order, as DuckDB reads it. */
async function rowDigest(dir: string): Promise<string> {
  const [r] = await duck(`SELECT md5(string_agg(concat_ws('|', timestamp, temperature, pressure, flow, state, door_open, level, is_anomaly, anomaly_id), ',' ORDER BY timestamp)) AS h, count(*) AS n FROM read_parquet('${dir}/data/*.parquet')`);
  return `${r!['n']}:${r!['h']}`;
}

describe('layout independence through the pool (D2)', () => {
  it('W=1, W=2 and W=4 give the same shard hashes; three shard sizes give the same rows', async () => {
    const base = tempDir();
    const runs = await Promise.all([1, 2, 4].map((w) => generate(scenario, { out: join(base, `w${w}`), workers: w, shardRows: 131_072 })));
    expect(hashes(runs[1]!.manifest)).toEqual(hashes(runs[0]!.manifest));
    expect(hashes(runs[2]!.manifest)).toEqual(hashes(runs[0]!.manifest));
    const digest = await rowDigest(join(base, 'w1'));
    for (const rows of [65_536, 262_144]) {
      const dir = join(base, `s${rows}`);
      await generate(scenario, { out: dir, workers: 2, shardRows: rows });
      expect(await rowDigest(dir)).toBe(digest);
    }
  });
});

describe('grow', () => {
  it('extends N → M rows keeping complete shards byte for byte, and equals a direct M-row run', async () => {
    const base = tempDir();
    const small = await generate(scenario, { out: join(base, 'grown'), rows: 300_000, shardRows: 131_072, workers: 2 });
    const grown = await grow(join(base, 'grown'), 700_000, { workers: 2 });
    expect(grown.reused).toBe(2); // the trailing partial shard is regenerated
    expect(hashes(grown.manifest).slice(0, 2)).toEqual(hashes(small.manifest).slice(0, 2));
    const direct = await generate(scenario, { out: join(base, 'direct'), rows: 700_000, shardRows: 131_072, workers: 2 });
    expect(hashes(grown.manifest)).toEqual(hashes(direct.manifest));
    expect(readFileSync(join(base, 'grown/anomalies.parquet'))).toEqual(readFileSync(join(base, 'direct/anomalies.parquet')));
    expect((await verify(join(base, 'grown'))).ok).toBe(true);

    // Run again to the same size (a pipeline's rerun): every shard kept, the same bytes; fewer rows are refused.
    const tree = () => Object.fromEntries(['manifest.json', 'anomalies.parquet', ...readdirSync(join(base, 'grown/data')).map((f) => `data/${f}`)].map((f) => [f, readFileSync(join(base, 'grown', f)).toString('base64')]));
    const before = tree();
    const again = await grow(join(base, 'grown'), 700_000, { workers: 2 });
    expect(again.reused).toBe(again.manifest.shards.length);
    expect(tree()).toEqual(before);
    await expect(grow(join(base, 'grown'), 600_000)).rejects.toThrow(/grow needs at least the rows the dataset has \(700,000\), got 600,000/);
    expect(tree()).toEqual(before);
  });

  it('refuses to grow a count-mode dataset, whose events depend on the total', async () => {
    const out = join(tempDir(), 'count');
    const s = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 10_000 }, anomalies: { count: 3, duration: [5, 10] } });
    const r = await generate(s, { out, workers: 1 });
    expect(r.manifest.growth_stable).toBe(false);
    await expect(grow(out, 20_000)).rejects.toThrow(/cannot grow/);
  });
});

describe('verify', () => {
  it('passes a fresh dataset and names a corrupted shard', async () => {
    const out = join(tempDir(), 'v');
    await generate(scenario, { out, workers: 2, shardRows: 131_072 });
    const ok = await verify(out);
    expect(ok).toMatchObject({ ok: true, shardsChecked: 4, problems: [] });
    expect(ok.blocksCompared).toBeGreaterThanOrEqual(7);
    const file = join(out, 'data/part-00001.parquet');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    writeFileSync(file, bytes);
    const bad = await verify(out);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/part-00001\.parquet: SHA-256 differs/);
    const cli = spawnSync(process.execPath, [CLI, 'verify', out], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/MISMATCH data\/part-00001\.parquet/);
    expect(cli.stderr).toMatch(/^paranom: .*: \d+ problem\(s\); the dataset is not what its manifest says$/m);
  });
});

/** Every file of a dataset directory, by relative path, as base64. */
function treeOf(dir: string): Record<string, string> {
  return Object.fromEntries((readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

describe('verify compares sampled blocks', () => {
  it('finds a value changed in a sampled block of a shard whose hash was rewritten to match', async () => {
    const out = join(tempDir(), 'v');
    // Two blocks a shard: each shard is read once for both; uncompressed, a double is its 8 bytes.
    await generate(scenario, { out, workers: 2, rows: 300_000, shardRows: 131_072, compression: 'none' });
    expect(await verify(out)).toMatchObject({ ok: true, blocksCompared: 5 });
    const file = join(out, 'data/part-00001.parquet');
    const bytes = readFileSync(file);
    const row = 70_000; // in the shard's second block
    const value = readParquetRows(bytes, row, 1).getChild('temperature')!.get(0) as number;
    const at = bytes.indexOf(Buffer.from(new Float64Array([value]).buffer));
    expect(at).toBeGreaterThan(0);
    bytes.writeDoubleLE(value + 1, at);
    writeFileSync(file, bytes);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    manifest.shards[1]!.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    expect((await verify(out)).problems).toEqual([`data/part-00001.parquet: column 'temperature' differs at row ${131_072 + row}: file has ${value + 1}, the scenario gives ${value}`]);
  });

  it('reads any range of rows of a Parquet file, of row groups and pages of any cut, as a whole-file read gives them', () => {
    const dir = tempDir();
    const n = 5000;
    const t = new Table({ x: makeVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i))), s: vectorFromArray(Array.from({ length: n }, (_, i) => `r${i % 13}`)), b: vectorFromArray(Array.from({ length: n }, (_, i) => i % 7 === 0)) });
    const props = () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY);
    const files = {
      // Row groups of 333 rows; pages of ~2 kB, which end on other rows in each column (read as the whole row group).
      groups: props().setMaxRowGroupSize(333),
      pages: props().setDataPageSizeLimit(2000),
    };
    const cells = (x: Table) => x.schema.fields.map((f) => Array.from({ length: x.numRows }, (_, i) => String(x.getChild(f.name)!.get(i))));
    for (const [name, p] of Object.entries(files)) {
      const file = join(dir, `${name}.parquet`);
      writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(t, 'stream')), p.build()));
      const whole = readParquetRows(readFileSync(file), 0, n);
      for (const [offset, limit] of [[0, 1], [99, 2], [330, 10], [333, 333], [1000, 2500], [4990, 100], [0, n], [6000, 5]] as const) {
        expect(cells(readParquetRange(file, offset, limit)), `${name}: ${offset}+${limit}`).toEqual(cells(whole.slice(offset, offset + limit)));
      }
    }
    // paranom's own shards: one row group, a page per block in every column, an offset index.
    const file = join(dir, 'shard.parquet');
    const shard = shardTable(generateShard(scenario, 0, 200_000));
    writeFileSync(file, encodeParquet(shard, new Map(), 'snappy'));
    for (const [offset, limit] of [[0, 65_536], [65_536, 65_536], [70_000, 10], [131_000, 2_000], [196_608, 3_392], [199_999, 5]] as const) {
      expect(cells(readParquetRange(file, offset, limit)), `shard: ${offset}+${limit}`).toEqual(cells(shard.slice(offset, offset + limit)));
    }
  });
});

describe('verify of the segment and entity tables', () => {
  const small = { ...VALVE, timeline: { ...VALVE.timeline, rows: 20_000 } };
  // A single series as Parquet (its manifest names the compression) and a fleet as Arrow (it names none).
  const cases = [
    { name: 'series', doc: small, format: 'parquet' as const, files: ['anomalies.parquet'] },
    { name: 'fleet', doc: { ...small, entities: { count: 3, key: 'machine' } }, format: 'arrow' as const, files: ['anomalies.parquet', 'entities.parquet'] },
  ];
  it.each(cases)('names a changed, missing or swapped table of a $name ($format) dataset and leaves the files as they were', async ({ doc, format, files }) => {
    const base = tempDir();
    const out = join(base, 'ok');
    await generate(scenarioFrom(doc), { out, workers: 1, format });
    // Another run of the same shape: its tables are valid files of the same kind, of other events and entities.
    await generate(scenarioFrom({ ...doc, seed: 7 }), { out: join(base, 'other'), workers: 1, format });
    expect((await verify(out)).problems).toEqual([]);
    const tampers: Array<[string, (path: string, file: string) => void]> = [
      ['one byte changed', (path) => {
        const bytes = readFileSync(path);
        bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
        writeFileSync(path, bytes);
      }],
      ['deleted', (path) => rmSync(path)],
      ['from another run', (path, file) => {
        expect(readFileSync(join(base, 'other', file))).not.toEqual(readFileSync(path));
        cpSync(join(base, 'other', file), path);
      }],
    ];
    for (const file of files) {
      for (const [how, tamper] of tampers) {
        const dir = join(base, `${file}-${how}`.replace(/\W+/g, '-'));
        cpSync(out, dir, { recursive: true });
        tamper(join(dir, file), file);
        const before = treeOf(dir);
        const cli = spawnSync(process.execPath, [CLI, 'verify', dir], { encoding: 'utf8' });
        expect(cli.status, `${file} ${how}`).toBe(1);
        const said = new RegExp(`^MISMATCH ${file.replace('.', '\\.')}: ${how === 'deleted' ? 'missing' : 'differs from the'}`, 'm');
        expect(cli.stdout, `${file} ${how}`).toMatch(said);
        expect(cli.stdout.match(/^MISMATCH /gm), `${file} ${how}: only that file is named`).toHaveLength(1);
        expect(treeOf(dir), `${file} ${how}`).toEqual(before);
      }
    }
  });
});

describe('crash safety and resume', () => {
  it('after kill -9 mid-run leaves no manifest, and re-running resumes to the same bytes', async () => {
    const base = tempDir();
    const out = join(base, 'killed');
    const args = [CLI, 'generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '1500000', '--shard-rows', '65536', '--workers', '2'];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const journal = join(out, '.paranom-run.jsonl');
    // Wait until a few shards are done, then kill without warning.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 5) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    const done = readdirSync(join(out, 'data')).filter((f) => f.endsWith('.parquet')).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(23);

    const again = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/kept \d+ shard\(s\) from an earlier run/);
    expect(readdirSync(join(out, 'data')).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(existsSync(journal)).toBe(false);

    const clean = spawnSync(process.execPath, [...args.slice(0, 4), join(base, 'clean'), ...args.slice(5)], { encoding: 'utf8' });
    expect(clean.status, clean.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    const b = JSON.parse(readFileSync(join(base, 'clean/manifest.json'), 'utf8')) as Manifest;
    expect(hashes(a)).toEqual(hashes(b));
  });

  it('stops cleanly on Ctrl-C and says how to resume', async () => {
    const out = join(tempDir(), 'int');
    const child = spawn(process.execPath, [CLI, 'generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '3000000', '--shard-rows', '65536', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const journal = join(out, '.paranom-run.jsonl');
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 3) break;
    }
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    expect(err).toMatch(/interrupted after \d+ of 46 shards; run the same command again to resume/);
    expect(err).not.toMatch(/^\s+at /m);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('refuses a directory holding another scenario or seed without --force', async () => {
    const out = join(tempDir(), 'other');
    await generate(scenario, { out, rows: 70_000, workers: 1 });
    await expect(generate(scenario, { out, rows: 70_000, seed: 99, workers: 1 })).rejects.toThrow(/another scenario, seed/);
    const forced = await generate(scenario, { out, rows: 70_000, seed: 99, workers: 1, force: true });
    expect(forced.manifest.seed).toBe(99);
  });
});

describe('split over machines', () => {
  it('3 separate --part K/3 processes, merged, equal one run', async () => {
    const base = tempDir();
    const shared = join(base, 'parts');
    const runs = [1, 2, 3].map(
      (k) =>
        new Promise<number | null>((resolve) => {
          const c = spawn(process.execPath, [CLI, 'generate', 'scenarios/valve-sensors.yaml', '--out', shared, '--rows', '600000', '--shard-rows', '65536', '--workers', '1', '--part', `${k}/3`], { stdio: 'ignore' });
          c.once('exit', resolve);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect(readdirSync(shared).filter((f) => f.startsWith('manifest-part-')).length).toBe(3);
    expect(existsSync(join(shared, 'manifest.json'))).toBe(false);
    const merged = spawnSync(process.execPath, [CLI, 'merge-manifests', shared], { encoding: 'utf8' });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(`merged 10 shards, 600,000 rows into ${join(shared, 'manifest.json')}\n`);
    // Run again (a pipeline's rerun, the folder given with a trailing slash): the same dataset, the same manifest bytes, exit 0.
    const manifestBytes = readFileSync(join(shared, 'manifest.json'));
    const again = spawnSync(process.execPath, [CLI, 'merge-manifests', shared + '/'], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(merged.stdout);
    expect(readFileSync(join(shared, 'manifest.json'))).toEqual(manifestBytes);
    const one = await generate('scenarios/valve-sensors.yaml', { out: join(base, 'one'), rows: 600_000, shardRows: 65_536, workers: 2 });
    const m = JSON.parse(readFileSync(join(shared, 'manifest.json'), 'utf8')) as Manifest;
    expect(m).toEqual(one.manifest);
    expect(readFileSync(join(shared, 'anomalies.parquet'))).toEqual(readFileSync(join(base, 'one/anomalies.parquet')));
    expect((await verify(shared)).ok).toBe(true);
  });

  it('8 parts started at once into one new directory all finish; a file of the user there still stops each', async () => {
    // Parts start and end side by side: one part's journal, shards and part manifest
    // appear while another surveys the directory, and its directories while another makes them.
    const part = (out: string, k: number) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        let err = '';
        const c = spawn(process.execPath, [CLI, 'generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '80000', '--shard-rows', '10000', '--workers', '1', '--part', `${k}/8`], { stdio: ['ignore', 'ignore', 'pipe'] });
        c.stderr.on('data', (d) => (err += String(d)));
        c.once('exit', (code) => resolve({ code, err }));
      });
    const ks = [1, 2, 3, 4, 5, 6, 7, 8];
    for (let round = 0; round < 3; round++) {
      const out = join(tempDir(), 'new', 'parts');
      const runs = await Promise.all(ks.map((k) => part(out, k)));
      expect(runs.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([]);
      expect(spawnSync(process.execPath, [CLI, 'merge-manifests', out], { encoding: 'utf8' }).status).toBe(0);
    }
    const out = join(tempDir(), 'with-notes');
    mkdirSync(out);
    writeFileSync(join(out, 'NOTES.md'), 'mine');
    const refused = await Promise.all(ks.map((k) => part(out, k)));
    for (const r of refused) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/files paranom did not write \(NOTES\.md\)/);
    }
    expect(readdirSync(out)).toEqual(['NOTES.md']);
  });

  it('takes the part from a scheduler index with --parts N', () => {
    expect(partFromEnvironment(4, { JOB_COMPLETION_INDEX: '0' })).toEqual({ k: 1, n: 4 });
    expect(partFromEnvironment(4, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '4' })).toEqual({ k: 4, n: 4 });
    expect(partFromEnvironment(4, { SGE_TASK_ID: '2' })).toEqual({ k: 2, n: 4 });
    expect(() => partFromEnvironment(4, { JOB_COMPLETION_INDEX: '4' })).toThrow(/not a task index/);
    expect(() => partFromEnvironment(4, {})).toThrow(/needs --part/);
    // Balanced, contiguous, covering every shard once.
    const shards = planGeneration(scenario, { shardRows: 65_536 }).shards;
    const parts = [1, 2, 3].map((k) => selectPart(shards, { k, n: 3 }).map((s) => s.index));
    expect(parts.flat()).toEqual(shards.map((s) => s.index));
    expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
  });

  it('merge-manifests refuses an incomplete set of parts, and parts of another run as the user\'s mistake naming both files and what differs', async () => {
    const out = join(tempDir(), 'partial');
    const small = { workers: 1, rows: 140_000, shardRows: 65_536 };
    await generate(scenario, { out, ...small, part: { k: 1, n: 2 } });
    await expect(mergeManifests(out)).rejects.toThrow(/part 2 of 2 is missing/);
    // Parts not yet run are the user's to run (exit 2), not a damaged dataset.
    const early = spawnSync(process.execPath, [CLI, 'merge-manifests', out], { encoding: 'utf8' });
    expect(early.status).toBe(2);
    expect(early.stderr).toContain(`${out}: part 2 of 2 is missing; run it, then merge again`);
    // Unmerged parts are not yet one dataset: the commands that take one say what to run (exit 2).
    for (const args of [['merge', out, '--to', join(tempDir(), 'one.parquet')], ['verify', out], ['grow', out, '--rows', '200000']]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr).toContain(`${out}: holds the parts of a split run (manifest-part-00001-of-00002.json), not yet one dataset; run 'paranom merge-manifests ${out}' once every part's files are together`);
    }
    // Part 2 of three other runs: another seed, other rows, a 3-part split.
    const first = 'manifest-part-00001-of-00002.json';
    const others: Array<[{ seed?: number; rows: number }, number, string, string]> = [
      [{ seed: 7, rows: 140_000 }, 2, 'manifest-part-00002-of-00002.json', `seed 42 in ${first}, 7 in manifest-part-00002-of-00002.json`],
      [{ rows: 200_000 }, 2, 'manifest-part-00002-of-00002.json', `140000 rows in ${first}, 200000 in manifest-part-00002-of-00002.json`],
      [{ rows: 140_000 }, 3, 'manifest-part-00002-of-00003.json', `part 2 of 3 in manifest-part-00002-of-00003.json, part 1 of 2 in ${first}`],
    ];
    for (const [o, n, file, what] of others) {
      const other = join(tempDir(), 'other');
      await generate(scenario, { ...small, ...o, out: other, part: { k: 2, n } });
      cpSync(join(other, file), join(out, file));
      const before = readdirSync(out).sort();
      const r = spawnSync(process.execPath, [CLI, 'merge-manifests', out], { encoding: 'utf8' });
      expect(r.status, what).toBe(2);
      expect(r.stderr).toContain(`${file}: belongs to another run than ${first} (${what}); merge only the part manifests of one split run`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(out).sort()).toEqual(before);
      rmSync(join(out, file));
    }
  });
});

describe('merge-manifests given no parts', () => {
  it('a directory that does not exist, or that holds no part manifests, is the user\'s mistake (exit 2, as verify, grow and merge say of a missing dataset; before, exit 1), and nothing is made', () => {
    const base = tempDir();
    const missing = join(base, 'nothere');
    const empty = join(base, 'empty');
    mkdirSync(empty);
    for (const [dir, said] of [
      [missing, `${missing}: no such directory`],
      [empty, `${empty}: no part manifests (manifest-part-K-of-N.json) to merge`],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, 'merge-manifests', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(said);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(readdirSync(base).sort()).toEqual(['empty']);
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('merge to one file', () => {
  it('writes the whole dataset as one Parquet file with the same rows', async () => {
    const base = tempDir();
    const out = join(base, 'ds');
    await generate(scenario, { out, workers: 2, shardRows: 131_072 });
    const file = join(base, 'one.parquet');
    const r = await mergeToFile(out, file);
    expect(r.rows).toBe(400_000);
    const single = join(base, 'single');
    cpSync(file, join(single, 'data', 'all.parquet'), { recursive: true });
    expect(await rowDigest(single)).toBe(await rowDigest(out));
    const [kv] = await duck(`SELECT decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'paranom'`);
    expect(JSON.parse(String(kv!['v'])).shard).toEqual({ index: -1, row_start: 0, row_end: 400_000 });
  });
});
