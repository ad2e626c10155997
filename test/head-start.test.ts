/**
 * The head start of a one-shard run (run/head-start.ts): the prestarted worker generates
 * the first shard from the command line's raw arguments before the run asks for it. The
 * run writes those bytes only when its task asks for exactly that shard; the file is the
 * one the run would have generated itself. User code never runs ahead of the watchdog.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headStartFor } from '../src/cli/prestart.js';
import { planGeneration } from '../src/plan/planner.js';
import { joinParts } from '../src/formats/parquet.js';
import { runHeadStart, takeHeadStart, type HeadStartTask } from '../src/run/head-start.js';
import { createPool, prestartPool } from '../src/run/pool.js';
import { resolveScenario } from '../src/run/resolve-scenario.js';
import { encodeShard, sha256, shardSegments, type ShardDone, type ShardTask } from '../src/run/shard-task.js';
import { generate } from '../src/run/generate.js';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const REF = 'scenarios/reference-13col.yaml';

/** The shard task a run would send for the first shard of `head`'s command line. */
function taskOf(head: HeadStartTask, outDir: string): ShardTask {
  const scenario = resolveScenario(head.scenario, head);
  const shard = planGeneration(scenario, { format: head.format }).shards[0]!;
  // As it arrives in a worker: a structured clone of the main thread's objects.
  return structuredClone({ scenario, shard, outDir, format: head.format, compression: head.compression, segments: scenario.anomalies.mode !== 'none' });
}

describe('head start', () => {
  it('is read from a simple one-shard generate command line only', () => {
    expect(headStartFor(['generate', REF, '--rows', '65536', '--out', 'd'])).toEqual({ type: 'head-start', scenario: REF, rows: 65536, seed: undefined, withClean: false, format: 'parquet', compression: 'snappy' });
    expect(headStartFor(['generate', REF, '--out=d', '--rows=1000', '--seed', '7', '--format', 'csv', '--compression', 'none', '--with-clean', '-w', '2', '--force'])).toEqual({
      type: 'head-start',
      scenario: REF,
      rows: 1000,
      seed: 7,
      withClean: true,
      format: 'csv',
      compression: 'none',
    });
    for (const args of [
      ['generate', REF, '--rows', '10000000', '--out', 'd'],
      ['generate', REF, '--out', 'd'],
      ['generate', '--rows', '1000', REF, '--out', 'd'],
      ['generate', REF, '--rows', '1000', '--out', 'd', '--part', '1/2'],
      ['generate', REF, '--rows', '1000', '--out', 'd', '--splits'],
      ['generate', REF, '--rows', '1000', '--out', 'd', '--shard-rows', '65536'],
      ['generate', REF, '--rows', '1000', '--out', 'd', '--seed', '-3'],
      ['generate', REF, '--rows', '1000', '--out', 'd', '--format', 'ndjson'],
      ['generate', REF, '--rows', '1000', '--stdout'],
      ['validate', REF, '--rows', '1000', '--out', 'd'],
    ]) {
      expect(headStartFor(args), args.join(' ')).toBeNull();
    }
  });

  it("gives the run's own bytes when the task asks for exactly its shard", async () => {
    const dir = tempDir();
    for (const head of [headStartFor(['generate', REF, '--rows', '65536', '--out', dir])!, headStartFor(['generate', 'scenarios/valve-sensors.yaml', '--rows', '30000', '--seed', '9', '--with-clean', '--format', 'arrow', '--out', dir])!]) {
      const task = taskOf(head, dir);
      const own = encodeShard(task);
      const ownBytes = Buffer.from(own.bytes);
      await runHeadStart(head);
      const early = takeHeadStart(task)!;
      expect(early, head.scenario).toBeDefined();
      expect(Buffer.from(early.file instanceof Uint8Array ? early.file : joinParts(early.file)).equals(ownBytes)).toBe(true);
      expect(early.anomalousRows).toBe(own.anomalousRows);
      // Used up: a second task gets nothing.
      expect(takeHeadStart(task)).toBeUndefined();
    }
  });

  it('is discarded when the task differs in anything that shapes the bytes', async () => {
    const dir = tempDir();
    const head = headStartFor(['generate', REF, '--rows', '65536', '--out', dir])!;
    const task = taskOf(head, dir);
    const other = taskOf({ ...head, seed: 987_654 }, dir);
    const differing: Record<string, ShardTask> = {
      seed: other,
      rows: taskOf({ ...head, rows: 65_535 }, dir),
      compression: { ...task, compression: 'none' },
      format: { ...task, format: 'arrow' },
      phases: { ...task, phases: true },
      retries: { ...task, retries: { rows: [5], attempts: [1] } },
    };
    expect(other.scenario.seed).not.toBe(task.scenario.seed);
    for (const [what, t] of Object.entries(differing)) {
      await runHeadStart(head);
      expect(takeHeadStart(t), what).toBeUndefined();
    }
    // The same task after all of these still finds it.
    await runHeadStart(head);
    expect(takeHeadStart(task)).toBeDefined();
  });

  it('never runs user code: a scenario with callback modules gets no head start', async () => {
    const dir = tempDir();
    const marker = join(dir, 'loaded');
    writeFileSync(join(dir, 'cb.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nexport const v = () => 1;\n`);
    writeFileSync(join(dir, 's.yaml'), 'seed: 1\ntimeline: { rows: 1000 }\nvariables:\n  x: { normal: { dist: normal, mean: 0, sd: 1 } }\n  y: { type: callback, module: cb.js, normal: v }\n');
    const head = headStartFor(['generate', join(dir, 's.yaml'), '--rows', '1000', '--out', join(dir, 'out')])!;
    await runHeadStart(head);
    expect(takeHeadStart(taskOf(head, join(dir, 'out')))).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it('is taken over with its worker by a one-shard run, which writes the shard generated ahead', async () => {
    const dir = tempDir();
    const head = headStartFor(['generate', REF, '--rows', '65536', '--out', dir])!;
    prestartPool(1, 1, head);
    const pool = createPool(1, 2);
    try {
      const r = (await pool.run({ ...taskOf(head, dir), writeAs: 'x.parquet' })) as ShardDone;
      expect(r.ok).toBe(true);
      expect(r.headStart).toBe(true);
      expect(sha256(readFileSync(join(dir, 'x.parquet')))).toBe(r.sha256);
      expect(r.sha256).toBe(sha256(encodeShard(taskOf(head, dir)).bytes));
      // Its events for the segment table, measured by the task while the shard was written.
      const task = taskOf(head, dir);
      expect(r.segments).toEqual(shardSegments(task.scenario, task.shard.rowStart, task.shard.rowEnd));
    } finally {
      await pool.destroy();
    }
  });

  it('is skipped for a scenario replaying a source file over 8 MiB, which the run alone parses; the run writes the same bytes either way', async () => {
    const dir = tempDir();
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'seed: 4\ntimeline: { rows: 20000 }\nanomalies: { frequency: 0.01, duration: [5, 20] }\nvariables:\n  v: { type: source, file: series.csv, column: value }\n');
    const text = 'value\n' + Array.from({ length: 20_000 }, (_, i) => `${Math.sin(i / 40) * 30}\n`).join('');
    for (const [bytes, ahead] of [
      [8 << 20, true],
      [(8 << 20) + 1, false],
    ] as const) {
      // The same rows, then a blank line of spaces (no row) up to the size.
      writeFileSync(join(dir, 'series.csv'), text + ' '.repeat(bytes - text.length - 1) + '\n');
      const head = headStartFor(['generate', scenario, '--rows', '20000', '--out', dir])!;
      const task = taskOf(head, dir);
      const own = sha256(encodeShard(task).bytes);
      await runHeadStart(head);
      expect(takeHeadStart(task) !== undefined, `${bytes} bytes`).toBe(ahead);
      // Through the pool, as a one-shard run takes over its prestarted worker.
      prestartPool(1, 1, head);
      const pool = createPool(1, 2);
      try {
        const r = (await pool.run({ ...task, writeAs: `${bytes}.parquet` })) as ShardDone;
        expect(r.ok).toBe(true);
        expect(r.headStart === true, `${bytes} bytes`).toBe(ahead);
        expect(r.sha256).toBe(own);
        expect(sha256(readFileSync(join(dir, `${bytes}.parquet`)))).toBe(own);
      } finally {
        await pool.destroy();
      }
    }
  });

  it('the binary writes the same dataset as the library, byte for byte', async () => {
    const base = tempDir();
    for (const [name, args] of [
      ['ref', ['--rows', '65536']],
      ['csv', ['--rows', '20000', '--seed', '3', '--with-clean', '--format', 'csv']],
    ] as const) {
      const cli = join(base, `${name}-cli`);
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'generate', REF, ...args, '--out', cli], { encoding: 'utf8', cwd: ROOT });
      expect(r.status, r.stderr).toBe(0);
      const lib = join(base, `${name}-lib`);
      const head = headStartFor(['generate', REF, ...args, '--out', lib])!;
      await generate(join(ROOT, REF), {
        out: lib, format: head.format, workers: 1,
        ...(head.rows !== undefined ? { rows: head.rows } : {}), ...(head.seed !== undefined ? { seed: head.seed } : {}), ...(head.withClean !== undefined ? { withClean: head.withClean } : {}),
      });
      const shards = (d: string) => (JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { shards: { file: string; sha256: string }[] }).shards;
      expect(shards(cli)).toEqual(shards(lib));
      for (const f of ['anomalies.parquet', shards(cli)[0]!.file]) expect(readFileSync(join(cli, f)).equals(readFileSync(join(lib, f))), f).toBe(true);
    }
  });
});
