/**
 * A run keeps files an earlier run left in its directory only when they were written from
 * the same inputs: the same scenario, the same input files, the same entity names (the
 * key column's bytes, which the scenario hash leaves out so that fleets can grow), and the
 * same data-format version. Anything else is refused with exit 2 and a message naming what
 * changed — never a dataset whose files mix two versions of an input.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { grow } from '../src/run/grow.js';
import { duck, tempDir } from './helpers.js';
import { FORMAT_VERSION } from '../src/format.js';
import { cli, expectClean, treeHashes, writeScenario } from './reliability-helpers.js';

const ROWS = 30_000;

/** A fleet named by a source file of names: 2 entities per 65,536-row shard. */
function fleetDoc(entities: Record<string, unknown>, variables: Record<string, unknown> = { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } }): Record<string, unknown> {
  return { name: 'names', seed: 5, timeline: { start: '2024-01-01T00:00:00Z', step: '1m', rows: ROWS }, entities, variables };
}

/** Runs `generate` until its first shard is written, then stops it: a journal with that shard stays. */
async function interrupted(scenario: string, out: string): Promise<void> {
  const stop = new AbortController();
  await expect(generate(scenario, { out, workers: 1, shardRows: 65_536, signal: stop.signal, onProgress: () => stop.abort() })).rejects.toMatchObject({ code: 'INTERRUPTED' });
}

async function keys(out: string): Promise<string[]> {
  const rows = await duck(`SELECT DISTINCT CAST(entity AS VARCHAR) AS k FROM read_parquet('${out}/data/*.parquet') ORDER BY 1`);
  return rows.map((r) => String(r['k']));
}

describe('a run keeps earlier files only when they come from the same inputs', () => {
  it('entity names changed to others of the same length: refused (complete and interrupted datasets), naming the entity; appended names still grow', async () => {
    const base = tempDir('paranom-identity-');
    writeFileSync(join(base, 'hosts.txt'), 'aa\nbb\ncc\ndd\n');
    const scenario = writeScenario(base, fleetDoc({ source: './hosts.txt' }));
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out, '--shard-rows', '65536')).code).toBe(0);
    const before = treeHashes(out);

    writeFileSync(join(base, 'hosts.txt'), 'aa\nbx\ncc\ndd\n');
    const r = await cli('generate', scenario, '--out', out, '--shard-rows', '65536');
    expect(r.code).toBe(2);
    expect(r.err).toContain("entity 1 is 'bb' there, 'bx' now");
    expectClean(r);
    expect(treeHashes(out)).toEqual(before);

    // An interrupted run records the names it wrote for; a resume under other names is refused.
    const cut = join(base, 'cut');
    writeFileSync(join(base, 'hosts.txt'), 'aa\nbb\ncc\ndd\n');
    await interrupted(scenario, cut);
    const kept = treeHashes(cut);
    writeFileSync(join(base, 'hosts.txt'), 'ab\nbb\ncc\ndd\n');
    await expect(generate(scenario, { out: cut, shardRows: 65_536 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('the entity names changed') });
    expect(treeHashes(cut)).toEqual(kept);
    // With its names back, the same command resumes, and every key is a current name.
    writeFileSync(join(base, 'hosts.txt'), 'aa\nbb\ncc\ndd\n');
    const resumed = await generate(scenario, { out: cut, shardRows: 65_536 });
    expect(resumed.reused).toBeGreaterThan(0);
    expect(await keys(cut)).toEqual(['aa', 'bb', 'cc', 'dd']);

    // Names appended after the dataset's own are growth, which keeps every file.
    appendFileSync(join(base, 'hosts.txt'), 'ee\n');
    const grown = await grow(out, { entities: 5 });
    expect(grown.generated).toBeGreaterThan(0);
    expect(await keys(out)).toEqual(['aa', 'bb', 'cc', 'dd', 'ee']);
    for (const [file, sha] of Object.entries(before)) if (file.startsWith('data/')) expect(treeHashes(out)[file], file).toBe(sha);
  });

  it('a fleet that names its entities and one that counts them are different datasets', async () => {
    const base = tempDir('paranom-identity-');
    const out = join(base, 'ds');
    await generate(writeScenario(base, fleetDoc({ count: 3 }), 'counted.json'), { out });
    await expect(generate(writeScenario(base, fleetDoc({ names: ['a', 'b', 'c'] }), 'named.json'), { out })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('its entities are counted') });
  });

  it('a callback module changed under an interrupted run: the resume is refused, naming the module', async () => {
    const base = tempDir('paranom-identity-');
    writeFileSync(join(base, 'cb.mjs'), 'export function normal(ctx) { return ctx.row % 7; }\n');
    const scenario = writeScenario(base, { ...fleetDoc({ count: 4 }, { x: { type: 'callback', module: './cb.mjs', normal: 'normal' } }) });
    const out = join(base, 'ds');
    await interrupted(scenario, out);
    const kept = treeHashes(out);
    appendFileSync(join(base, 'cb.mjs'), 'export const edited = true;\n');
    const r = await cli('generate', scenario, '--out', out, '--shard-rows', '65536');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/callback module cb\.mjs \(variable 'x'\) changed \(SHA-256 [0-9a-f]{12}… there, [0-9a-f]{12}… now\)/);
    expectClean(r);
    expect(treeHashes(out)).toEqual(kept);
  });

  it('a file the callback module imports is an input too: edited, it is named and refused by a rerun, grow and verify', async () => {
    const base = tempDir('paranom-identity-');
    mkdirSync(join(base, 'lib'));
    writeFileSync(join(base, 'lib', 'gain.mjs'), 'export const gain = 2;\n');
    writeFileSync(join(base, 'cb.mjs'), "import { gain } from './lib/gain.mjs';\nexport function normal(ctx) { return gain * ctx.row; }\n");
    const scenario = writeScenario(base, { name: 'i', seed: 1, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 2000 }, variables: { x: { type: 'callback', module: './cb.mjs', normal: 'normal' } } });
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out)).code).toBe(0);
    const before = treeHashes(out);
    writeFileSync(join(base, 'lib', 'gain.mjs'), 'export const gain = 3;\n');
    for (const args of [['generate', scenario, '--out', out], ['grow', out, '--rows', '4000'], ['verify', out]]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain('file the callback module imports lib/gain.mjs');
      expectClean(r);
    }
    expect(treeHashes(out)).toEqual(before);
  });

  it('a dataset or run journal of an earlier data-format version: grow, verify, merge and a rerun refuse it, naming both versions; report still reads it', async () => {
    const base = tempDir('paranom-identity-');
    const scenario = writeScenario(base, { name: 'v', seed: 2, timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 5000 }, anomalies: { frequency: 0.01, duration: [5, 20] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 0, sd: 9 } } } });
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out)).code).toBe(0);
    // As an earlier paranom wrote it: the manifest says version 1.
    const manifest = join(out, 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(`"format_version": ${FORMAT_VERSION},`, '"format_version": 1,'));
    const before = treeHashes(out);
    const to = join(base, 'one.parquet');
    for (const args of [['grow', out, '--rows', '9000'], ['verify', out], ['merge', out, '--to', to], ['generate', scenario, '--out', out]]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(new RegExp(`data-format version 1\\b.*version ${FORMAT_VERSION}\\b`));
      expectClean(r);
      expect(treeHashes(out)).toEqual(before);
    }
    expect(existsSync(to)).toBe(false);
    const page = join(base, 'r.html');
    expect((await cli('report', out, '--out', page)).code).toBe(0);
    expect(existsSync(page)).toBe(true);

    // A journal an earlier paranom left (no version on its first line) is not resumed into.
    const cut = join(base, 'cut');
    const big = writeScenario(base, fleetDoc({ count: 4 }), 'fleet.json');
    await interrupted(big, cut);
    const journal = join(cut, '.paranom-run.jsonl');
    const [first, ...rest] = readFileSync(journal, 'utf8').split('\n');
    const { format_version: _v, ...older } = JSON.parse(first!) as Record<string, unknown>;
    writeFileSync(journal, [JSON.stringify(older), ...rest].join('\n'));
    await expect(generate(big, { out: cut, shardRows: 65_536 })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('did not record its data-format version') });
  });
});
