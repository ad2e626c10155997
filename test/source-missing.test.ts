import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { verify } from '../src/run/verify.js';
import { loadScenario } from '../src/reader/load.js';
import { duck, tempDir } from './helpers.js';
import { csvFile, reading, ROWS, SPELLED_GAPS, START } from './source-gaps.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** File rows whose reading is missing, and how each is spelled in the CSV file. */
const GAPS = new Map<number, string>(SPELLED_GAPS);

/** The readings as `hold` replays them: each missing one takes the one before it; leading ones the first present. */
function held(): number[] {
  const out: number[] = [];
  let last = reading(1);
  for (let i = 0; i < ROWS + 100; i++) {
    if (!GAPS.has(i)) last = reading(i);
    out.push(last);
  }
  return out;
}


function scenarioFile(dir: string, file: string, extra: string): string {
  const path = join(dir, `${file}.yaml`);
  writeFileSync(path, [
    'name: missing-readings',
    'seed: 5',
    `timeline: { start: ${new Date(START).toISOString()}, step: 1m, rows: ${ROWS} }`,
    'anomalies: { frequency: 0.02, duration: [3, 8], kinds: [{ kind: spike, magnitude: [20, 40] }] }',
    'variables:',
    `  v: { type: source, file: ${file}, column: value${extra} }`,
  ].join('\n') + '\n');
  return path;
}

const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), ...args], { encoding: 'utf8' });
const clean = async (out: string) => (await duck(`SELECT v_clean AS v FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`)).map((r) => Number(r['v']));

describe('missing readings in a source file', () => {
  const dir = tempDir('paranom-source-missing-');
  csvFile(dir, 'gaps.csv', (i) => GAPS.get(i) ?? String(reading(i)));

  it('are refused by default, naming the first, how many, and the line to write (exit 2, nothing written)', async () => {
    const r = cli('generate', scenarioFile(dir, 'gaps.csv', ''), '--out', join(dir, 'refused'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("variables.v.file: gaps.csv: line 2: 'null' in column 'value' is a missing reading (10 of 500 rows are missing): write missing: hold to replay each as the reading before it, missing: keep to keep each as a null, or fill them in the file");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A Parquet file's nulls and NaNs alike.
    await duck(`COPY (SELECT * REPLACE (CASE WHEN value IN ('', ' ', 'null') THEN NULL WHEN value IN ('NaN', 'nan') THEN 'NaN' WHEN value IN ('NA', 'N/A', 'None', '#N/A', '<NA>') THEN NULL ELSE value END::DOUBLE AS value) FROM read_csv('${dir}/gaps.csv', all_varchar = true)) TO '${dir}/gaps.parquet' (FORMAT parquet)`);
    const p = cli('validate', scenarioFile(dir, 'gaps.parquet', ''));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain("gaps.parquet: row 0: null in column 'value' is a missing reading (10 of 500 rows are missing): write missing: hold");
  });

  it('with missing: hold, replay as the reading before them (the first present before any), in CSV and Parquet, for 1 and 2 workers, and verify finds the dataset whole', async () => {
    const want = held().slice(0, ROWS);
    const csv = await generate(loadScenario(scenarioFile(dir, 'gaps.csv', ', missing: hold')), { out: join(dir, 'csv'), workers: 1, withClean: true, shardRows: 65_536 });
    expect(csv.manifest.anomalies.realised.events).toBeGreaterThan(0);
    expect(await clean(join(dir, 'csv'))).toEqual(want);
    await generate(loadScenario(scenarioFile(dir, 'gaps.parquet', ', missing: hold')), { out: join(dir, 'pq'), workers: 2, withClean: true });
    expect(await clean(join(dir, 'pq'))).toEqual(want);
    // A file with the gaps filled by hand gives the same values, anomalies and labels.
    csvFile(dir, 'filled.csv', (i) => String(held()[i]));
    await generate(loadScenario(scenarioFile(dir, 'filled.csv', '')), { out: join(dir, 'filled'), workers: 2, withClean: true });
    const rows = (out: string) => duck(`SELECT timestamp, v, v_clean, is_anomaly, anomaly_id FROM read_parquet('${out}/data/*.parquet') ORDER BY timestamp`);
    expect(await rows(join(dir, 'csv'))).toEqual(await rows(join(dir, 'filled')));
    expect(await rows(join(dir, 'pq'))).toEqual(await rows(join(dir, 'filled')));
    expect((await verify(join(dir, 'csv'))).problems).toEqual([]);
    // The choice is part of the dataset's identity: the scenario records it.
    expect(JSON.parse(readFileSync(join(dir, 'csv', 'manifest.json'), 'utf8')).scenario_hash).not.toBe(JSON.parse(readFileSync(join(dir, 'filled', 'manifest.json'), 'utf8')).scenario_hash);
  });

  it('with mapped timestamps, hold is the same as leaving those rows out (past the first)', async () => {
    const inner = (i: number) => GAPS.has(i) && i > 0;
    csvFile(dir, 'inner.csv', (i) => (inner(i) ? GAPS.get(i)! : String(reading(i))));
    csvFile(dir, 'left-out.csv', (i) => (inner(i) ? null : String(reading(i))));
    await generate(loadScenario(scenarioFile(dir, 'inner.csv', ', timestamps: map, missing: hold')), { out: join(dir, 'inner'), workers: 1, withClean: true });
    await generate(loadScenario(scenarioFile(dir, 'left-out.csv', ', timestamps: map')), { out: join(dir, 'left-out'), workers: 1, withClean: true });
    expect(await clean(join(dir, 'inner'))).toEqual(await clean(join(dir, 'left-out')));
  });

  it('text that is not a number, an infinity, or a column with no reading at all stay refused with hold', () => {
    for (const [cell, message] of [['abc', "line 6: 'abc' in column 'value' is not a number"], ['inf', "line 6: 'inf' in column 'value' is not a number"]] as const) {
      csvFile(dir, 'bad.csv', (i) => (i === 4 ? cell : String(reading(i))));
      const r = cli('validate', scenarioFile(dir, 'bad.csv', ', missing: hold'));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
    }
    csvFile(dir, 'none.csv', () => '');
    const r = cli('validate', scenarioFile(dir, 'none.csv', ', missing: hold'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("none.csv: every value in column 'value' is missing (500 of 500 rows)");
    const bad = cli('validate', scenarioFile(dir, 'gaps.csv', ', missing: drop'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("variables.v.missing: how missing readings in the file replay, one of: error, hold, keep, got string 'drop'");
  });
});
