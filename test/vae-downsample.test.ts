/**
 * Downsampled models (`train-vae --downsample F`): the model learns block means of F rows,
 * records F in its file, and `type: vae` variables and the `learned` kind interpolate its
 * windows back to rows without being told. A model of the NAB EC2 CPU series (windows of
 * 96 rows as 48 means of 2 rows) is trained here in a few seconds.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateShard } from '../src/generate/shard.js';
import { loadScenario } from '../src/reader/load.js';
import { withCleanTwin } from '../src/anomaly/kinds/clean-twin.js';
import { contextWindow, robustScale } from '../src/anomaly/effect.js';
import { trainVae } from '../src/vae/train.js';
import { readSeries, type Series } from '../src/vae/series.js';
import { blockMeans, upsampleAt } from '../src/vae/downsample.js';
import type { VaeModelMeta } from '../src/vae/model.js';
import { prepareScenario } from '../src/variables/registry.js';
import { tempDir } from './helpers.js';
import { meanSd, pearson, quantile, stepQuantile } from './stats-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const F = 2;
const WINDOW = 96;

let dir: string;
let meta: VaeModelMeta;
let cpu: Float64Array;

beforeAll(async () => {
  dir = tempDir('paranom-vae-ds-');
  copyFileSync(join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), join(dir, 'cpu.csv'));
  meta = (await trainVae({ data: join(dir, 'cpu.csv'), columns: ['value'], window: WINDOW, downsample: F, latent: 4, hidden: [32], epochs: 12, seed: 2, backend: 'wasm', out: join(dir, 'models/cpu') })).meta;
  cpu = readSeries(join(dir, 'cpu.csv'), ['value']).values[0]!;
}, 120_000);

function scenario(name: string, body: string): ReturnType<typeof loadScenario> {
  writeFileSync(join(dir, `${name}.yaml`), `name: ${name}\nseed: 5\n${body}`);
  return loadScenario(join(dir, `${name}.yaml`));
}

describe('--downsample', () => {
  it('block means and interpolation back to rows: the identity for F = 1, linear between block centres', () => {
    const s: Series = { file: 'x', sha256: '', columns: ['a'], values: [Float64Array.from({ length: 9 }, (_, i) => i * i)], rows: 9 };
    expect(blockMeans(s, 1)).toBe(s);
    expect(Array.from(blockMeans(s, 3).values[0]!)).toEqual([5 / 3, 50 / 3, 149 / 3]);
    const v = [10, 20, 40];
    expect([0, 1, 2].map((t) => upsampleAt(v, 0, 1, 3, 1, t))).toEqual(v);
    // F = 2: rows sit at block positions −¼, ¼, ¾, 1¼, …; held flat outside the first and last centres.
    expect([0, 1, 2, 3, 4, 5].map((t) => upsampleAt(v, 0, 1, 3, 2, t))).toEqual([10, 12.5, 17.5, 25, 35, 40]);
    // A strided channel (t·C + c) reads the same values.
    expect(upsampleAt([0, 10, 0, 20, 0, 40], 1, 2, 3, 2, 2)).toBe(17.5);
  });

  it('the model learns block means and records F; its residual is kept in rows', () => {
    expect(meta.downsample).toBe(F);
    expect(meta.window).toBe(WINDOW / F);
    expect(meta.training.data.trainRows % F).toBe(0);
    const ch = meta.chain!;
    expect(ch.residual!.length).toBe(((ch.mean.length - 1) * ch.hop + meta.window) * F);
    // The normalisation is that of the block means of the training part.
    const means = blockMeans({ file: 'x', sha256: '', columns: ['v'], values: [cpu], rows: cpu.length }, F).values[0]!.subarray(0, meta.training.data.trainRows / F);
    expect(meta.normalisation.mean[0]).toBeCloseTo(means.reduce((a, b) => a + b, 0) / means.length, 12);
  });

  it('type: vae uses it unasked: windows span W·F rows, the series looks like the data, shards agree', () => {
    const rows = 20_000;
    const s = scenario('vae', `timeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: ${rows} }\nanomalies: { frequency: 0.03, duration: [96, 192] }\nvariables:\n  cpu: { type: vae, model: models/cpu }\n`);
    expect(s.variables[0]!.type === 'vae' && s.variables[0]!.window).toBe(WINDOW);
    const g = generateShard(s, 0, rows);
    const v = g.values[0]!.data as Float64Array;
    const train = cpu.subarray(0, meta.training.data.trainRows);
    const t = meanSd(train);
    const n = meanSd(v.filter((_, i) => !g.isAnomaly[i]));
    expect(Math.abs(n.mean - t.mean) / t.mean).toBeLessThan(0.1);
    expect(Math.abs(n.sd - t.sd) / t.sd).toBeLessThan(0.1);
    const p99 = stepQuantile(train, 0.99);
    const hop = meta.chain!.hop * F;
    const boundary: number[] = [];
    for (let i = hop; i < rows; i += hop) if (!g.isAnomaly[i] && !g.isAnomaly[i - 1]) boundary.push(Math.abs(v[i]! - v[i - 1]!));
    expect(quantile(boundary, 0.99)).toBeLessThanOrEqual(1.5 * p99);
    // D2: any split gives the same values.
    const cuts = [0, 1, 47, 96, 1000, 4097, rows];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = generateShard(s, cuts[i]!, cuts[i + 1]!).values[0]!.data as Float64Array;
      expect(Array.from(part)).toEqual(Array.from(v.subarray(cuts[i]!, cuts[i + 1]!)));
    }
  });

  it('the learned kind uses it unasked: events continuous at both ends, a clear effect, untouched elsewhere, shards agree', async () => {
    const s = withCleanTwin(scenario('learned', `timeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: 4032 }\nanomalies:\n  frequency: 0.08\n  kinds: [{ kind: learned, model: models/cpu, duration: [12, 120] }]\nvariables:\n  cpu: { type: source, file: cpu.csv, column: value }\n`));
    await prepareScenario(s);
    const spec = s.anomalies.mode !== 'none' ? s.anomalies.kinds![0]! : undefined;
    expect(spec?.learned?.window).toBe(WINDOW);
    const g = generateShard(s, 0, 4032);
    const v = g.values.find((c) => c.name === 'cpu')!.data as Float64Array;
    const clean = g.values.find((c) => c.name === 'cpu_clean')!.data as Float64Array;
    let maxStep = 0;
    for (let i = 1; i < cpu.length; i++) maxStep = Math.max(maxStep, Math.abs(cpu[i]! - cpu[i - 1]!));
    expect(g.events.length).toBeGreaterThan(3);
    for (let i = 0; i < 4032; i++) if (!g.isAnomaly[i]) expect(v[i]).toBe(clean[i]);
    for (const e of g.events) {
      if (e.start > 0) expect(Math.abs(v[e.start]! - v[e.start - 1]!)).toBeLessThanOrEqual(maxStep);
      if (e.end < 4032) expect(Math.abs(v[e.end]! - v[e.end - 1]!)).toBeLessThanOrEqual(maxStep);
      const [lo, hi] = contextWindow(e.start, e.duration);
      const scale = robustScale(clean.subarray(lo, Math.min(hi, 4032)));
      let sq = 0;
      for (let i = e.start; i < e.end; i++) sq += ((v[i]! - clean[i]!) / scale) ** 2;
      expect(Math.sqrt(sq / (e.end - e.start))).toBeGreaterThanOrEqual(1);
    }
    const cuts = [0, 333, 1024, 2049, 4032];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = generateShard(s, cuts[i]!, cuts[i + 1]!).values.find((c) => c.name === 'cpu')!.data as Float64Array;
      expect(Array.from(part)).toEqual(Array.from(v.subarray(cuts[i]!, cuts[i + 1]!)));
    }
  });

  it('a two-channel downsampled model: grouped variables replay each channel’s own residual and keep the channels’ relation', async () => {
    const rows = cpu.length;
    const lines = Array.from({ length: rows }, (_, i) => `${cpu[i]},${(2 - 3 * cpu[i]!).toFixed(6)}`);
    writeFileSync(join(dir, 'pair.csv'), 'a,b\n' + lines.join('\n') + '\n');
    const m = (await trainVae({ data: join(dir, 'pair.csv'), window: 48, downsample: F, latent: 3, hidden: [32], epochs: 10, seed: 3, backend: 'wasm', out: join(dir, 'models/pair') })).meta;
    expect(m.channels).toEqual(['a', 'b']);
    expect(m.chain!.residual!.length).toBe(((m.chain!.mean.length - 1) * m.chain!.hop + m.window) * F * 2);
    const n = 8000;
    const s = scenario('pair', `timeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: ${n} }\nvariables:\n  a: { type: vae, model: models/pair, channel: a, group: g }\n  b: { type: vae, model: models/pair, channel: b, group: g }\n`);
    const g = generateShard(s, 0, n);
    const a = Array.from(g.values.find((c) => c.name === 'a')!.data as Float64Array);
    const b = Array.from(g.values.find((c) => c.name === 'b')!.data as Float64Array);
    const train = cpu.subarray(0, m.training.data.trainRows);
    const ta = meanSd(train);
    const ga = meanSd(a);
    expect(Math.abs(ga.mean - ta.mean) / ta.mean).toBeLessThan(0.1);
    expect(Math.abs(ga.sd - ta.sd) / ta.sd).toBeLessThan(0.1);
    // b = 2 − 3a in the data; the generated pair keeps it row by row (each channel its own residual).
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (b[i]! - (2 - 3 * a[i]!)) ** 2;
    const rms = Math.sqrt(sq / n) / (3 * ta.sd);
    expect(rms).toBeLessThan(0.2);
    expect(pearson(a, b)).toBeLessThan(-0.95);
  });
});
