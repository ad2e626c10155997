/**
 * The `learned` anomaly kind: a VAE trained on real NAB data (six weeks of NYC taxi
 * demand, a few epochs) encodes the clean context of each event, its code is moved into
 * the outlier band, and the decoded deformation is crossfaded over the event rows.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { generateShard } from '../src/generate/shard.js';
import { loadScenario, parseScenario } from '../src/reader/load.js';
import type { Scenario } from '../src/model/types.js';
import { trainVae } from '../src/vae/train.js';
import { readVaeCodec } from '../src/vae/model.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';
import { readParquetRows } from '../src/formats/read.js';
import { readSeries } from '../src/vae/series.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { tempDir } from './helpers.js';
import { contextWindow, robustScale } from '../src/anomaly/effect.js';
import { withCleanTwin } from '../src/anomaly/kinds/clean-twin.js';
import { prepareScenario } from '../src/variables/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(root, 'test/fixtures/vae/nyc_taxi_6w.csv');
const W = 48;

let work: string;
let taxi: Float64Array;

beforeAll(async () => {
  work = tempDir('paranom-learned-');
  mkdirSync(join(work, 'data'));
  copyFileSync(DATA, join(work, 'data/taxi.csv'));
  await trainVae({ data: DATA, window: W, latent: 4, hidden: [32], epochs: 6, seed: 5, backend: 'cpu', patience: 3, out: join(work, 'models/taxi') });
  taxi = readSeries(DATA, ['value']).values[0]!;
});

const TIMELINE = { start: '2014-07-01T00:00:00Z', step: '30m', rows: 4032 };

/** A scenario file in `work`: the taxi series as a source, learned events on it. */
function scenario(kind: Record<string, unknown> = {}, over: Record<string, unknown> = {}): Scenario {
  const doc = {
    name: 'learned-taxi',
    seed: 21,
    timeline: TIMELINE,
    anomalies: { frequency: 0.12, kinds: [{ kind: 'learned', model: 'models/taxi', duration: [10, 40], ...kind }] },
    variables: { taxi: { type: 'source', file: 'data/taxi.csv', column: 'value', past_end: 'cycle' } },
    ...over,
  };
  return parseScenario(JSON.stringify(doc), join(work, 'scenario.json'));
}

interface Segment {
  start: number;
  rows: number;
  duration: number;
  effectRms: number;
  params: Record<string, number | string>;
}

function readSegments(dir: string): Segment[] {
  const t = readParquetRows(readFileSync(join(dir, 'anomalies.parquet')), 0, 1 << 30);
  return Array.from({ length: t.numRows }, (_, i) => ({
    start: Number(t.getChild('start_row')!.get(i)),
    rows: Number(t.getChild('rows')!.get(i)),
    duration: Number(t.getChild('duration_rows')!.get(i)),
    effectRms: t.getChild('effect_rms')!.get(i) as number,
    params: JSON.parse(t.getChild('params')!.get(i) as string),
  }));
}


describe('learned anomaly kind', () => {
  it('resolves its model relative to the scenario, records its hash, and refuses bad entries with the path', () => {
    const s = scenario();
    const spec = s.anomalies.mode !== 'none' ? s.anomalies.kinds![0]! : undefined;
    expect(spec?.learned?.sha256).toBe(readVaeCodec(join(work, 'models/taxi')).codecSha256);
    expect(spec?.params['quantile']).toEqual([0.99, 0.9999]);
    expect(spec?.params['direction']).toBe('random');
    expect(() => scenario({ model: 'models/nope' })).toThrow(/anomalies\.kinds\[0\]\.model.*does not exist/s);
    expect(() => scenario({ model: undefined })).toThrow(/anomalies\.kinds\[0\]\.model.*required/s);
    expect(() => scenario({ quantile: [0.99, 1] })).toThrow(/anomalies\.kinds\[0\]\.quantile\[1\].*< 1/s);
    expect(() => scenario({ direction: 'out' })).toThrow(/anomalies\.kinds\[0\]\.direction.*own, random/s);
  });

  it('is described by the JSON Schema: every key accepted, typos and a missing model rejected', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8')) as Record<string, unknown>;
    const check = new Ajv2020({ allErrors: true, strictTypes: true, strictTuples: true, allowUnionTypes: true }).compile(schema);
    const doc = (k: Record<string, unknown>) => ({ timeline: { rows: 10 }, anomalies: { frequency: 0.1, kinds: [k] }, variables: { x: { type: 'source', file: 'a.csv' } } });
    const full = { kind: 'learned', model: 'models/taxi', weight: 2, duration: [5, 10], variables: ['x'], quantile: [0.99, 0.999], direction: 'random', blend: 3, residual: 'drop', measure: 'empirical', min_effect: [1, 2] };
    expect(check(doc(full))).toBe(true);
    expect(check(doc({ ...full, quantile: 0.995 }))).toBe(true);
    expect(check(doc({ kind: 'learned', model: 'm', quantil: 0.99 }))).toBe(false);
    expect(check(doc({ kind: 'learned' }))).toBe(false);
    expect(check(doc({ kind: 'learned', model: 'm', direction: 'up' }))).toBe(false);
  });

  it('the plain-JS encoder agrees with TF.js inference', async () => {
    const tf = await import('@tensorflow/tfjs');
    const dir = join(work, 'models/taxi/encoder');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
    const { encoder } = readVaeCodec(join(work, 'models/taxi'));
    const n = 32;
    const x = Float32Array.from({ length: n * W }, (_, i) => Math.sin(i * 0.13) * 1.5 + Math.cos(i * 0.029));
    const expected = (model.predict(tf.tensor2d(x, [n, W])) as import('@tensorflow/tfjs').Tensor).dataSync();
    const got = new Float64Array(n * 8);
    encoder.decode(Float64Array.from(x), n, Int32Array.from({ length: 8 }, (_, j) => j), got);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('on a source: clean rows equal the source, both ends of every event are continuous, every event has a clear effect', async () => {
    const out = join(work, 'ds-main');
    await generate(withCleanTwin(scenario()), { out, workers: 1, shardRows: 1024, format: 'csv' });
    const rows = readdirSync(join(out, 'data'))
      .sort()
      .flatMap((f) => readFileSync(join(out, 'data', f), 'utf8').trim().split('\n').slice(1))
      .map((l) => l.split(','));
    const value = Float64Array.from(rows, (r) => Number(r[1]));
    const clean = Float64Array.from(rows, (r) => Number(r[2]));
    const anomalous = rows.map((r) => r[3] === 'true');
    expect(value.length).toBe(TIMELINE.rows);
    // The clean twin is the source itself; normal rows are untouched.
    for (let i = 0; i < value.length; i++) {
      expect(clean[i]).toBe(taxi[i % taxi.length]);
      if (!anomalous[i]) expect(value[i]).toBe(clean[i]);
    }
    // The data's own range of steps.
    let maxStep = 0;
    for (let i = 1; i < taxi.length; i++) maxStep = Math.max(maxStep, Math.abs(taxi[i]! - taxi[i - 1]!));
    const segments = readSegments(out);
    expect(segments.length).toBeGreaterThan(3);
    for (const s of segments) {
      const end = s.start + s.rows;
      if (s.start > 0) expect(Math.abs(value[s.start]! - value[s.start - 1]!)).toBeLessThanOrEqual(maxStep);
      if (end < value.length) expect(Math.abs(value[end]! - value[end - 1]!)).toBeLessThanOrEqual(maxStep);
      // The recorded effect is what the rows show: RMS |value − clean| in robust sd of the context.
      const [lo, hi] = contextWindow(s.start, s.duration);
      const scale = robustScale(clean.subarray(lo, Math.min(hi, clean.length)));
      let sq = 0;
      for (let i = s.start; i < end; i++) sq += ((value[i]! - clean[i]!) / scale) ** 2;
      const rms = Math.sqrt(sq / s.rows);
      expect(rms).toBeCloseTo(s.effectRms, 6);
      // Clearly anomalous: at least the default min_effect of 1 robust sd.
      expect(rms).toBeGreaterThanOrEqual(1);
      expect(s.params['quantile']).toBeGreaterThanOrEqual(0.99);
      expect(s.params['quantile']).toBeLessThanOrEqual(0.9999);
      expect(s.params['latent_distance']).toBeGreaterThan(0);
      // Outwards always: at least 1.35× the context's own radius.
      expect(s.params['radius_to']).toBeGreaterThanOrEqual(1.35 * (s.params['radius_from'] as number) - 1e-9);
    }
  });

  it('labels: no labelled row equals the clean series and nothing to warn about; label: changed labels only rows moved by at least min_change (0.5) robust sd', async () => {
    const plain = await generate(scenario(), { out: join(work, 'ds-label-window'), workers: 1 });
    expect(plain.warnings).toEqual([]);
    expect(plain.manifest.anomalies.realised.unchanged_rows).toBe(0);
    const changed = scenario({}, { anomalies: { frequency: 0.12, label: 'changed', kinds: [{ kind: 'learned', model: 'models/taxi', duration: [10, 40] }] } });
    const r = await generate(changed, { out: join(work, 'ds-label-changed'), workers: 2, shardRows: 1024 });
    expect(r.warnings).toEqual([]);
    expect(r.manifest.anomalies.realised.unchanged_rows).toBe(0);
    const a = generateShard(withCleanTwin(changed), 0, 4032);
    const w = generateShard(withCleanTwin(scenario()), 0, 4032);
    const value = a.values.find((v) => v.name === 'taxi')!.data as Float64Array;
    const clean = a.values.find((v) => v.name === 'taxi_clean')!.data as Float64Array;
    // The same values as with every event row labelled; only the labels narrow.
    expect(Array.from(value)).toEqual(Array.from(w.values.find((v) => v.name === 'taxi')!.data as Float64Array));
    let faint = 0;
    let labelled = 0;
    for (const e of a.events) {
      const [lo, hi] = contextWindow(e.start, e.duration);
      const least = 0.5 * robustScale(clean.subarray(lo, Math.min(hi, clean.length)));
      for (let i = e.start; i < Math.min(e.end, 4032); i++) {
        const moved = Math.abs(value[i]! - clean[i]!);
        expect(a.isAnomaly[i], `row ${i}`).toBe(moved >= least ? 1 : 0);
        expect(w.isAnomaly[i]).toBe(1);
        labelled += a.isAnomaly[i]!;
        if (moved < least) faint++;
      }
    }
    // The crossfade's first rows and the zero crossings of the deformation: faint rows exist, and are left unlabelled.
    expect(faint).toBeGreaterThan(0);
    expect(labelled).toBeGreaterThan(0.5 * (labelled + faint));
    for (let i = 0; i < 4032; i++) if (!w.isAnomaly[i]) expect(a.isAnomaly[i]).toBe(0);
  });

  it('W=1 ≡ W=4 and any shard size; growing keeps earlier rows and completes a cut event', async () => {
    const hashes = async (name: string, workers: number, shardRows: number, s = scenario({ direction: 'random' })) =>
      (await generate(s, { out: join(work, name), workers, shardRows })).manifest;
    const one = await hashes('ds-w1', 1, 1024);
    const four = await hashes('ds-w4', 4, 1024);
    expect(four.shards.map((s) => s.sha256)).toEqual(one.shards.map((s) => s.sha256));
    expect(readFileSync(join(work, 'ds-w4', 'anomalies.parquet')).equals(readFileSync(join(work, 'ds-w1', 'anomalies.parquet')))).toBe(true);

    // Column values for odd splits, and a timeline that cuts an event, then grows.
    const s = scenario({ direction: 'random' });
    const whole = generateShard(s, 0, 4032).values[0]!.data as Float64Array;
    const cuts = [0, 1, 333, 1000, 1024, 2500, 4032];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = generateShard(s, cuts[i]!, cuts[i + 1]!).values[0]!.data as Float64Array;
      expect(Array.from(part)).toEqual(Array.from(whole.subarray(cuts[i]!, cuts[i + 1]!)));
    }
    const event = generateShard(s, 0, 4032).events.find((e) => e.start > 600 && e.duration > 12)!;
    const cutAt = event.start + 5;
    const short = scenario({ direction: 'random' }, { timeline: { ...TIMELINE, rows: cutAt } });
    const shortRows = generateShard(short, 0, cutAt);
    expect(shortRows.events.at(-1)!.truncated).toBe(true);
    expect(Array.from(shortRows.values[0]!.data as Float64Array)).toEqual(Array.from(whole.subarray(0, cutAt)));
    const grown = generateShard(scenario({ direction: 'random' }, { timeline: { ...TIMELINE, rows: 8064 } }), 0, 4032).values[0]!.data as Float64Array;
    expect(Array.from(grown)).toEqual(Array.from(whole));
  });

  it('acts on process, stochastic and callback variables too, changing only event rows', async () => {
    mkdirSync(join(work, 'cb'), { recursive: true });
    writeFileSync(join(work, 'cb/wave.mjs'), 'export function normal(ctx) { return 15000 + 8000 * Math.sin(ctx.row * 2 * Math.PI / 48); }\n');
    const variables = {
      proc: { type: 'process', components: [{ type: 'sine', period: 48, amplitude: 8000 }, { type: 'constant', value: 15000 }, { type: 'noise', sd: 500 }] },
      stoch: { normal: { dist: 'normal', mean: 15000, sd: 3000 } },
      cb: { type: 'callback', module: 'cb/wave.mjs', normal: 'normal' },
    };
    const s = scenario({}, { variables });
    const clean = scenario({}, { variables, anomalies: null });
    await prepareScenario(s);
    const a = generateShard(s, 0, 4032);
    const b = generateShard(clean, 0, 4032);
    for (const name of ['proc', 'stoch', 'cb']) {
      const va = a.values.find((v) => v.name === name)!.data as Float64Array;
      const vb = b.values.find((v) => v.name === name)!.data as Float64Array;
      let changed = 0;
      let labelled = 0;
      for (let i = 0; i < 4032; i++) {
        if (!a.isAnomaly[i]) expect(va[i], `${name} row ${i}`).toBe(vb[i]);
        else {
          labelled++;
          if (va[i] !== vb[i]) changed++;
        }
      }
      expect(labelled).toBeGreaterThan(50);
      expect(changed, name).toBeGreaterThan(0.9 * labelled);
    }
  });

  it('a multi-channel model acts on its channels together: one variable per channel, in order', async () => {
    writeSyntheticModel(join(work, 'models/pair'), { window: 16, latent: 3, hidden: [16], channels: ['a', 'b'], seed: 4 });
    writeFileSync(join(work, 'data/pair.csv'), 'a,b\n' + Array.from({ length: 600 }, (_, i) => `${Math.sin(i / 5).toFixed(4)},${Math.cos(i / 7).toFixed(4)}`).join('\n') + '\n');
    const vars = { u: { type: 'source', file: 'data/pair.csv', column: 'a' }, v: { type: 'source', file: 'data/pair.csv', column: 'b' }, w: { type: 'source', file: 'data/pair.csv', column: 'a' } };
    const pair = (kind: Record<string, unknown>) => scenario({ model: 'models/pair', duration: [6, 12], ...kind }, { variables: vars, timeline: { ...TIMELINE, rows: 600 } });
    expect(() => pair({})).toThrow(/variables.*channels a, b.*one variable per channel/s);
    expect(() => pair({ variables: ['u'] })).toThrow(/2 channels \(a, b\); name one variable per channel/);
    const s = pair({ variables: ['v', 'u'] });
    const spec = s.anomalies.mode !== 'none' ? s.anomalies.kinds![0]! : undefined;
    expect(spec?.learned?.channelVariables).toEqual(['v', 'u']);
    const a = generateShard(s, 0, 600);
    const b = generateShard(scenario({}, { variables: vars, anomalies: null, timeline: { ...TIMELINE, rows: 600 } }), 0, 600);
    const col = (g: typeof a, n: string) => g.values.find((x) => x.name === n)!.data as Float64Array;
    let changedU = 0;
    let changedV = 0;
    for (let i = 0; i < 600; i++) {
      expect(col(a, 'w')[i]).toBe(col(b, 'w')[i]); // not a target
      if (!a.isAnomaly[i]) {
        expect(col(a, 'u')[i]).toBe(col(b, 'u')[i]);
        expect(col(a, 'v')[i]).toBe(col(b, 'v')[i]);
      } else {
        if (col(a, 'u')[i] !== col(b, 'u')[i]) changedU++;
        if (col(a, 'v')[i] !== col(b, 'v')[i]) changedV++;
      }
    }
    expect(changedU).toBeGreaterThan(10);
    expect(changedV).toBeGreaterThan(10);
  });

  it('a multi-channel model encodes its channels together: one channel’s data moves the other’s anomaly; channels may be any numeric kinds', async () => {
    writeSyntheticModel(join(work, 'models/pair2'), { window: 16, latent: 3, hidden: [16], channels: ['a', 'b'], seed: 4 });
    const rows = 600;
    writeFileSync(join(work, 'data/pair2.csv'), 'a,b,c\n' + Array.from({ length: rows }, (_, i) => `${Math.sin(i / 5).toFixed(4)},${Math.cos(i / 7).toFixed(4)},${(0.5 * Math.sin(i / 3) + 1).toFixed(4)}`).join('\n') + '\n');
    const run = async (vars: Record<string, unknown>) => {
      const anomalies = { frequency: 0.12, kinds: [{ kind: 'learned', model: 'models/pair2', duration: [6, 12], variables: ['u', 'v'] }] };
      const s = withCleanTwin(scenario({}, { variables: vars, anomalies, timeline: { ...TIMELINE, rows } }));
      await prepareScenario(s);
      const g = generateShard(s, 0, rows);
      const col = (n: string) => g.values.find((x) => x.name === n)!.data as Float64Array;
      return { g, delta: (n: string) => Float64Array.from(col(n), (x, i) => x - col(`${n}_clean`)[i]!) };
    };
    const u = { type: 'source', file: 'data/pair2.csv', column: 'a' };
    const one = await run({ u, v: { type: 'source', file: 'data/pair2.csv', column: 'b' } });
    const other = await run({ u, v: { type: 'source', file: 'data/pair2.csv', column: 'c' } });
    // The same events (placement does not depend on values), but u's anomaly differs: v's values went into the code.
    expect(other.g.events.map((e) => e.start)).toEqual(one.g.events.map((e) => e.start));
    let differ = 0;
    for (let i = 0; i < rows; i++) {
      if (!one.g.isAnomaly[i]) expect(one.delta('u')[i]).toBe(0);
      else if (Math.abs(one.delta('u')[i]! - other.delta('u')[i]!) > 1e-9) differ++;
    }
    expect(differ).toBeGreaterThan(10);
    // Channels on a process and a callback: both change on event rows, and nowhere else.
    mkdirSync(join(work, 'cb'), { recursive: true });
    writeFileSync(join(work, 'cb/cos.mjs'), 'export function normal(ctx) { return Math.cos(ctx.row / 7); }\n');
    const mixed = await run({ u: { type: 'process', components: [{ type: 'sine', period: 31.4159, amplitude: 1 }, { type: 'noise', sd: 0.05 }] }, v: { type: 'callback', module: 'cb/cos.mjs', normal: 'normal' } });
    for (const n of ['u', 'v']) {
      let changed = 0;
      for (let i = 0; i < rows; i++) {
        if (!mixed.g.isAnomaly[i]) expect(mixed.delta(n)[i], `${n} row ${i}`).toBe(0);
        else if (mixed.delta(n)[i] !== 0) changed++;
      }
      expect(changed, n).toBeGreaterThan(10);
    }
  });

  it('an integer stochastic target takes rounded values, and a default scenario still labels no row equal to its clean value', async () => {
    const s = withCleanTwin(scenario({}, { variables: { n: { dtype: 'int32', normal: { dist: 'normal', mean: 15000, sd: 3000 } } } }));
    await prepareScenario(s);
    const g = generateShard(s, 0, 4032);
    const v = g.values.find((x) => x.name === 'n')!;
    const clean = g.values.find((x) => x.name === 'n_clean')!;
    expect(v.dtype).toBe('int32');
    let labelled = 0;
    let same = 0;
    for (let i = 0; i < 4032; i++) {
      if (!g.isAnomaly[i]) expect(v.data[i]).toBe(clean.data[i]);
      else {
        labelled++;
        if (v.data[i] === clean.data[i]) same++;
      }
    }
    expect(labelled).toBeGreaterThan(50);
    expect(same).toBeLessThanOrEqual(0.05 * labelled);
  });

  it('loads from a scenario file in another directory (model path relative to the file)', async () => {
    const file = join(work, 'scenario.yaml');
    writeFileSync(file, `name: t\nseed: 1\ntimeline: { start: "2014-07-01T00:00:00Z", step: 30m, rows: 500 }\nanomalies: { frequency: 0.05, kinds: [{ kind: learned, model: models/taxi, duration: 20 }] }\nvariables: { taxi: { type: source, file: data/taxi.csv } }\n`);
    const s = loadScenario(file);
    expect(s.anomalies.mode !== 'none' && s.anomalies.kinds![0]!.learned?.window).toBe(W);
  });
});

describe('learned events beside a callback variable', () => {
  it('finish measures them on the main thread with the callback module loaded (before: internal error, "callback module was not loaded")', async () => {
    // The workers measure every event; the segment table's latent figures of a learned
    // event still come from its clean context, generated at the end on the main thread.
    const dir = tempDir();
    cpSync(join(root, 'test/fixtures/golden/taxi-tiny-vae'), join(dir, 'vae'), { recursive: true });
    writeFileSync(join(dir, 'cb.js'), 'export function level(ctx) { return 10 + ctx.random.normal(0, 1); }\n');
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({
      seed: 1,
      timeline: { start: '2024-01-01T00:00:00Z', step: '5m', rows: 20_000 },
      anomalies: { frequency: 0.01, duration: [20, 40], kinds: [{ kind: 'learned', model: 'vae', variables: ['t'] }] },
      variables: { c: { type: 'callback', module: 'cb.js', normal: 'level' }, t: { type: 'process', components: [{ type: 'sine', period: 50, amplitude: 3 }, { type: 'noise', sd: 0.5 }] } },
    }));
    const r = await generate(await loadScenario(file), { out: join(dir, 'out'), workers: 1 });
    expect(r.manifest.anomalies?.realised.events).toBeGreaterThan(0);
  });
});
