/**
 * A paced stream stopped by Ctrl-C or SIGTERM: it stops at the next row due (before: only
 * once the whole 65,536-row block had been sent, hours at a slow --rate), exit 130, what
 * was written ends on a whole row (an Arrow stream on a whole batch, with its end marker),
 * and `--start-at` from the row it names continues it to the full stream. Pacing waits
 * longer than a Node timer holds (24.8 days) are waited, not fired at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { Pacer } from '../src/run/pacer.js';
import { writeStreamLabels } from '../src/run/stream-labels.js';
import { loadScenario, withOverrides } from '../src/reader/load.js';
import { tempDir, VALVE } from './helpers.js';
import { duckdb } from './read-back.js';

const CLI = 'dist/src/cli/main.js';

function scenarioFile(doc: unknown): string {
  const path = join(tempDir(), 'scenario.json');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** Starts a paced stream, sends `signal` once `ready(stdout so far)` holds, and collects the run. */
function interrupted(args: string[], signal: NodeJS.Signals, ready: (out: Buffer) => boolean): Promise<{ code: number | null; out: Buffer; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let err = '';
  let sent = false;
  child.stdout.on('data', (c: Buffer) => {
    chunks.push(c);
    if (!sent && ready(Buffer.concat(chunks))) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out: Buffer.concat(chunks), err })));
}

function run(...args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 28 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

const SCENARIO = { ...VALVE, timeline: { ...VALVE.timeline, rows: 70_000 } };

describe('a paced stream interrupted', () => {
  it('Ctrl-C (CSV, --rate 20): stops at the next row, exit 130, whole rows; --start-at from the row it names gives the rest', async () => {
    const file = scenarioFile(SCENARIO);
    const lines = (b: Buffer) => b.toString().split('\n').length - 1;
    const r = await interrupted(['generate', file, '--stdout', '--rate', '20', '--workers', '1'], 'SIGINT', (out) => lines(out) >= 4);
    expect(r.code, r.err).toBe(130);
    const next = Number(/--start-at (\d+) continues the stream/.exec(r.err)?.[1]);
    expect(next).toBeGreaterThanOrEqual(3);
    expect(next).toBeLessThan(1000); // not the end of the 65,536-row block
    expect(r.out.at(-1)).toBe(10);
    expect(lines(r.out)).toBe(1 + next); // the header and rows 0…next-1
    const rest = run('generate', file, '--stdout', '--start-at', String(next), '--workers', '1').toString();
    const whole = run('generate', file, '--stdout', '--workers', '1').toString();
    expect(r.out.toString() + rest.slice(rest.indexOf('\n') + 1)).toBe(whole);
  });

  it('SIGTERM (Arrow, --rate 50): the same, on a whole batch with the end marker: apache-arrow reads the rows the message names', async () => {
    const file = scenarioFile(SCENARIO);
    const r = await interrupted(['generate', file, '--stdout', '--format', 'arrow', '--rate', '50', '--workers', '1'], 'SIGTERM', (out) => out.length > 2000);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/stopping \(SIGTERM again to force\)/);
    const next = Number(/--start-at (\d+) continues the stream/.exec(r.err)?.[1]);
    expect(next).toBeGreaterThan(0);
    expect(next).toBeLessThan(1000);
    expect(r.out.subarray(-8)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    const got = tableFromIPC(r.out);
    expect(got.numRows).toBe(next);
    const want = tableFromIPC(run('generate', file, '--stdout', '--format', 'arrow', '--workers', '1', '--rows', '65536'));
    const rows = (t: typeof got, n: number) => JSON.stringify(t.slice(0, n).toArray(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    expect(rows(got, next)).toBe(rows(want, next));
  });
});

describe('--labels-to of a long timeline interrupted', () => {
  it('an abort is heard while the events are measured (about 20 s for 10^9 rows, minutes for 10^10; before: heard only once the table was written) and nothing is written', async () => {
    const dir = tempDir();
    const path = join(dir, 'labels.parquet');
    // About 90,000 events: measuring them all takes many seconds; the abort comes after 100 ms.
    const scenario = withOverrides(loadScenario('scenarios/valve-sensors.yaml'), { rows: 1_000_000_000 });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 100);
    await expect(writeStreamLabels(path, scenario, 0, ctrl.signal)).rejects.toMatchObject({ code: 'INTERRUPTED', message: expect.stringMatching(/while measuring the events for --labels-to .*nothing was written/) });
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('pacing waits longer than a timer holds', () => {
  it('a row due in 10^11 ms is waited for (Node fires a longer timer after 1 ms), and an abort ends the wait at once', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const pacer = new Pacer((row) => row * 1e11);
      expect(await pacer.waitFor(0)).toBe(true);
      const ctrl = new AbortController();
      let settled: boolean | undefined;
      const wait = pacer.waitFor(1, ctrl.signal).then((due) => (settled = due));
      await new Promise((r) => setTimeout(r, 100));
      expect(settled).toBeUndefined();
      ctrl.abort();
      expect(await wait).toBe(false);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('negative zero', () => {
  it('keeps its sign in CSV ("-0.0") and NDJSON ("-0.0"), as in Parquet: DuckDB reads the same signbit from each; verify accepts a CSV shard written before with "0.0"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'z.mjs'), 'export const z = (ctx) => (ctx.row % 3 === 0 ? -0 : ctx.row % 3 === 1 ? 0 : -1.5);\n');
    const file = join(dir, 'z.json');
    writeFileSync(file, JSON.stringify({ name: 'z', seed: 1, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 30 }, variables: { x: { type: 'callback', module: 'z.mjs', normal: 'z' } } }));
    run('generate', file, '--out', join(dir, 'pq'));
    run('generate', file, '--out', join(dir, 'csv'), '--format', 'csv');
    writeFileSync(join(dir, 's.ndjson'), run('generate', file, '--stdout', '--format', 'ndjson'));
    const db = await duckdb();
    const signs = async (from: string) => (await db.all(`SELECT list(signbit(x) ORDER BY "timestamp") AS s FROM ${from}`))[0]!['s'];
    const want = await signs(`read_parquet('${dir}/pq/data/*.parquet')`);
    expect(want).toEqual(Array.from({ length: 30 }, (_, i) => i % 3 !== 1));
    expect(await signs(`read_csv('${dir}/csv/data/*.csv')`)).toEqual(want);
    expect(await signs(`read_json('${dir}/s.ndjson', format = 'newline_delimited', columns = {"timestamp": 'TIMESTAMPTZ', x: 'DOUBLE', is_anomaly: 'BOOLEAN', anomaly_id: 'BIGINT'})`)).toEqual(want);
    expect(spawnSync(process.execPath, [CLI, 'verify', join(dir, 'csv')]).status).toBe(0);

    // A shard as CSV wrote it before: "0.0" for negative zero, with a manifest to match.
    const manifestPath = join(dir, 'csv', 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { shards: Array<{ file: string; bytes: number; sha256: string }> };
    const shard = join(dir, 'csv', m.shards[0]!.file);
    const old = Buffer.from(readFileSync(shard, 'utf8').replaceAll(',-0.0,', ',0.0,'));
    expect(old.equals(readFileSync(shard))).toBe(false);
    writeFileSync(shard, old);
    m.shards[0]!.bytes = old.length;
    m.shards[0]!.sha256 = createHash('sha256').update(old).digest('hex');
    writeFileSync(manifestPath, JSON.stringify(m));
    const v = spawnSync(process.execPath, [CLI, 'verify', join(dir, 'csv')], { encoding: 'utf8' });
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });
});
