/** Every CLI option is a library option: the same run through both gives the same bytes. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, planRun } from '../src/index.js';
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
});
