/**
 * A full disk and a read-only file system, on real file systems: small tmpfs mounts (the
 * test needs root, as CI has; it fails, never skips, without). A full disk stops a run
 * with a message saying so, nothing half-written taken for whole, the user's files as they
 * were; once there is room, the same command completes to the bytes of an uninterrupted
 * run. A read-only place is refused before anything starts (exit 2, naming it), and a
 * dataset on one can still be verified and merged elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, cliProcess, expectClean, sha256, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

const mounted: string[] = [];
function mount(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounted.push(dir);
}
const remount = (dir: string, options: string) => execFileSync('mount', ['-o', `remount,${options}`, dir]);
afterAll(() => {
  for (const d of mounted.reverse()) execFileSync('umount', [d]);
});

const SHARDS = ['--shard-rows', '65536', '--workers', '2'];
/** Temporaries a failed write could leave: none may stay. */
const temporaries = (tree: Record<string, string>) => Object.keys(tree).filter((f) => /\.tmp$|\.new-\d+/.test(f));

describe('a full disk and a read-only file system', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(400_000));
  const ref = join(base, 'ref');
  const refMerged = join(base, 'ref.parquet');
  let refTree: Record<string, string>;

  it('reference dataset and merge', async () => {
    expect((await cli('generate', scenario, '--out', ref, ...SHARDS)).code).toBe(0);
    expect((await cli('merge', ref, '--to', refMerged)).code).toBe(0);
    refTree = treeHashes(ref);
  });

  it('disk full: generate, grow and merge stop saying so, leave the user’s files and nothing taken for whole; with room, the same command completes', () => {
    const disk = join(base, 'disk');
    // A shard is about 536 KB. With room for none, the run stops before any shard is
    // whole and leaves no directory behind: the one it made held nothing of value.
    mount(disk, 'size=300k');
    writeFileSync(join(disk, 'notes.md'), 'my notes');
    const ds = join(disk, 'ds');
    const none = cliProcess(['generate', scenario, '--out', ds, ...SHARDS]);
    expect(none.code, none.err).toBe(1);
    expect(none.err).toMatch(/no space left on the device \(ENOSPC/);
    expectClean(none);
    expect(readdirSync(disk)).toEqual(['notes.md']);
    // With room for one shard: one worker, so that shard is whole before the next one
    // fills the disk (two workers would race for the room, and either may win).
    remount(disk, 'size=1m');
    const gen = cliProcess(['generate', scenario, '--out', ds, '--shard-rows', '65536', '--workers', '1']);
    expect(gen.code, gen.err).toBe(1);
    expect(gen.err).toMatch(/no space left on the device \(ENOSPC/);
    expectClean(gen);
    expect(readFileSync(join(disk, 'notes.md'), 'utf8')).toBe('my notes');
    expect(temporaries(treeHashes(disk))).toEqual([]);
    expect(readdirSync(join(ds, 'data'))).toContain('part-00000.parquet');
    // Not a dataset (no manifest), and verify says how to go on; the same command with
    // two workers completes it.
    const v = cliProcess(['verify', ds]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/not a complete paranom dataset.*run again/);
    remount(disk, 'size=20m');
    const again = cliProcess(['generate', scenario, '--out', ds, ...SHARDS]);
    expect(again.code, again.err).toBe(0);
    expect(treeHashes(ds)).toEqual(refTree);

    // A grow that runs out of room: the dataset stays as it was (verify ok), then completes.
    const small = join(disk, 'small');
    expect(cliProcess(['generate', scenario, '--out', small, ...SHARDS, '--rows', '150000']).code).toBe(0);
    const before = treeHashes(small);
    const used = Number(execFileSync('df', ['--output=used', '-B1', disk], { encoding: 'utf8' }).trim().split('\n')[1]);
    remount(disk, `size=${used + 600_000}`);
    const grow = cliProcess(['grow', small, '--rows', '400000', '--workers', '2']);
    expect(grow.code, grow.err).toBe(1);
    expect(grow.err).toMatch(/no space left on the device \(ENOSPC/);
    expectClean(grow);
    expect(cliProcess(['verify', small]).code).toBe(0);
    const after = treeHashes(small);
    expect(after).toEqual(before);

    // A merge into a full disk: no file, no temporary; then, with room, the whole file.
    const to = join(disk, 'all.parquet');
    const merge = cliProcess(['merge', ref, '--to', to]);
    expect(merge.code).toBe(1);
    expect(merge.err).toMatch(/no space left|ENOSPC/);
    expectClean(merge);
    expect(readdirSync(disk).filter((f) => f.startsWith('all.parquet'))).toEqual([]);
    remount(disk, 'size=40m');
    expect(cliProcess(['grow', small, '--rows', '400000', '--workers', '2']).code).toBe(0);
    expect(treeHashes(small)).toEqual(refTree);
    expect(cliProcess(['merge', ref, '--to', to]).code).toBe(0);
    expect(sha256(readFileSync(to))).toBe(sha256(readFileSync(refMerged)));
    expect(readFileSync(join(disk, 'notes.md'), 'utf8')).toBe('my notes');
  }, 120_000);

  it('a disk with no room at all: generate leaves nothing, not even the new directory; merge-manifests and train-vae name what they could not write and leave it as it was', () => {
    const disk = join(base, 'nothing');
    mount(disk, 'size=64k');
    // Fills every block (the write stops at ENOSPC), so the lock's own file is created empty and its text cannot follow.
    const fill = () => {
      try {
        execFileSync('sh', ['-c', `head -c 1000000 /dev/zero > ${join(disk, 'filler')}`], { stdio: 'ignore' });
      } catch {
        // The file system is full, as wanted.
      }
    };
    fill();
    const r = cliProcess(['generate', scenario, '--out', join(disk, 'ds'), ...SHARDS]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/no space left on the device \(ENOSPC/);
    expectClean(r);
    expect(readdirSync(disk)).toEqual(['filler']);
    // So does merge-manifests, naming the dataset, whose part manifests stay as they were.
    const parts = join(disk, 'parts');
    mkdirSync(parts);
    rmSync(join(disk, 'filler'));
    for (const k of ['1/2', '2/2']) expect(cliProcess(['generate', scenario, '--out', parts, '--rows', '2000', '--shard-rows', '1000', '--part', k]).code).toBe(0);
    fill();
    const partsBefore = treeHashes(parts);
    const m = cliProcess(['merge-manifests', parts]);
    expect(m.code, m.err).toBe(1);
    expect(m.err).toMatch(/writing .*\/nothing\/parts: no space left on the device \(ENOSPC\); free some space/);
    expectClean(m);
    expect(treeHashes(parts)).toEqual(partsBefore);
    rmSync(parts, { recursive: true });
    // train-vae says so too, naming the model, and leaves nothing beside the filler.
    const vae = ['--data', join(import.meta.dirname, 'fixtures/vae/nyc_taxi_6w.csv'), '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--backend', 'cpu'];
    const t = cliProcess(['train-vae', ...vae, '--out', join(disk, 'model')]);
    expect(t.code, t.err).toBe(1);
    expect(t.err).toMatch(/writing .*\/nothing\/model: no space left on the device \(ENOSPC\); free some space/);
    expectClean(t);
    expect(readdirSync(disk)).toEqual(['filler']);
  }, 60_000);

  it('read-only: every writing command is refused before it starts (exit 2, naming the place); verify and merge elsewhere work', async () => {
    const ro = join(base, 'ro');
    mount(ro, 'size=20m');
    expect((await cli('generate', scenario, '--out', join(ro, 'ds'), ...SHARDS, '--rows', '150000')).code).toBe(0);
    mkdirSync(join(ro, 'empty'));
    remount(ro, 'ro');
    const before = treeHashes(ro);
    const vae = ['--data', join(import.meta.dirname, 'fixtures/vae/nyc_taxi_6w.csv'), '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--backend', 'cpu'];
    for (const [args, where] of [
      [['generate', scenario, '--out', join(ro, 'new')], /--out '.*\/ro\/new' cannot be created: .*\/ro cannot be written \(read-only file system\)/],
      [['generate', scenario, '--out', join(ro, 'empty')], /--out '.*\/ro\/empty' cannot be written \(read-only file system\)/],
      [['generate', scenario, '--out', join(ro, 'ds'), '--force'], /cannot be written \(read-only file system\)/],
      [['grow', join(ro, 'ds'), '--rows', '400000'], /^paranom: grow '.*\/ro\/ds' cannot be written \(read-only file system\)/],
      [['merge-manifests', join(ro, 'ds')], /cannot be written \(read-only file system\)/],
      [['merge', ref, '--to', join(ro, 'all.parquet')], /--to '.*\/ro' cannot be written \(read-only file system\)/],
      [['train-vae', ...vae, '--out', join(ro, 'model')], /--out .*\/ro\/model cannot be written: .*\/ro cannot be written \(read-only file system\)/],
    ] as const) {
      const r = await cli(...args);
      expect(r.code, `${args[0]}: ${r.err}`).toBe(2);
      expect(r.err, args[0]).toMatch(where);
      expect(r.out, args[0]).not.toMatch(/epoch/);
      expectClean(r);
    }
    expect((await cli('verify', join(ro, 'ds'))).code).toBe(0);
    const out = join(base, 'from-ro.parquet');
    const m = await cli('merge', join(ro, 'ds'), '--to', out);
    expect(m.code, m.err).toBe(0);
    expect(treeHashes(ro)).toEqual(before);
  }, 120_000);

  it("a dataset whose data/ alone is read-only (a read-only bind mount): grow and generate --force are refused before any work, exit 2, naming data/ (before: exit 1 from a worker, naming a shard's temporary)", () => {
    const ds = join(base, 'data-ro');
    expect(cliProcess(['generate', scenario, '--out', ds, ...SHARDS, '--rows', '100000']).code).toBe(0);
    const data = join(ds, 'data');
    execFileSync('mount', ['--bind', data, data]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', data]);
      const before = treeHashes(ds);
      for (const args of [
        ['grow', ds, '--rows', '300000', '--workers', '2'],
        ['generate', scenario, '--out', ds, ...SHARDS, '--force'],
      ]) {
        const r = cliProcess(args);
        expect(r.code, `${args[0]}: ${r.err}`).toBe(2);
        expect(r.err, args[0]).toMatch(/data-ro\/data' cannot be written \(read-only file system\)/);
        expect(r.out, args[0]).toBe('');
        expectClean(r);
        expect(treeHashes(ds), args[0]).toEqual(before);
      }
    } finally {
      execFileSync('umount', [data]);
    }
    expect(cliProcess(['verify', ds]).code).toBe(0);
  }, 60_000);
});
