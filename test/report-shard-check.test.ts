/**
 * A report reads each shard as the manifest lists it; a shard that is not that one — grown
 * by a `grow` that committed while the report read the dataset, or replaced by hand — is
 * refused, naming it, instead of being drawn. Before, its rows past the manifest's end sent
 * the overview's bucket walk past its last bucket, and the report never ended.
 */
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cliProcess, expectClean, tinyScenario, writeScenario } from './reliability-helpers.js';

describe('report of a dataset whose shard is not the one its manifest lists', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(100_000));
  const ds = join(base, 'ds');
  const grown = join(base, 'grown');
  // Shards of 65,536 rows: the dataset's second shard holds 34,464 rows, the grown one's 65,536.
  const SHARD = join('data', 'part-00001.parquet');

  it('a dataset and a copy grown past its last shard', () => {
    expect(cliProcess(['generate', scenario, '--out', ds, '--shard-rows', '65536', '--workers', '1']).code).toBe(0);
    cpSync(ds, grown, { recursive: true });
    expect(cliProcess(['grow', grown, '--rows', '140000', '--workers', '1']).code).toBe(0);
    cpSync(join(grown, SHARD), join(ds, SHARD));
  });

  it.each([['1'], ['2']])('a shard of another size is refused, naming it and the manifest (--workers %s)', (workers) => {
    const html = join(base, `size-${workers}.html`);
    const r = cliProcess(['report', ds, '--out', html, '--workers', workers], { timeout: 60_000 });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/part-00001\.parquet: \d+ bytes, the manifest says \d+ .*changed while the report read it.*paranom verify/);
    expectClean(r);
    expect(existsSync(html)).toBe(false);
  });

  it('a shard of the size recorded but more rows (a manifest edited to match) is refused, not drawn forever', () => {
    const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8')) as { shards: { file: string; bytes: number }[] };
    m.shards.find((s) => s.file === SHARD)!.bytes = statSync(join(ds, SHARD)).size;
    writeFileSync(join(ds, 'manifest.json'), JSON.stringify(m, null, 2));
    const html = join(base, 'rows.html');
    const r = cliProcess(['report', ds, '--out', html], { timeout: 60_000 });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/part-00001\.parquet: holds 65,536 rows, the manifest says 34,464 .*paranom verify/);
    expectClean(r);
    expect(existsSync(html)).toBe(false);
  });
});
