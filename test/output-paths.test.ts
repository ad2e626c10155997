/**
 * Output paths that lead back into data: symlinks, an output directory holding the files a
 * scenario reads, a merged file aimed into the dataset it merges. Each is either followed
 * to where it leads and works, or refused with exit 2 before anything is written; the
 * dataset and the user's files stay as they were, and `verify` still passes.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cli, expectClean, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

const SHARDS = ['--shard-rows', '65536', '--workers', '2'];

describe('output paths that lead back into data', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(140_000));
  const ds = join(base, 'ds');

  it('merge --to through a symlink into the dataset is refused (it put the merged file among the shards, and verify then failed)', async () => {
    expect((await cli('generate', scenario, '--out', ds, ...SHARDS)).code).toBe(0);
    const before = treeHashes(ds);
    symlinkSync(join(ds, 'data'), join(base, 'to-data'));
    symlinkSync(ds, join(base, 'ds-link'));
    for (const [dataset, to] of [
      [ds, join(base, 'to-data', 'all.parquet')],
      [join(base, 'ds-link'), join(ds, 'all.parquet')],
      [ds, join(base, 'ds-link', 'data', 'all.parquet')],
    ] as const) {
      const r = await cli('merge', dataset, '--to', to);
      expect(r.code, `${dataset} → ${to}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(/is inside the dataset/);
      expectClean(r);
    }
    expect(treeHashes(ds)).toEqual(before);
    expect((await cli('verify', ds)).code).toBe(0);
    // Through a symlink that leads elsewhere, merge writes where the link leads.
    mkdirSync(join(base, 'exports'));
    symlinkSync(join(base, 'exports'), join(base, 'exports-link'));
    expect((await cli('merge', ds, '--to', join(base, 'exports-link', 'all.parquet'))).code).toBe(0);
    expect(readdirSync(join(base, 'exports'))).toEqual(['all.parquet']);
  });

  it('--out inside another dataset (its folder, its data/, deeper, through a link; --splits too) is refused, exit 2 (before, the run wrote there, and the outer dataset then failed verify and was refused by grow)', async () => {
    const outer = join(base, 'outer');
    expect((await cli('generate', scenario, '--out', outer, ...SHARDS)).code).toBe(0);
    const before = treeHashes(outer);
    symlinkSync(outer, join(base, 'outer-link'));
    for (const [out, extra] of [
      [join(outer, 'sub'), []],
      [join(outer, 'data', 'sub'), []],
      [join(outer, 'a', 'b'), []],
      [join(base, 'outer-link', 'x'), []],
      [join(outer, 'sp'), ['--splits']],
    ] as const) {
      const r = await cli('generate', scenario, '--out', out, ...SHARDS, ...extra);
      expect(r.code, `${out}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(/--out '.*' is inside the dataset .*outer(-link)?; .*verify would report that dataset as changed/);
      expectClean(r);
      expect(treeHashes(outer)).toEqual(before);
    }
    expect(readdirSync(outer).sort()).toEqual(['anomalies.parquet', 'data', 'manifest.json']);
    expect((await cli('verify', outer)).code).toBe(0);
    expect((await cli('grow', outer, '--rows', '150000')).code).toBe(0);
  });

  it('--out as a symlink: to a directory it is followed; to a file or to nothing, refused naming it', async () => {
    mkdirSync(join(base, 'real-out'));
    symlinkSync(join(base, 'real-out'), join(base, 'out-link'));
    const r = await cli('generate', scenario, '--out', join(base, 'out-link'), ...SHARDS);
    expect(r.code, r.err).toBe(0);
    expect(treeHashes(join(base, 'real-out'))).toEqual(treeHashes(ds));
    expect((await cli('verify', join(base, 'out-link'))).code).toBe(0);
    writeFileSync(join(base, 'mine.txt'), 'mine');
    symlinkSync(join(base, 'mine.txt'), join(base, 'file-link'));
    const f = await cli('generate', scenario, '--out', join(base, 'file-link'));
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/is a file, not a directory/);
    symlinkSync(join(base, 'nowhere'), join(base, 'dangling'));
    const d = await cli('generate', scenario, '--out', join(base, 'dangling'));
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/dangling' is a symbolic link to .*nowhere, which does not exist/);
    expectClean(d);
  });

  it('a scenario reading a file inside --out is refused: a source replaying the shard an earlier run wrote there (before, --force replaced it and the new dataset never verified)', async () => {
    const dir = join(base, 'replay');
    const earlier = join(dir, 'ds');
    expect((await cli('generate', scenario, '--out', earlier, ...SHARDS)).code).toBe(0);
    const replay = writeScenario(dir, { timeline: { rows: 1000 }, variables: { y: { type: 'source', file: './ds/data/part-00000.parquet', column: 'temp' } } }, 'replay.json');
    const before = treeHashes(earlier);
    for (const force of [[], ['--force']]) {
      const r = await cli('generate', replay, '--out', earlier, ...force);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/variable 'y': source file ds\/data\/part-00000\.parquet is inside the output directory .*\(data\/part-00000\.parquet\); a run there may replace it/);
      expectClean(r);
    }
    // Through a symlink to the output directory, the same.
    symlinkSync(earlier, join(dir, 'ds-link'));
    const viaLink = await cli('generate', replay, '--out', join(dir, 'ds-link'), '--force');
    expect(viaLink.code).toBe(2);
    expect(treeHashes(earlier)).toEqual(before);
    expect((await cli('verify', earlier)).code).toBe(0);

    // --out beside the scenario and its files, or inside the folder holding them: the inputs are untouched.
    const inputs = join(base, 'inputs');
    mkdirSync(inputs);
    writeFileSync(join(inputs, 'series.csv'), 'value\n' + Array.from({ length: 50 }, (_, i) => i).join('\n') + '\n');
    const own = writeScenario(inputs, { timeline: { rows: 500 }, variables: { y: { type: 'source', file: './series.csv' } } });
    const mine = treeHashes(inputs);
    const at = await cli('generate', own, '--out', inputs);
    expect(at.code).toBe(2);
    expect(at.err).toMatch(/source file series\.csv is inside the output directory/);
    expect((await cli('generate', own, '--out', join(inputs, 'out'))).code).toBe(0);
    const after = treeHashes(inputs);
    for (const f of Object.keys(mine)) expect(after[f], f).toBe(mine[f]);
  });
});
