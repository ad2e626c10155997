/**
 * Learned anomalies: a tiny VAE trained for a few epochs on six weeks of real NAB
 * taxi counts (test/fixtures/vae), then `vae` variables generated through the real
 * `generate` API: same seed → same bytes, W=1 ≡ W=2, anomalous windows measurably further
 * from the training data than normal ones, the window rule and D2/D3 on odd splits, and
 * decoding with every TensorFlow package blocked.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { generateShard } from '../src/generate/shard.js';
import { parseScenario } from '../src/reader/load.js';
import { readParquetRows } from '../src/formats/read.js';
import type { Manifest } from '../src/dataset/manifest.js';
import type { Scenario, VaeVariable } from '../src/model/types.js';
import { prepareScenario } from '../src/variables/registry.js';
import { trainVae, type EpochReport } from '../src/vae/train.js';
import { readVaeModel } from '../src/vae/model.js';
import { readDenseStack } from '../src/vae/layers-format.js';
import { readSeries } from '../src/vae/series.js';
import { slidingWindows } from '../src/vae/windows.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { tempDir } from './helpers.js';
import { meanSd, quantile, stepQuantile } from './stats-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(root, 'test/fixtures/vae/nyc_taxi_6w.csv');
const W = 48;
const TRAIN = { data: DATA, window: W, latent: 4, hidden: [32], epochs: 8, seed: 3, backend: 'cpu' as const, patience: 4 };

let work: string;
let modelDir: string;
const epochs: EpochReport[] = [];

beforeAll(async () => {
  work = tempDir('paranom-vae-');
  modelDir = join(work, 'models/taxi');
  await trainVae({ ...TRAIN, out: modelDir, onEpoch: (e) => epochs.push(e) });
});

/** A scenario file beside the model; the model path in it is relative to the file. */
function scenario(over: Record<string, unknown> = {}, variable: Record<string, unknown> = {}): Scenario {
  const doc = {
    name: 'taxi-vae',
    seed: 11,
    timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 262_144 },
    anomalies: { frequency: 0.03, duration: [48, 96] },
    variables: { passengers: { type: 'vae', model: 'models/taxi', ...variable } },
    ...over,
  };
  return parseScenario(JSON.stringify(doc), join(work, 'scenario.json'));
}

const hashes = (m: Manifest) => m.shards.map((s) => `${s.file}:${s.sha256}`);

/** The reference dataset (W=1, 4 shards), generated once for the tests that read it. */
let reference: Promise<Manifest> | undefined;
function referenceRun(): Promise<Manifest> {
  reference ??= generate(scenario(), { out: join(work, 'ds-w1'), workers: 1, shardRows: 65_536 }).then((r) => r.manifest);
  return reference;
}

function readColumn(dir: string, name: string): { values: Float64Array; anomalous: Uint8Array } {
  const files = readdirSync(join(dir, 'data')).sort();
  const vals: number[] = [];
  const anom: number[] = [];
  for (const f of files) {
    const bytes = readFileSync(join(dir, 'data', f));
    const t = readParquetRows(bytes, 0, 1 << 30);
    const v = t.getChild(name)!;
    const a = t.getChild('is_anomaly')!;
    for (let i = 0; i < t.numRows; i++) {
      vals.push(v.get(i) as number);
      anom.push(a.get(i) ? 1 : 0);
    }
  }
  return { values: Float64Array.from(vals), anomalous: Uint8Array.from(anom) };
}

describe('train-vae', () => {
  it('reports reconstruction and KL per epoch, with validation, and saves model, normalisation and latent statistics', () => {
    expect(epochs.length).toBeGreaterThan(0);
    for (const e of epochs) {
      expect(e.recon).toBeGreaterThan(0);
      expect(e.kl).toBeGreaterThan(0);
      expect(e.valLoss).not.toBeNull();
    }
    expect(epochs[epochs.length - 1]!.loss).toBeLessThan(epochs[0]!.loss);
    const { meta } = readVaeModel(modelDir);
    expect(meta.window).toBe(W);
    expect(meta.channels).toEqual(['value']);
    expect(meta.normalisation.sd[0]).toBeGreaterThan(0);
    const s = meta.latentStats;
    expect(s.mean).toHaveLength(4);
    expect(s.sd).toHaveLength(4);
    expect(s.active).toBeGreaterThanOrEqual(1);
    expect(s.radius.p[0]).toBe(0);
    expect(s.radius.p.at(-1)).toBe(1);
    for (let i = 1; i < s.radius.r.length; i++) expect(s.radius.r[i]).toBeGreaterThanOrEqual(s.radius.r[i - 1]!);
    expect(meta.training.history.length).toBe(epochs.length);
    expect(meta.training.data.file).toBe('nyc_taxi_6w.csv'); // a name, never a host path
    expect(JSON.stringify(meta)).not.toContain(root);
  });

  it('holds at least 8 validation windows, or refuses with a split that would; trains on the WebAssembly backend', async () => {
    // 2,016 rows, window 48: a 2% tail is 40 rows, not one window.
    const err = await trainVae({ ...TRAIN, epochs: 1, validationSplit: 0.02, out: join(work, 'short') }).catch((e: Error) => e);
    expect(String(err)).toMatch(/--validation-split 0\.02 leaves 40 rows .* fewer than 8 windows of 48 \(55 rows\); use --validation-split 0\.028 or more/);
    const r = await trainVae({ ...TRAIN, epochs: 1, validationSplit: 0.028, backend: 'wasm', out: join(work, 'wasm') });
    expect(r.backend).toBe('wasm');
    expect(r.meta.training.data.validationWindows).toBeGreaterThanOrEqual(8);
    // Left to itself the split grows to hold 8 windows of a long window.
    const long = await trainVae({ ...TRAIN, window: 400, latent: 2, epochs: 1, backend: 'wasm', out: join(work, 'long') });
    expect(long.meta.training.data.validationWindows).toBeGreaterThanOrEqual(8);
    expect(long.meta.training.validationSplit).toBeGreaterThan(0.1);
    expect(long.meta.training.stride).toBe(4); // window / 100
  });

  it('refuses a series too short for its window with advice that passes (before: a window it had just refused, or --validation-split 0 already given)', async () => {
    const series = (n: number) => {
      const file = join(work, `short-${n}.csv`);
      writeFileSync(file, 'value\n' + Array.from({ length: n }, (_, i) => `${(i * 37) % 11}\n`).join(''));
      return file;
    };
    const tiny = { latent: 2, hidden: [4], epochs: 1, seed: 1, backend: 'cpu' as const };
    const refusal = (data: string, window: number, validationSplit?: number) => trainVae({ ...tiny, data, window, ...(validationSplit !== undefined ? { validationSplit } : {}), out: join(work, 'never') }).then(() => 'trained', (e: Error) => e.message);
    // 12 rows: window 2 leaves 3 training rows and a tail of 9 (8 windows).
    expect(await refusal(series(12), 8)).toMatch(/short-12\.csv has 12 rows; training needs at least 9 \(window 8\) before a validation tail of 15 rows \(8 windows\); use a --window of at most 2, or --validation-split 0$/);
    expect((await trainVae({ ...tiny, data: series(12), window: 2, out: join(work, 'short-12') })).meta.training.data.validationWindows).toBeGreaterThanOrEqual(8);
    // 5 rows hold no validation tail for any window: only --validation-split 0 (and a window of at most 4) helps.
    expect(await refusal(series(5), 2)).toMatch(/has 5 rows; .*; use --validation-split 0$/);
    expect(await refusal(series(5), 8)).toMatch(/has 5 rows; .*; use --validation-split 0 and a --window of at most 4$/);
    expect(await refusal(series(5), 8, 0)).toMatch(/has 5 rows; training needs at least 9 \(window 8\); use a --window of at most 4$/);
    await trainVae({ ...tiny, data: series(5), window: 4, validationSplit: 0, out: join(work, 'short-5') });
    expect(await refusal(series(2), 2, 0)).toMatch(/has 2 rows; training needs at least 3 \(window 2\); the smallest window \(2 rows\) needs 3 rows$/);
  });

  it('is reproducible: the same data, options and seed give the same model files byte for byte', async () => {
    const again = join(work, 'models/again');
    await trainVae({ ...TRAIN, epochs: 2, out: again });
    const third = join(work, 'models/third');
    await trainVae({ ...TRAIN, epochs: 2, out: third });
    for (const f of ['vae.json', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']) {
      expect(readFileSync(join(third, f)).equals(readFileSync(join(again, f))), f).toBe(true);
    }
  });

  it('writes TF.js layers models that TF.js loads, and the plain-JS decoder agrees with TF.js inference', async () => {
    const tf = await import('@tensorflow/tfjs');
    const dir = join(modelDir, 'decoder');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }),
    );
    const { decoder } = readVaeModel(modelDir);
    const n = 64;
    const z = Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 0.7) * 2);
    const expected = (model.predict(tf.tensor2d(z, [n, 4])) as import('@tensorflow/tfjs').Tensor).dataSync();
    const got = new Float64Array(n * W);
    decoder.decode(Float64Array.from(z), n, Int32Array.from({ length: W }, (_, t) => t), got);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(readDenseStack(join(modelDir, 'encoder')).at(-1)!.units).toBe(8); // mean | log-variance
  });
});

describe('vae variables', () => {
  it('record the model hash and the latent regions in the resolved scenario', () => {
    const v = scenario().variables[0] as VaeVariable;
    expect(v.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    // Recorded as the scenario names it, relative to the scenario file (D5).
    expect(v.model).toBe('models/taxi');
    expect(v.window).toBe(W);
    expect(v.regions.measure).toBe('gaussian');
    expect(v.regions.inner.quantiles).toEqual([0, 0.95]);
    expect(v.regions.outlier.quantiles).toEqual([0.99, 0.9999]);
    expect(v.regions.outlier.radius[0]).toBeGreaterThan(v.regions.inner.radius[1]);
    const e = scenario({}, { measure: 'empirical' }).variables[0] as VaeVariable;
    expect(e.regions.outlier.radius[1]).toBeLessThanOrEqual(e.regions.codes.max);
  });

  it('are described by the JSON Schema: every key accepted, typos and missing models rejected', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as Record<string, unknown>;
    const check = new Ajv2020({ allErrors: true, strictTypes: true, strictTuples: true, allowUnionTypes: true }).compile(schema);
    const doc = (x: Record<string, unknown>) => ({ timeline: { rows: 10 }, variables: { x } });
    expect(check(doc({ type: 'vae', model: 'models/taxi', channel: 'value', dtype: 'float32', measure: 'empirical', inner: 0.9, outlier: [0.99, 1], group: 'g', description: 'd' }))).toBe(true);
    expect(check(doc({ type: 'vae', model: 'models/taxi', mesure: 'gaussian' }))).toBe(false);
    expect(check(doc({ type: 'vae' }))).toBe(false);
    expect(check(doc({ type: 'vae', model: 'm', outlier: [0.99] }))).toBe(false);
  });

  it('refuse bad settings with the path and what was expected', () => {
    const bad = (variable: Record<string, unknown>) => {
      try {
        scenario({}, variable);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad({ model: 'models/nothing' })).toMatch(/variables\.passengers\.model: model directory .*nothing does not exist/);
    expect(bad({ channel: 'speed' })).toMatch(/variables\.passengers\.channel: the model has no channel 'speed'; it has: value/);
    expect(bad({ inner: 0.995 })).toMatch(/variables\.passengers\.inner: the inner region .* overlaps the outlier region/);
    expect(bad({ outlier: [0.99, 1] })).toMatch(/variables\.passengers\.outlier: with measure gaussian the high quantile must be below 1/);
    expect(bad({ outlier: [0.999, 0.99] })).toMatch(/variables\.passengers\.outlier: the low quantile must be below the high one/);
    expect(bad({ measure: 'kde' })).toMatch(/variables\.passengers\.measure: expected one of gaussian, empirical/);
    expect(bad({ dtype: 'int32' })).toMatch(/variables\.passengers\.dtype: a vae column is float64 or float32/);
    expect(bad({ outlier: [0.99, 1], measure: 'empirical' })).toBe('accepted');
  });

  it('same seed → same bytes, and W=1 ≡ W=2 (manifest shard hashes); another seed changes them', async () => {
    const [w1, w2] = await Promise.all([referenceRun(), generate(scenario(), { out: join(work, 'ds-w2'), workers: 2, shardRows: 65_536 }).then((r) => r.manifest)]);
    expect(w1.shards.length).toBe(4);
    expect(hashes(w2)).toEqual(hashes(w1));
    const again = await generate(scenario(), { out: join(work, 'ds-again'), workers: 2, shardRows: 65_536 });
    expect(hashes(again.manifest)).toEqual(hashes(w1));
    const other = await generate(scenario({ seed: 12 }), { out: join(work, 'ds-seed12'), workers: 2, shardRows: 65_536 });
    expect(hashes(other.manifest)).not.toEqual(hashes(w1));
  });

  it('anomalous windows are measurably further from the training data than normal ones', async () => {
    await referenceRun();
    const { values, anomalous } = readColumn(join(work, 'ds-w1'), 'passengers');
    const { meta } = readVaeModel(modelDir);
    const series = readSeries(DATA);
    const train = slidingWindows(series, meta.normalisation, 0, meta.training.data.trainRows, W, 1);
    const [mean, sd] = [meta.normalisation.mean[0]!, meta.normalisation.sd[0]!];
    /** RMS distance (in training z-scores) from the window at `start` to its nearest training window. */
    const nearest = (start: number) => {
      let best = Infinity;
      for (let k = 0; k < train.count; k++) {
        let d = 0;
        for (let t = 0; t < W && d < best; t++) {
          const e = (values[start + t]! - mean) / sd - train.data[k * W + t]!;
          d += e * e;
        }
        best = Math.min(best, d);
      }
      return Math.sqrt(best / W);
    };
    // Anomalous windows: the first window of every event (anchored at its first row).
    const anomStarts: number[] = [];
    for (let r = 0; r < values.length - W; r++) if (anomalous[r] && (r === 0 || !anomalous[r - 1])) anomStarts.push(r);
    // Normal windows: grid windows without an anomalous row, evenly spaced.
    const normalStarts: number[] = [];
    for (let w = 0; (w + 1) * W <= values.length && normalStarts.length < 150; w += 7) {
      if (!anomalous.subarray(w * W, (w + 1) * W).some((x) => x === 1)) normalStarts.push(w * W);
    }
    expect(anomStarts.length).toBeGreaterThan(40);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const dAnom = avg(anomStarts.slice(0, 150).map(nearest));
    const dNormal = avg(normalStarts.map(nearest));
    // Measured on this model: about 5.8× (normal rows replay the training residual). 2× leaves room for backend noise.
    if (process.env.PARANOM_VAE_REPORT) console.log(`nearest-window distance: anomalous ${dAnom.toFixed(3)}, normal ${dNormal.toFixed(3)}, ratio ${(dAnom / dNormal).toFixed(2)} (${anomStarts.length} events)`);
    expect(dAnom / dNormal).toBeGreaterThan(2);
  });

  it('normal rows look like the training data: mean and sd within 10%, window boundaries no rougher than 1.5× its 99th-percentile step', async () => {
    await referenceRun();
    const { values, anomalous } = readColumn(join(work, 'ds-w1'), 'passengers');
    const { meta } = readVaeModel(modelDir);
    const train = readSeries(DATA).values[0]!.subarray(0, meta.training.data.trainRows);
    const normal = values.filter((_, i) => !anomalous[i]);
    const t = meanSd(train);
    const g = meanSd(normal);
    expect(Math.abs(g.mean - t.mean) / t.mean).toBeLessThan(0.1);
    expect(Math.abs(g.sd - t.sd) / t.sd).toBeLessThan(0.1);
    const p99 = stepQuantile(train, 0.99);
    // Steps where one decoded window hands over to the next (every hop rows, and every W rows).
    const hop = meta.chain!.hop;
    const boundary: number[] = [];
    for (let i = hop; i < values.length; i += hop) if (!anomalous[i] && !anomalous[i - 1]) boundary.push(Math.abs(values[i]! - values[i - 1]!));
    expect(boundary.length).toBeGreaterThan(5000);
    if (process.env.PARANOM_VAE_REPORT) console.log(`train mean ${t.mean.toFixed(1)} sd ${t.sd.toFixed(1)} p99 step ${p99}; normal mean ${g.mean.toFixed(1)} sd ${g.sd.toFixed(1)}; boundary steps median ${quantile(boundary, 0.5).toFixed(1)} p99 ${quantile(boundary, 0.99).toFixed(1)}`);
    expect(quantile(boundary, 0.99)).toBeLessThanOrEqual(1.5 * p99);
  });

  it('labels and values agree: normal rows are the same with or without anomalies, anomalous rows differ', async () => {
    const withEvents = scenario({ timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 100_000 } });
    const without = scenario({ timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 100_000 }, anomalies: null });
    await prepareScenario(withEvents);
    const a = generateShard(withEvents, 0, 100_000);
    const b = generateShard(without, 0, 100_000);
    const va = a.values[0]!.data as Float64Array;
    const vb = b.values[0]!.data as Float64Array;
    let anomalousRows = 0;
    for (let i = 0; i < a.rows; i++) {
      if (a.isAnomaly[i]) {
        anomalousRows++;
        expect(va[i]).not.toBe(vb[i]);
      } else if (va[i] !== vb[i]) throw new Error(`normal row ${i} changed`);
    }
    expect(anomalousRows).toBeGreaterThan(1000);
  });

  it('values do not depend on where shards and blocks start (D2), and growing keeps earlier rows (D3)', () => {
    const s = scenario({ timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 140_000 } });
    const whole = generateShard(s, 0, 140_000).values[0]!.data as Float64Array;
    const cuts = [0, 1, 47, 4_803, 65_535, 65_600, 99_999, 140_000];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = generateShard(s, cuts[i]!, cuts[i + 1]!).values[0]!.data as Float64Array;
      expect(Buffer.from(part.buffer).equals(Buffer.from(whole.buffer, cuts[i]! * 8, (cuts[i + 1]! - cuts[i]!) * 8)), `rows ${cuts[i]}–${cuts[i + 1]}`).toBe(true);
    }
    const grown = generateShard(scenario({ timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 300_000 } }), 0, 140_000).values[0]!.data as Float64Array;
    expect(Buffer.from(grown.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('variables of one group share latent draws: two columns of one model decode the same windows', () => {
    const s = parseScenario(
      JSON.stringify({
        timeline: { rows: 5_000 },
        anomalies: { frequency: 0.03, duration: [48, 96] },
        variables: {
          a: { type: 'vae', model: 'models/taxi', group: 'g' },
          b: { type: 'vae', model: 'models/taxi', group: 'g', dtype: 'float32' },
          c: { type: 'vae', model: 'models/taxi' },
        },
      }),
      join(work, 'group.json'),
    );
    const cols = generateShard(s, 0, 5_000).values.map((v) => v.data);
    for (let i = 0; i < 5_000; i++) {
      if (Math.fround(cols[0]![i]!) !== cols[1]![i]) throw new Error(`row ${i}: group members differ`);
    }
    expect(cols[2]![100]).not.toBe(cols[0]![100]);
  });

  it('generate decodes with every @tensorflow package blocked, in the main thread and in pool workers', async () => {
    const ref = await referenceRun();
    const dir = tempDir('paranom-vae-notf-');
    writeFileSync(join(dir, 'hooks.mjs'), "export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('blocked ' + s); return next(s, c); }\n");
    writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const scenarioFile = join(work, 'notf.json');
    writeFileSync(scenarioFile, JSON.stringify({ name: 'taxi-vae', seed: 11, timeline: { start: '2024-01-01T00:00:00Z', step: '30m', rows: 262_144 }, anomalies: { frequency: 0.03, duration: [48, 96] }, variables: { passengers: { type: 'vae', model: 'models/taxi' } } }));
    const script = `
      import { Worker } from 'node:worker_threads';
      import { generate } from ${JSON.stringify(join(root, 'dist/src/run/generate.js'))};
      // A file worker, as piscina's are (eval workers skip --import preloads).
      const probe = await new Promise((res) => new Worker(new URL('./probe.mjs', import.meta.url)).on('exit', res));
      const r = await generate(${JSON.stringify(scenarioFile)}, { out: ${JSON.stringify(join(dir, 'ds'))}, workers: 2, shardRows: 65536 });
      console.log(JSON.stringify({ probe, shards: r.manifest.shards.map((s) => s.file + ':' + s.sha256) }));
    `;
    writeFileSync(join(dir, 'run.mjs'), script);
    writeFileSync(join(dir, 'probe.mjs'), "import('@tensorflow/tfjs').then(() => process.exit(0), () => process.exit(3));\n");
    const res = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), join(dir, 'run.mjs')], { encoding: 'utf8', cwd: process.cwd() });
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { probe: number; shards: string[] };
    expect(out.probe).toBe(3); // the block reaches worker threads
    expect(out.shards).toEqual(hashes(ref));
  });
});
