/**
 * Temporaries among the user's files: two merges of different datasets into one --to,
 * started together, never write into one temporary (before, both wrote
 * `FILE.paranom-merge.tmp`: a file mixing both, or a rename that found it gone); a merge
 * removes its own temporary and what killed merges left, never a file of the user's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, expectClean, placeUserFiles, sha256, startCli, tinyScenario, userHashes, writeScenario } from './reliability-helpers.js';
import { writeFileAtomic } from '../src/formats/files.js';

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const ROUNDS = 4;

describe('temporaries beside the user’s files', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(300_000));
  const a = join(base, 'a');
  const b = join(base, 'b');
  const refs: Record<string, string> = {};

  it('two datasets and their merges alone', async () => {
    expect((await cli('generate', scenario, '--out', a, '--shard-rows', '65536')).code).toBe(0);
    expect((await cli('generate', scenario, '--out', b, '--seed', '9', '--shard-rows', '65536')).code).toBe(0);
    for (const [name, dir] of [['a', a], ['b', b]] as const) {
      const to = join(base, `${name}.parquet`);
      expect((await cli('merge', dir, '--to', to)).code).toBe(0);
      refs[sha256(readFileSync(to))] = name;
    }
    expect(Object.keys(refs)).toHaveLength(2);
  });

  it(`two merges of different datasets into one --to, started together (${ROUNDS} rounds, with and without --force): one whole merge, nothing else`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(base, `side-${round}`);
      const to = join(dir, 'all.parquet');
      const force = round % 2 === 1 ? ['--force'] : [];
      spawnSync('mkdir', [dir]);
      const runs = await Promise.all([startCli(['merge', a, '--to', to, ...force]).done, startCli(['merge', b, '--to', to, ...force]).done]);
      const codes = runs.map((r) => r.code);
      for (const r of runs) expectClean(r);
      if (force.length > 0) {
        // Both may replace: the last to finish wins, with a whole merge of its dataset.
        expect(codes, runs.map((r) => r.err).join('\n')).toEqual([0, 0]);
      } else {
        expect([...codes].sort(), runs.map((r) => r.err).join('\n')).toEqual([0, 2]);
        expect(runs.find((r) => r.code === 2)!.err).toMatch(/all\.parquet (already exists; pass --force|appeared while merging)/);
      }
      expect(refs[sha256(readFileSync(to))], `round ${round}: the merged file is one dataset's merge`).toBeDefined();
      if (force.length === 0) expect(refs[sha256(readFileSync(to))]).toBe(runs[0]!.code === 0 ? 'a' : 'b');
      expect(readdirSync(dir)).toEqual(['all.parquet']);
    }
  }, 120_000);

  it("removes only its own temporary and those of merges that were killed, never the user's files", async () => {
    const dir = join(base, 'beside');
    const dead = spawnSync('true').pid!;
    const mine = placeUserFiles(dir, {
      'all.parquet.tmp': 'my draft',
      'all.parquet.paranom-merge.tmp': 'a name merge once used, now a file of mine',
      // A merge of this host still running (this test's parent), and a temporary of another host.
      [`all.parquet.paranom-${HOST}-${process.ppid}-0123456789ab.tmp`]: 'still being written',
      'all.parquet.paranom-00000000-1-0123456789ab.tmp': 'another host',
    });
    const abandoned = join(dir, `all.parquet.paranom-${HOST}-${dead}-0123456789ab.tmp`);
    writeFileSync(abandoned, 'left by kill -9');
    const ok = await cli('merge', a, '--to', join(dir, 'all.parquet'));
    expect(ok.code, ok.err).toBe(0);
    expect(userHashes(dir, Object.keys(mine))).toEqual(mine);
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(mine), 'all.parquet'].sort());

    // A merge that fails (a damaged shard) leaves no temporary of its own, and the rest as it was.
    const hurt = join(base, 'hurt');
    cpSync(a, hurt, { recursive: true });
    rmSync(join(hurt, 'data/part-00003.parquet'));
    const failed = await cli('merge', hurt, '--to', join(dir, 'other.parquet'));
    expect(failed.code).toBe(1);
    expectClean(failed);
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(mine), 'all.parquet'].sort());

    // A file written beside the user's (a report page, a stream's labels) works the same way.
    writeFileAtomic(join(dir, 'page.html'), '<html></html>', { amongUserFiles: true });
    expect(readFileSync(join(dir, 'page.html'), 'utf8')).toBe('<html></html>');
    expect(userHashes(dir, Object.keys(mine))).toEqual(mine);
  });
});
