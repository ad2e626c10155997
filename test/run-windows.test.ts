/**
 * Runs beside each other at their narrow windows, each window opened on purpose (a mocked
 * rename that fails, or another run's files appearing at the moment it could) rather than
 * hoped for under load.
 *
 * A grow that fails after its commit line — a rename refused while its new files are being
 * put in place, the same state a kill -9 at that moment leaves — is never undone (some new
 * files are already in place): its journal stays, `verify` says a commit is unfinished
 * rather than calling the dataset damaged, and the same grow again (or a merge) completes
 * it to the bytes of an uninterrupted grow. A merge started while a grow commits reads the
 * dataset the grow left, not the manifest it read before it could take the lock. A part
 * replacing an older dataset with --force leaves alone what its sibling parts, started
 * beside it, have already written.
 */
import type * as fs from 'node:fs';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, expectClean, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';
import { ownedRecords } from '../src/run/ownership.js';
import { acquireLock } from '../src/run/lock.js';

/** The rename that fails next, by the end of its source path (none when undefined). */
const failing = vi.hoisted(() => ({ suffix: undefined as string | undefined }));
/** Runs once, just before the next open (or link into place) of a path ending with `suffix`: another run's step. */
const beforeOpen = vi.hoisted(() => ({ suffix: '', run: undefined as (() => void) | undefined }));
/** Called after every removal while set: what another run sees at that moment. */
const afterRemove = vi.hoisted(() => ({ run: undefined as ((path: string) => void) | undefined }));

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const renameSync: typeof real.renameSync = (from, to) => {
    if (failing.suffix && String(from).endsWith(failing.suffix)) {
      failing.suffix = undefined;
      throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}'`), { code: 'EIO', syscall: 'rename', path: String(from) });
    }
    real.renameSync(from, to);
  };
  const rmSync: typeof real.rmSync = (path, options) => {
    real.rmSync(path, options);
    afterRemove.run?.(String(path));
  };
  const before = (path: fs.PathLike) => {
    if (beforeOpen.run && String(path).endsWith(beforeOpen.suffix)) {
      const run = beforeOpen.run;
      beforeOpen.run = undefined;
      run();
    }
  };
  const openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    before(path);
    return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof real.openSync;
  // A lock is linked into place, not opened: the same moment for it.
  const linkSync: typeof real.linkSync = (from, to) => {
    before(to);
    real.linkSync(from, to);
  };
  return { ...real, default: { ...real, renameSync, rmSync, openSync, linkSync }, renameSync, rmSync, openSync, linkSync };
});

/** Another run's step, run once at the moment a hook names (then cleared). */
const hooks = vi.hoisted(() => {
  type Hook = { run: (() => void) | undefined };
  const fire = (hook: Hook) => {
    const run = hook.run;
    hook.run = undefined;
    run?.();
  };
  /** Before the next whole-dataset lock is taken, and before the next --force removal of an older dataset's files. */
  return { fire, beforeLock: { run: undefined } as Hook, beforeRemove: { run: undefined } as Hook };
});
const { beforeLock, beforeRemove } = hooks;

vi.mock('../src/run/lock.js', async (original) => {
  const real = await original<typeof import('../src/run/lock.js')>();
  return { ...real, acquireLock: (...args: Parameters<typeof real.acquireLock>) => (hooks.fire(hooks.beforeLock), real.acquireLock(...args)) };
});

vi.mock('../src/run/ownership.js', async (original) => {
  const real = await original<typeof import('../src/run/ownership.js')>();
  return { ...real, removeRecorded: (...args: Parameters<typeof real.removeRecorded>) => (hooks.fire(hooks.beforeRemove), real.removeRecorded(...args)) };
});

const RUN = ['--shard-rows', '65536', '--workers', '2'];

describe('runs at their narrow windows', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(150_000));
  const small = join(base, 'small');
  const grown = join(base, 'grown');

  beforeAll(async () => {
    expect((await cli('generate', scenario, '--out', small, ...RUN)).code).toBe(0);
    cpSync(small, grown, { recursive: true });
    expect((await cli('grow', grown, '--rows', '400000', '--workers', '2')).code).toBe(0);
  });

  it('is completed by the same grow again, or by merge, to the bytes of an uninterrupted grow', async () => {
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

  it('parts replacing an older dataset with --force keep what a sibling part wrote after they read the directory', async () => {
    const parts = ['--seed', '4', '--force', ...RUN];
    const ref = join(base, 'ref-seed-4');
    expect((await cli('generate', scenario, '--out', ref, ...parts)).code).toBe(0);
    // Part 1 of 3, run alone: what it leaves is what a sibling finishing beside part 2 leaves.
    const sibling = join(base, 'sibling');
    expect((await cli('generate', scenario, '--out', sibling, ...parts, '--part', '1/3')).code).toBe(0);
    const d = join(base, 'replaced');
    cpSync(small, d, { recursive: true });
    // Part 2 has read the older dataset's records when part 1 ends, just before part 2 removes that dataset's files.
    beforeRemove.run = () => cpSync(sibling, d, { recursive: true });
    const two = await cli('generate', scenario, '--out', d, ...parts, '--part', '2/3');
    expect(beforeRemove.run).toBeUndefined();
    expect(two.code, two.err).toBe(0);
    const three = await cli('generate', scenario, '--out', d, ...parts, '--part', '3/3');
    expect(three.code, three.err).toBe(0);
    const merged = await cli('merge-manifests', d);
    expect(merged.code, merged.err).toBe(0);
    expect(treeHashes(d)).toEqual(treeHashes(ref));
  });

  it('a part replacing an older dataset with --force removes its files before its manifest: a sibling surveying meanwhile never finds them unowned', async () => {
    // The older dataset (400,000 rows) has shards the new plan (150,000 rows) does not.
    const d = join(base, 'removing');
    cpSync(grown, d, { recursive: true });
    const refusals: string[] = [];
    afterRemove.run = (path) => {
      if (!path.startsWith(d)) return;
      try {
        ownedRecords(d);
      } catch (err) {
        refusals.push(`after removing ${path}: ${(err as Error).message}`);
      }
    };
    try {
      const one = await cli('generate', scenario, '--out', d, '--seed', '4', '--force', ...RUN, '--part', '1/3');
      expect(one.code, one.err).toBe(0);
    } finally {
      afterRemove.run = undefined;
    }
    expect(refusals).toEqual([]);
    expect(existsSync(join(d, 'data', 'part-00006.parquet'))).toBe(false);
  });

  it('a whole-dataset run and a part run taking their locks at the same moment: the later to take it stops', () => {
    const d = join(base, 'locks');
    mkdirSync(d);
    // The part run creates its lock between the whole run's look at the directory and its own create.
    const part = { pid: process.pid, host: hostname(), command: 'generate --part 1/2' };
    beforeOpen.suffix = `${d}/.paranom.lock`;
    beforeOpen.run = () => writeFileSync(join(d, '.paranom-part-00001-of-00002.lock'), JSON.stringify(part) + '\n');
    expect(() => acquireLock(d, null, 'generate')).toThrow(`output directory '${d}' is in use by process ${process.pid} on host ${hostname()} (generate --part 1/2)`);
    expect(beforeOpen.run).toBeUndefined();
    expect(readdirSync(d)).toEqual(['.paranom-part-00001-of-00002.lock']);
  });
});

