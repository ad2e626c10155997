/**
 * File options that are symbolic links: `merge --to`, `--labels-to` and a report's `--out`.
 * A link is the user's file: paranom writes where it leads (checked there as any target
 * is: an earlier file of paranom's, outside every dataset) and the link stays a link; a link
 * to nothing is refused with exit 2 naming it, before any work.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duck, tempDir } from './helpers.js';
import { cli, expectClean, sha256, treeHashes, tinyScenario, writeScenario } from './reliability-helpers.js';

describe('file options that are symbolic links', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(70_000));
  const ds = join(base, 'ds');
  const exports = join(base, 'exports');

  /** Expects `link` to be still the symbolic link to `target` it was made as. */
  const expectLink = (link: string, target: string) => {
    expect(lstatSync(link).isSymbolicLink(), `${link} is no longer a link`).toBe(true);
    expect(readlinkSync(link)).toBe(target);
  };

  it('merge --to a link writes where it leads and keeps the link (before, the link was replaced by the merged file)', async () => {
    expect((await cli('generate', scenario, '--out', ds, '--workers', '1')).code).toBe(0);
    mkdirSync(exports);
    const target = join(exports, 'all.parquet');
    expect((await cli('merge', ds, '--to', target)).code).toBe(0);
    const link = join(base, 'all-link.parquet');
    symlinkSync(target, link);
    const r = await cli('merge', ds, '--to', link, '--force');
    expect(r.code, r.err).toBe(0);
    expectLink(link, target);
    expect(await duck(`SELECT count(*)::INT AS n FROM read_parquet('${link}')`)).toEqual([{ n: 70_000 }]);
  });

  it('merge --to a link into a dataset is refused, as a path inside it is (the shard it names stays)', async () => {
    const before = treeHashes(ds);
    const link = join(base, 'shard-link.parquet');
    symlinkSync(join(ds, 'data', 'part-00000.parquet'), link);
    const r = await cli('merge', ds, '--to', link, '--force');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/shard-link\.parquet is inside the dataset/);
    expectClean(r);
    expectLink(link, join(ds, 'data', 'part-00000.parquet'));
    expect(treeHashes(ds)).toEqual(before);
  });

  it('a link to nothing is refused naming it, for merge --to, --labels-to and report --out (before, each replaced the link)', async () => {
    const cases: Array<[string, string[]]> = [
      ['to.parquet', ['merge', ds, '--to']],
      ['labels.parquet', ['generate', scenario, '--stdout', '--labels-to']],
      ['page.html', ['report', ds, '--out']],
    ];
    for (const [name, args] of cases) {
      const link = join(base, `dangling-${name}`);
      symlinkSync(join(base, `nowhere-${name}`), link);
      const r = await cli(...args, link);
      expect(r.code, `${args[0]}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(new RegExp(`dangling-${name.replace('.', '\\.')}' is a symbolic link to .*nowhere-${name.replace('.', '\\.')}, which does not exist`));
      expect(r.out).toBe('');
      expectClean(r);
      expectLink(link, join(base, `nowhere-${name}`));
    }
  });

  it('--labels-to and report --out through a link to an earlier file of paranom write there and keep the link', async () => {
    const labels = join(exports, 'labels.parquet');
    expect((await cli('generate', scenario, '--stdout', '--labels-to', labels)).code).toBe(0);
    const labelsLink = join(base, 'labels-link.parquet');
    symlinkSync(labels, labelsLink);
    expect((await cli('generate', scenario, '--stdout', '--labels-to', labelsLink)).code).toBe(0);
    expectLink(labelsLink, labels);
    expect(sha256(readFileSync(labels))).toBe(sha256(readFileSync(join(ds, 'anomalies.parquet'))));

    const page = join(exports, 'page.html');
    expect((await cli('report', ds, '--out', page)).code).toBe(0);
    const pageLink = join(base, 'page-link.html');
    symlinkSync(page, pageLink);
    const r = await cli('report', ds, '--out', pageLink);
    expect(r.code, r.err).toBe(0);
    expectLink(pageLink, page);
  });
});
