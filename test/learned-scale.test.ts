/**
 * A `learned` kind whose model was trained on data of another scale than its target: the
 * model's z-scores make the target's windows unlike any it learned, and its decoded
 * changes are in the model's units. `generate` warns, naming the variable, the model and
 * both scales; a target on the model's own scale gets no warning.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { parseScenario } from '../src/reader/load.js';
import { trainVae } from '../src/vae/train.js';
import { readSeries } from '../src/vae/series.js';
import { learnedScaleWarnings } from '../src/run/learned-scale.js';
import { prepareScenario } from '../src/variables/registry.js';
import { tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');
const DATA = join(root, 'test/fixtures/vae/nyc_taxi_6w.csv');

let work: string;
let norm: { mean: number[]; sd: number[] };

const readJson = (path: string) => readFileSync(path, 'utf8');

beforeAll(async () => {
  work = tempDir('paranom-learned-scale-');
  mkdirSync(join(work, 'data'));
  copyFileSync(DATA, join(work, 'data/taxi.csv'));
  // The same series in thousands of rides: a thousandth of the scale.
  const taxi = readSeries(DATA, ['value']).values[0]!;
  writeFileSync(join(work, 'data/taxi-k.csv'), 'value\n' + Array.from(taxi, (v) => String(v / 1000)).join('\n') + '\n');
  writeFileSync(join(work, 'data/taxi-up.csv'), 'value\n' + Array.from(taxi, (v) => String(v + 50_000)).join('\n') + '\n');
  norm = (await trainVae({ data: DATA, window: 48, latent: 2, hidden: [8], epochs: 1, seed: 5, backend: 'wasm', out: join(work, 'models/taxi') })).meta.normalisation;
});

function scenario(variables: Record<string, unknown>): string {
  const path = join(work, `s-${Object.keys(variables).join('-')}.json`);
  writeFileSync(path, JSON.stringify({
    name: 'scale', seed: 3,
    timeline: { start: '2014-07-01T00:00:00Z', step: '30m', rows: 2000 },
    anomalies: { frequency: 0.05, kinds: [{ kind: 'learned', model: 'models/taxi', duration: [10, 20] }] },
    variables,
  }));
  return path;
}

describe('a learned model on a variable of another scale', () => {
  it('warns naming the variable, the model and both scales; the model\'s own scale is quiet (before: no word)', async () => {
    // The taxi model: tens of thousands of rides per half hour.
    expect(norm.mean[0]).toBeGreaterThan(10_000);
    const same = parseScenario(readJson(scenario({ taxi: { type: 'source', file: 'data/taxi.csv', column: 'value' } })), join(work, 'same.json'));
    await prepareScenario(same);
    expect(learnedScaleWarnings(same)).toEqual([]);

    const small = parseScenario(readJson(scenario({ rides_k: { type: 'source', file: 'data/taxi-k.csv' } })), join(work, 'small.json'));
    await prepareScenario(small);
    const [w, ...more] = learnedScaleWarnings(small);
    expect(more).toEqual([]);
    const m = Number(norm.mean[0]!.toPrecision(4));
    const s = Number(norm.sd[0]!.toPrecision(4));
    expect(w).toContain(`variable 'rides_k' is far off the scale of the learned kind's model models/taxi (channel 'value', trained on nyc_taxi_6w.csv at mean ${m}, sd ${s}): its clean values over the first 2000 rows have mean `);
    // 15 against 14990 is only 2.25 training sds (the model's sd is large): the spread tells.
    expect(w).toMatch(/have mean 14\.\d+, sd 6\.\d+; its sd is 9\.\d+e-4 times the model's\. The encoder reads such windows as nothing it learned/);

    // The same series moved up by 50,000: the spread is the model's, the mean 7.5 sds off.
    const up = parseScenario(readJson(scenario({ rides_up: { type: 'source', file: 'data/taxi-up.csv' } })), join(work, 'up.json'));
    await prepareScenario(up);
    expect(learnedScaleWarnings(up)[0]).toMatch(/^variable 'rides_up' .*have mean 6\d{4}, sd 66\d\d; its mean is 7\.\d+ training sds from the model's\./);

    // A stochastic variable at 20 ± 2: warned of too, with its own figures.
    const temp = parseScenario(readJson(scenario({ temp: { normal: { dist: 'normal', mean: 20, sd: 2 } } })), join(work, 'temp.json'));
    await prepareScenario(temp);
    expect(learnedScaleWarnings(temp)[0]).toMatch(/^variable 'temp' is far off .*have mean 2\d\.\d*, sd [12]\.\d+;/);
  }, 60_000);

  it('never throws: a model that cannot be read for the measure is said as a warning', async () => {
    const s = parseScenario(readJson(scenario({ rides_k: { type: 'source', file: 'data/taxi-k.csv' } })), join(work, 'broken.json'));
    await prepareScenario(s);
    const spec = s.anomalies.mode !== 'none' ? s.anomalies.kinds![0]! : undefined;
    spec!.learned!.model = 'models/missing';
    expect(learnedScaleWarnings(s)).toEqual([expect.stringMatching(/^the scale of the learned kinds' targets against their models could not be measured: /)]);
  });

  it('generate returns the warning, and the CLI prints it, in generate and validate', async () => {
    const path = scenario({ rides_k: { type: 'source', file: 'data/taxi-k.csv' } });
    const r = await generate(path, { out: join(work, 'ds'), workers: 1 });
    expect(r.warnings.some((x) => x.startsWith("variable 'rides_k' is far off the scale of the learned kind's model models/taxi"))).toBe(true);
    const cli = spawnSync(process.execPath, [CLI, 'generate', path, '--out', join(work, 'ds-cli')], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/paranom: warning: variable 'rides_k' is far off the scale of the learned kind's model models\/taxi/);
    // validate says it before a run.
    const checked = spawnSync(process.execPath, [CLI, 'validate', path], { encoding: 'utf8' });
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr).toMatch(/paranom: warning: .*s-rides_k\.json: variable 'rides_k' is far off the scale of the learned kind's model models\/taxi/);
    const quiet = spawnSync(process.execPath, [CLI, 'generate', scenario({ taxi: { type: 'source', file: 'data/taxi.csv', column: 'value' } }), '--out', join(work, 'ds-quiet')], { encoding: 'utf8' });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/far off the scale/);
  }, 60_000);
});
