/** Every CLI option is a library option: the same run through both gives the same bytes. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, generateSplits, grow, loadScenario, planRun, streamRows, verify } from '../src/index.js';
import { tempDir } from './helpers.js';

const SCENARIO = 'scenarios/anomaly-kinds.yaml';

describe('library options', () => {
  it('planRun is --dry-run: the plan with overrides and the clean twin, nothing written', () => {
    const plan = planRun(SCENARIO, { rows: 200_000, shardRows: 65_536, withClean: true, format: 'csv' });
    expect(plan.shards.map((s) => s.file)).toEqual(['data/part-00000.csv', 'data/part-00001.csv', 'data/part-00002.csv', 'data/part-00003.csv']);
    expect(plan.scenario.timeline.rows).toBe(200_000);
    expect(plan.scenario.anomalies.cleanTwin).toBe(true);
  });

  it('withClean writes what --with-clean writes', async () => {
    const dir = tempDir();
    const lib = await generate(SCENARIO, { out: join(dir, 'lib'), rows: 70_000, workers: 1, withClean: true });
    const cli = spawnSync(process.execPath, ['dist/src/cli/main.js', 'generate', SCENARIO, '--out', join(dir, 'cli'), '--rows', '70000', '--workers', '1', '--with-clean'], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'cli/manifest.json'), 'utf8'));
    expect(lib.manifest.shards.map((s) => s.sha256)).toEqual(m.shards.map((s: { sha256: string }) => s.sha256));
    expect(JSON.stringify(lib.manifest)).toMatch(/_clean/);
    expect(existsSync(join(dir, 'lib/anomalies.parquet'))).toBe(true);
  });

  it('refuses a worker count or shard size that is not a whole number in range, before anything is written (NaN workers hung the run; 0, −1 and 1.5 were replaced silently)', async () => {
    const dir = tempDir();
    const grown = join(dir, 'grown');
    await generate(SCENARIO, { out: grown, rows: 1_000, workers: 1 });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    for (const bad of [0, -1, 1.5, 1e6, Number.NaN]) {
      const out = join(dir, `w-${bad}`);
      await expect(generate(SCENARIO, { out, rows: 1_000, workers: bad })).rejects.toThrow(`workers must be an integer from 1 to 1,024, got ${bad}`);
      await expect(generate(SCENARIO, { out, rows: 1_000, shardRows: bad === 1e6 ? 2e9 : bad })).rejects.toThrow(/shardRows must be an integer from 1 to 1,000,000,000, got/);
      expect(() => planRun(SCENARIO, { shardRows: bad === 1e6 ? 2e9 : bad })).toThrow(/shardRows must be an integer/);
      await expect(grow(grown, 2_000, { workers: bad })).rejects.toThrow(/workers must be an integer/);
      await expect(streamRows(SCENARIO, { out: sink, rows: 1_000, format: 'csv', workers: bad })).rejects.toThrow(/workers must be an integer/);
      await expect(generateSplits(loadScenario(SCENARIO), { out: join(dir, `s-${bad}`), rows: 2_000, workers: bad })).rejects.toThrow(/workers must be an integer/);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(dir, `s-${bad}`))).toBe(false);
    }
    expect(JSON.parse(readFileSync(join(grown, 'manifest.json'), 'utf8')).rows).toBe(1_000);
    // verify's sample, as --sample is checked: NaN sampled no block and said ok.
    for (const bad of [-1, 1.5, 2e6, Number.NaN]) await expect(verify(grown, { sampleBlocks: bad })).rejects.toThrow(`sampleBlocks must be an integer from 0 to 1,000,000, got ${bad}`);
    expect((await verify(grown, { sampleBlocks: 0 })).ok).toBe(true);
  }, 60_000);
});
