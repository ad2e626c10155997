/**
 * Runs beside a grow's commit window.
 *
 * A grow that fails after its commit line — a rename refused while its new files are being
 * put in place, the same state a kill -9 at that moment leaves — is never undone (some new
 * files are already in place): its journal stays, `verify` says a commit is unfinished
 * rather than calling the dataset damaged, and the same grow again (or a merge) completes
 * it to the bytes of an uninterrupted grow. A merge started while a grow commits reads the
 * dataset the grow left, not the manifest it read before it could take the lock.
 */
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, expectClean, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

/** The rename that fails next, by the end of its source path (none when undefined). */
const failing = vi.hoisted(() => ({ suffix: undefined as string | undefined }));

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const renameSync: typeof real.renameSync = (from, to) => {
    if (failing.suffix && String(from).endsWith(failing.suffix)) {
      failing.suffix = undefined;
      throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}'`), { code: 'EIO', syscall: 'rename', path: String(from) });
    }
    real.renameSync(from, to);
  };
  return { ...real, default: { ...real, renameSync }, renameSync };
});

/** Called once when the next whole-dataset lock is taken: what another run does in between. */
const beforeLock = vi.hoisted(() => ({ run: undefined as (() => void) | undefined }));

vi.mock('../src/run/lock.js', async (original) => {
  const real = await original<typeof import('../src/run/lock.js')>();
  return {
    ...real,
    acquireLock: (...args: Parameters<typeof real.acquireLock>) => {
      const run = beforeLock.run;
      beforeLock.run = undefined;
      run?.();
      return real.acquireLock(...args);
    },
  };
});

const RUN = ['--shard-rows', '65536', '--workers', '2'];

describe('a grow that fails after its commit', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(150_000));
  const small = join(base, 'small');
  const grown = join(base, 'grown');

  it('is completed by the same grow again, or by merge, to the bytes of an uninterrupted grow', async () => {
    expect((await cli('generate', scenario, '--out', small, ...RUN)).code).toBe(0);
    cpSync(small, grown, { recursive: true });
    expect((await cli('grow', grown, '--rows', '400000', '--workers', '2')).code).toBe(0);
    const want = treeHashes(grown);

    for (const [trial, complete] of [['grow', ['grow', '--rows', '400000']], ['merge', ['merge', '--to']]] as const) {
      const d = join(base, `d-${trial}`);
      cpSync(small, d, { recursive: true });
      // The shards are renamed into place first; the manifest's rename fails.
      failing.suffix = 'manifest.json.pending';
      const failed = await cli('grow', d, '--rows', '400000', '--workers', '2');
      expect(failing.suffix).toBeUndefined();
      expectClean(failed);
      expect(failed.code).toBe(1);
      expect(failed.err).toMatch(/the grow was committed, but putting its files in place failed \(.*EIO\); .* run the same grow again to complete it/);
      expect(readFileSync(join(d, '.paranom-run.jsonl'), 'utf8')).toMatch(/"commit":true/);

      const v = await cli('verify', d, '--sample', '1');
      expectClean(v);
      expect(v.code).toBe(1);
      expect(v.err).toMatch(/stopped while putting its committed files in place .* run the same command again to complete it/);
      expect(v.err).not.toMatch(/not what its manifest says/);

      const args = complete[0] === 'grow' ? ['grow', d, '--rows', '400000', '--workers', '2'] : ['merge', d, '--to', join(base, 'merged.parquet')];
      const again = await cli(...args);
      expect(again.code, again.err).toBe(0);
      expect(existsSync(join(d, '.paranom-run.jsonl'))).toBe(false);
      expect(treeHashes(d)).toEqual(want);
      expect((await cli('verify', d, '--sample', '1')).code).toBe(0);
    }
  }, 240_000);

  it('verify beside a run holding the dataset says the dataset was being changed, not that it is damaged', async () => {
    const d = join(base, 'busy');
    cpSync(small, d, { recursive: true });
    // A grow's commit renames shards under verify: here a shard changed while a live process holds the lock.
    writeFileSync(join(d, '.paranom.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'grow' }) + '\n');
    appendFileSync(join(d, 'data', 'part-00000.parquet'), 'x');
    const v = await cli('verify', d, '--sample', '0');
    expectClean(v);
    expect(v.code).toBe(1);
    expect(v.err).toContain(`was being changed by process ${process.pid} on host ${hostname()} (grow) while verify read it; verify again once that run has ended`);
    // With the run gone, the same change is damage.
    rmSync(join(d, '.paranom.lock'));
    expect((await cli('verify', d, '--sample', '0')).err).toMatch(/1 problem\(s\); the dataset is not what its manifest says/);
  });

  it('merge started while a grow commits writes the grown dataset, not the manifest it read before the lock', async () => {
    const d = join(base, 'merging');
    cpSync(small, d, { recursive: true });
    const to = join(base, 'merged-while-growing.parquet');
    // The grow commits and lets go of the lock between merge reading the manifest and taking the lock.
    beforeLock.run = () => {
      for (const name of readdirSync(d)) rmSync(join(d, name), { recursive: true });
      cpSync(grown, d, { recursive: true });
    };
    const r = await cli('merge', d, '--to', to);
    expect(beforeLock.run).toBeUndefined();
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote 400,000 rows/);
  });
});

