/**
 * The crash-and-corruption matrix, on small datasets:
 * - kill -9 at random points of generate, grow and merge, then the same command again:
 *   identical bytes and a valid manifest (for grow: the old manifest stays valid until
 *   the new one is complete);
 * - tampering (flip, truncate, delete, swap, manifest edit) found by verify and refused by
 *   grow and merge, leaving the dataset as it was;
 * - two runs on one directory at once: one is refused by the lock.
 * The kill points are drawn from a printed seed (CRASH_SEED=... replays the delays; the
 * process timing under load still varies, which is the point).
 */
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, cliProcess, expectClean, sha256, startCli, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

const SEED = Number(process.env['CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash matrix seed ${SEED} (replay: CRASH_SEED=${SEED})`);

/** A small deterministic generator for kill delays (mulberry32). */
function delays(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = delays(SEED);

const ROWS = 400_000;
const RUN = ['--shard-rows', '65536', '--workers', '2'];

/** Starts a CLI run and kills it with SIGKILL after `ms` (or lets it finish first). */
async function killAfter(args: string[], ms: number): Promise<void> {
  const run = startCli(args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  await run.done;
  clearTimeout(timer);
}

/** The manifest of a dataset, parsed (throws when it is missing or torn). */
function manifestOf(dir: string): { rows: number; engine: string; shards: unknown[] } {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

describe('crash matrix', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(ROWS));
  const ref = join(base, 'ref');
  let refHashes: Record<string, string>;

  it('reference dataset', async () => {
    const r = await cli('generate', scenario, '--out', ref, ...RUN);
    expect(r.code, r.err).toBe(0);
    refHashes = treeHashes(ref);
  });

  it('kill -9 during generate, then the same command: identical bytes and a valid manifest', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const out = join(base, `gen-${trial}`);
      const args = ['generate', scenario, '--out', out, ...RUN];
      await killAfter(args, 400 + rand() * 2500);
      const r = cliProcess(args);
      expect(r.code, r.err).toBe(0);
      expect(treeHashes(out)).toEqual(refHashes);
    }
  }, 300_000);

  it('kill -9 during grow: the old manifest stays valid; the same grow again completes it to identical bytes', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const out = join(base, `grow-${trial}`);
      expect((await cli('generate', scenario, '--out', out, ...RUN, '--rows', '150000')).code).toBe(0);
      await killAfter(['grow', out, '--rows', String(ROWS), '--workers', '2'], 300 + rand() * 2500);
      const m = manifestOf(out);
      expect(m.engine).toBe('paranom');
      expect([150_000, ROWS]).toContain(m.rows);
      if (m.rows !== ROWS) {
        const r = cliProcess(['grow', out, '--rows', String(ROWS), '--workers', '2']);
        expect(r.code, r.err).toBe(0);
      } else if (existsSync(join(out, '.paranom.lock'))) {
        // Killed after its commit, before letting go of the lock: the lock names a process
        // that is gone (the next run takes it over); every other file is the grown dataset's.
        const holder = JSON.parse(readFileSync(join(out, '.paranom.lock'), 'utf8')) as { pid: number };
        expect(() => process.kill(holder.pid, 0)).toThrow();
        rmSync(join(out, '.paranom.lock'));
      }
      expect(treeHashes(out)).toEqual(refHashes);
    }
  }, 300_000);

  it('kill -9 during merge, then merge --force: identical bytes', async () => {
    const target = join(base, 'merged-ref.parquet');
    expect((await cli('merge', ref, '--to', target)).code).toBe(0);
    const want = sha256(readFileSync(target));
    for (let trial = 0; trial < 2; trial++) {
      const to = join(base, `merged-${trial}.parquet`);
      await killAfter(['merge', ref, '--to', to], 300 + rand() * 1500);
      const r = cliProcess(['merge', ref, '--to', to, '--force']);
      expect(r.code, r.err).toBe(0);
      expect(sha256(readFileSync(to))).toBe(want);
      // The killed merge's temporary is gone with it (removed by the next merge into that file).
      expect(readdirSync(base).filter((n) => n.startsWith(`merged-${trial}.parquet.`))).toEqual([]);
    }
    expect(treeHashes(ref)).toEqual(refHashes);
  }, 300_000);

  it('tampering is found by verify and refused by grow and merge, which change nothing', async () => {
    const hurt: Record<string, (dir: string) => void> = {
      flip: (d) => {
        const p = join(d, 'data/part-00002.parquet');
        const b = readFileSync(p);
        b[100]! ^= 1;
        writeFileSync(p, b);
      },
      truncate: (d) => truncateSync(join(d, 'data/part-00003.parquet'), 4096),
      delete: (d) => rmSync(join(d, 'data/part-00001.parquet')),
      swap: (d) => {
        renameSync(join(d, 'data/part-00000.parquet'), join(d, 'swap.tmp'));
        renameSync(join(d, 'data/part-00004.parquet'), join(d, 'data/part-00000.parquet'));
        renameSync(join(d, 'swap.tmp'), join(d, 'data/part-00004.parquet'));
      },
      'edit manifest': (d) => {
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.shards[2].sha256 = '0'.repeat(64);
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2));
      },
      'edit manifest rows': (d) => {
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.rows = 999_999;
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2));
      },
    };
    for (const [how, damage] of Object.entries(hurt)) {
      const d = join(base, `tamper-${how.replace(/\W/g, '-')}`);
      cpSync(ref, d, { recursive: true });
      damage(d);
      const damaged = treeHashes(d);
      const v = await cli('verify', d, '--sample', '2');
      expect(v.code, `verify after ${how}`).toBe(1);
      expect(v.out + v.err).toMatch(/MISMATCH|shards cover|differs|missing/);
      const g = await cli('grow', d, '--rows', '500000', '--workers', '2');
      expect(g.code, `grow after ${how}: ${g.err}`).toBe(1);
      expect(g.err).toMatch(/differs from the manifest|manifest was edited|SHA-256|missing/);
      expectClean(g);
      const to = join(base, `tamper-${how.replace(/\W/g, '-')}.parquet`);
      const mg = await cli('merge', d, '--to', to);
      expect(mg.code, `merge after ${how}`).toBe(1);
      expectClean(mg);
      expect(existsSync(to)).toBe(false);
      expect(treeHashes(d), how).toEqual(damaged);
    }
  }, 300_000);

  it('two runs on one directory at once: one is refused by the lock, the other completes', async () => {
    const dir = join(base, 'twice');
    // Row 0's callback holds the run that took the lock until the other run has been
    // refused (the file 'go' appears then), so the two runs surely overlap however late
    // the second one starts.
    const go = join(base, 'go');
    writeFileSync(
      join(base, 'slow.mjs'),
      `import { existsSync } from 'node:fs';\nconst nap = new Int32Array(new SharedArrayBuffer(4));\nexport function normal(ctx) { if (ctx.row === 0) while (!existsSync(${JSON.stringify(go)})) Atomics.wait(nap, 0, 0, 20); return ctx.row; }\n`,
    );
    const slow = writeScenario(base, { timeline: { rows: 1000 }, callback_timeout: '10m', variables: { x: { type: 'callback', module: './slow.mjs', normal: 'normal' } } }, 'slow.json');
    const a = startCli(['generate', slow, '--out', dir]);
    const b = startCli(['generate', slow, '--out', dir]);
    try {
      const first = await Promise.race([a.done, b.done]);
      expect(first.code, first.err).toBe(1);
      expect(first.err).toMatch(/is in use by process \d+ on host .* \(generate\)/);
      expectClean(first);
    } finally {
      writeFileSync(go, '');
    }
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const codes = [ra.code, rb.code].sort();
    expect(codes, ra.err + rb.err).toEqual([0, 1]);
    expect(cliProcess(['verify', dir]).code).toBe(0);
    expect(existsSync(join(dir, '.paranom.lock'))).toBe(false);
  }, 120_000);
});
