/** The command line as a user meets it: exit codes, messages without stack traces, overrides. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const CLI = 'dist/src/cli/main.js';

function paranom(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectNoStack(text: string) {
  expect(text).not.toMatch(/^\s+at /m);
}

describe('paranom generate', () => {
  it('prints the plan with --dry-run and writes nothing', () => {
    const out = join(tempDir(), 'dry');
    const r = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--dry-run', '--rows', '200000', '--shard-rows', '65536');
    expect(r.code).toBe(0);
    expect(r.out).toContain('200,000 rows');
    expect(r.out).toContain('step 1s');
    expect(r.out).toContain('data/part-00003.parquet  rows 196,608–199,999');
    expect(existsSync(out)).toBe(false);
    // The plan needs no directory: without --out it is the same plan.
    const bare = paranom('generate', 'scenarios/valve-sensors.yaml', '--dry-run', '--rows', '200000', '--shard-rows', '65536');
    expect(bare.code, bare.err).toBe(0);
    expect(bare.out).toBe(r.out);
  });

  it('generates with --rows and --seed overrides; the same command again keeps the dataset; another seed needs --force', () => {
    const out = join(tempDir(), 'ds');
    const r = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '100000', '--seed', '9', '--workers', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote 100,000 rows in 1 shard/);
    expect(r.out).toMatch(/anomalies: \d+ events/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect([m.rows, m.seed]).toEqual([100_000, 9]);

    const same = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '100000', '--seed', '9');
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/kept 1 shard\(s\) from an earlier run/);

    const again = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '100000');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/holds a dataset of another scenario, seed.*; pass --force to replace it/);
    expectNoStack(again.err);

    const forced = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '50000', '--force', '--format', 'csv');
    expect(forced.code, forced.err).toBe(0);
    expect(readdirSync(join(out, 'data'))).toEqual(['part-00000.csv']);
  });

  it('refuses --force on a directory holding files it did not write', () => {
    const out = tempDir();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = paranom('generate', 'scenarios/valve-sensors.yaml', '--out', out, '--rows', '1000', '--force');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds files paranom did not write \(notes\.txt\)/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('stops on a value that does not fit its column, naming variable, row and seed, exit 1, no stack', () => {
    const dir = tempDir();
    const file = join(dir, 'overflow.yaml');
    // A distribution whose tails pass the column is refused by validate (exit 2); an anomaly
    // kind's change is known only once its event is drawn, so it stops the run.
    writeFileSync(file, 'seed: 5\ntimeline: { rows: 1000 }\nvariables:\n  big: { dtype: int32, normal: { dist: exponential, rate: 1.0e-12 } }\n');
    const refused = paranom('generate', file, '--out', join(dir, 'out'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/variables\.big\.normal: this exponential distribution can yield values from about 0\.00 to 3\.80e\+13 \(its tails\), which do not fit an int32 column/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    writeFileSync(file, 'seed: 5\ntimeline: { rows: 1000 }\nanomalies: { frequency: 0.05, duration: [5, 20], kinds: [{ kind: spike, magnitude: 1.0e10 }] }\nvariables:\n  big: { dtype: int32, normal: { dist: poisson, lambda: 5 } }\n');
    const r = paranom('generate', file, '--out', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/variable 'big' became -?\d+ at row \d+ under an anomaly kind, which does not fit its int32 column \(seed 5\)/);
    expectNoStack(r.err);
    expect(existsSync(join(dir, 'out', 'manifest.json'))).toBe(false);
    const verbose = paranom('generate', file, '--out', join(dir, 'out2'), '--verbose');
    expect(verbose.err).toMatch(/^\s+at /m);
  });

  it('refuses at planning a timeline longer than an id range can number: exit 2, nothing written', () => {
    const dir = tempDir();
    const file = join(dir, 'ids.yaml');
    writeFileSync(file, 'seed: 1\ntimeline: { rows: 100 }\nvariables:\n  order: { type: id, min: 1, max: 100 }\n');
    expect(paranom('generate', file, '--out', join(dir, 'fits'), '--workers', '1').code).toBe(0);
    for (const extra of [[], ['--dry-run']]) {
      const r = paranom('generate', file, '--out', join(dir, 'out'), '--rows', '101', ...extra);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/^paranom: variable 'order' can number at most 100 rows, but the timeline has 101; widen its range or generate fewer rows$/m);
      expectNoStack(r.err);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
  });

  it('rejects bad usage with exit 2 and no stack trace', () => {
    for (const args of [['frobnicate'], ['generate', 'scenarios/valve-sensors.yaml'], ['generate', 'missing.yaml', '--out', '/tmp/x'], ['generate', 'scenarios/valve-sensors.yaml', '--out', '/tmp/x', '--rows', '-5', '--dry-run']]) {
      const r = paranom(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/paranom: /);
      expectNoStack(r.err);
    }
  });
});

describe('--rows past the year 9999', () => {
  it('is refused before anything runs, as the same timeline in the scenario is (before: "Invalid time value" mid-stream)', () => {
    const dir = tempDir();
    const file = join(dir, 'daily.yaml');
    writeFileSync(file, 'seed: 1\ntimeline: { start: "2024-01-01T00:00:00Z", step: 1d, rows: 10 }\nvariables:\n  x: { normal: { dist: uniform, min: 0, max: 1 } }\n');
    for (const args of [['--stdout', '--start-at', '2999990'], ['--out', join(dir, 'out')]]) {
      const r = paranom('generate', file, '--rows', '3000000', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/--rows 3000000: its last row \(2999999\) would fall after 9999-12-31T23:59:59\.999Z/);
      expect(r.out).toBe('');
    }
    expect(readdirSync(dir)).toEqual(['daily.yaml']);
    // The last day that fits: 2024-01-01 plus 2,913,173 days is 9999-12-31.
    expect(paranom('generate', file, '--rows', '2913174', '--stdout', '--start-at', '2913173').out).toMatch(/^9999-12-31T00:00:00\.000Z,/m);
  });
});

describe('--compression', () => {
  it('is refused for Arrow and CSV files and streams, which are written uncompressed, instead of being ignored', () => {
    const dir = tempDir();
    for (const [args, says] of [
      [['--out', join(dir, 'a'), '--format', 'arrow', '--compression', 'zstd'], /--compression zstd applies to Parquet files; --format arrow files are written uncompressed/],
      [['--out', join(dir, 'c'), '--format', 'csv', '--compression', 'snappy'], /--compression snappy applies to Parquet files; --format csv files are written uncompressed/],
      [['--stdout', '--compression', 'none'], /--compression none applies to Parquet files; a stream is written uncompressed/],
    ] as const) {
      const r = paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '100', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(says);
      expect(r.out).toBe('');
    }
    expect(readdirSync(dir)).toEqual([]);
    // Parquet takes it, and records it; without it, snappy.
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '100', '--out', join(dir, 'z'), '--compression', 'zstd').code).toBe(0);
    expect(paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '100', '--out', join(dir, 's')).code).toBe(0);
    const compression = (d: string) => (JSON.parse(readFileSync(join(dir, d, 'manifest.json'), 'utf8')) as { compression: string }).compression;
    expect([compression('z'), compression('s')]).toEqual(['zstd', 'snappy']);
  });
});

describe('paranom validate', () => {
  it('accepts every bundled scenario', () => {
    for (const f of readdirSync('scenarios').filter((f) => /\.(ya?ml|json)$/.test(f))) {
      const r = paranom('validate', join('scenarios', f));
      expect(r.code, `${f}: ${r.err}`).toBe(0);
      expect(r.out).toMatch(/: ok/);
    }
  });
});
