/**
 * The pieces under `vae` variables, without training: chi-square quantiles, the Jacobi
 * eigen-solver, latent statistics of known codes, sampling from radius bands, the TF.js
 * layers format written and read without TensorFlow, and the plain-JS decoder against
 * TF.js inference on a model it did not train.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chiQuantile, chiSquareQuantile } from '../src/vae/chi-square.js';
import { symmetricEigen } from '../src/math/eigen.js';
import { LatentSampler, latentStats, radiusBand, radiusQuantile, SLOT_ANOMALOUS, SLOT_NORMAL } from '../src/vae/latent.js';
import { ModelFormatError, readDenseStack } from '../src/vae/layers-format.js';
import { readVaeModel } from '../src/vae/model.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';
import { seedKey } from '../src/random/counter.js';
import { normalQuantile } from '../src/random/normal-quantile.js';
import { tempDir } from './helpers.js';

describe('chi-square quantiles', () => {
  it('match reference values (R qchisq) to 1e-6', () => {
    const cases: Array<[number, number, number]> = [
      [0.95, 1, 3.841459],
      [0.99, 5, 15.08627],
      [0.9999, 4, 23.51274],
      [0.5, 16, 15.33849],
      [0.01, 3, 0.1148318],
      [0.999999, 2, 27.63102],
    ];
    for (const [p, k, x] of cases) expect(chiSquareQuantile(p, k)).toBeCloseTo(x, 4);
    expect(chiQuantile(0.5, 1)).toBeCloseTo(0.6744898, 6); // |N(0,1)| median
    expect(() => chiSquareQuantile(1, 3)).toThrow(RangeError);
  });
});

describe('symmetric eigen-decomposition', () => {
  it('recovers eigenvalues and orthonormal eigenvectors, largest first, signs fixed', () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 0.5, 0, 0.5, 1]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(values[0]).toBeGreaterThan(values[1]!);
    expect(values[1]).toBeGreaterThan(values[2]!);
    for (let c = 0; c < 3; c++) {
      const v = vectors[c]!;
      for (let i = 0; i < 3; i++) {
        const av = a[i * 3]! * v[0]! + a[i * 3 + 1]! * v[1]! + a[i * 3 + 2]! * v[2]!;
        expect(av).toBeCloseTo(values[c]! * v[i]!, 10);
      }
      expect(Math.max(...v.map(Math.abs))).toBe(Math.max(...v)); // largest entry positive
    }
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(8, 10);
  });
});

describe('latent statistics', () => {
  it('keep the active principal directions only, and measure radii in them', () => {
    // Codes with variances 4 and 1 along two rotated directions, and a collapsed third one.
    const n = 20_000;
    const mu = new Float64Array(n * 3);
    const lv = new Float64Array(n * 3);
    const c = Math.cos(0.5);
    const s = Math.sin(0.5);
    for (let i = 0; i < n; i++) {
      const a = 2 * normalQuantile((i + 0.5) / n);
      const b = normalQuantile((((i * 7919) % n) + 0.5) / n);
      mu[i * 3] = 1 + c * a - s * b;
      mu[i * 3 + 1] = -2 + s * a + c * b;
      mu[i * 3 + 2] = 1e-3 * normalQuantile((((i * 104729) % n) + 0.5) / n);
    }
    const st = latentStats(mu, lv, n, 3);
    expect(st.active).toBe(2);
    expect(st.eigenvalues[0]).toBeCloseTo(4, 1);
    expect(st.eigenvalues[1]).toBeCloseTo(1, 1);
    expect(st.mean[0]).toBeCloseTo(1, 2);
    expect(st.mean[1]).toBeCloseTo(-2, 2);
    expect(st.basis).toHaveLength(3);
    expect(st.basis[0]).toHaveLength(2);
    // Whitened radii of a 2-D Gaussian follow chi with 2 degrees of freedom.
    expect(radiusQuantile(st, 'empirical', 0.5)).toBeCloseTo(chiQuantile(0.5, 2), 1);
    expect(radiusQuantile(st, 'empirical', 0.99)).toBeCloseTo(chiQuantile(0.99, 2), 1);
    expect(radiusQuantile(st, 'gaussian', 0.99)).toBe(chiQuantile(0.99, 2));
  });
});

describe('sampling from radius bands', () => {
  const dir = tempDir('paranom-vae-synth-');
  const meta = writeSyntheticModel(join(dir, 'm'), { window: 16, latent: 6, hidden: [8], seed: 2 });
  const st = meta.latentStats; // identity basis: the radius is ‖z‖
  const sampler = new LatentSampler(st, seedKey(9));
  const z = new Float64Array(6);
  const radius = () => Math.hypot(...z);

  it('puts every draw inside its band, with the band distribution of radii', () => {
    const outlier = radiusBand(st, 'gaussian', 0.99, 0.9999);
    const [lo, hi] = [chiQuantile(0.99, 6), chiQuantile(0.9999, 6)];
    for (let i = 0; i < 2000; i++) {
      sampler.sample(77, SLOT_ANOMALOUS, i, outlier, z, 0);
      expect(radius()).toBeGreaterThanOrEqual(lo - 1e-9);
      expect(radius()).toBeLessThanOrEqual(hi + 1e-9);
    }
    const inner = radiusBand(st, 'gaussian', 0, 0.95);
    let belowMedian = 0;
    const sum = new Float64Array(6);
    const n = 8000;
    for (let i = 0; i < n; i++) {
      sampler.sample(77, SLOT_NORMAL, i, inner, z, 0);
      if (radius() <= chiQuantile(0.5, 6)) belowMedian++;
      for (let j = 0; j < 6; j++) sum[j]! += z[j]!;
    }
    expect(belowMedian / n).toBeCloseTo(0.5 / 0.95, 1.5); // within ±0.016
    for (let j = 0; j < 6; j++) expect(Math.abs(sum[j]! / n)).toBeLessThan(0.05); // directions uniform
  });

  it('is a pure function of (seed, stream, slot, window)', () => {
    const band = radiusBand(st, 'gaussian', 0, 0.95);
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    sampler.sample(5, SLOT_NORMAL, 123_456_789_012, band, a, 0);
    new LatentSampler(st, seedKey(9)).sample(5, SLOT_NORMAL, 123_456_789_012, band, b, 0);
    expect(b).toEqual(a);
    for (const [stream, slot, index, seed] of [[6, 0, 123_456_789_012, 9], [5, 1, 123_456_789_012, 9], [5, 0, 123_456_789_013, 9], [5, 0, 123_456_789_012, 10]] as const) {
      new LatentSampler(st, seedKey(seed)).sample(stream, slot, index, band, b, 0);
      expect(b).not.toEqual(a);
    }
  });
});

describe('TF.js layers format without TensorFlow', () => {
  it('writes models TF.js loads and predicts with; the plain-JS decoder agrees, one channel at a time', async () => {
    const dir = join(tempDir('paranom-vae-fmt-'), 'm');
    writeSyntheticModel(dir, { window: 10, latent: 5, hidden: [12, 7], channels: ['a', 'b'], activation: 'tanh', seed: 4 });
    const tf = await import('@tensorflow/tfjs');
    tf.env().set('PROD', true);
    const json = JSON.parse(readFileSync(join(dir, 'decoder/model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'decoder/weights.bin'));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) }));
    const n = 9;
    const zs = Float32Array.from({ length: n * 5 }, (_, i) => Math.cos(i) * 1.5);
    const ref = (model.predict(tf.tensor2d(zs, [n, 5])) as import('@tensorflow/tfjs').Tensor).dataSync();
    const { decoder } = readVaeModel(dir);
    const pick = Int32Array.from({ length: 10 }, (_, t) => t * 2 + 1); // channel b
    const got = new Float64Array(n * 10);
    decoder.decode(Float64Array.from(zs), n, pick, got);
    for (let i = 0; i < n; i++) for (let t = 0; t < 10; t++) expect(Math.abs(got[i * 10 + t]! - ref[i * 20 + t * 2 + 1]!)).toBeLessThan(1e-5);
  });

  it('refuses what the plain-JS decoder cannot reproduce, naming the layer', () => {
    const dir = join(tempDir('paranom-vae-fmt-'), 'm');
    writeSyntheticModel(dir, { window: 4, latent: 2, hidden: [3] });
    const file = join(dir, 'decoder/model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.modelTopology.config.layers[0].config.activation = 'selu';
    writeFileSync(file, JSON.stringify(json));
    expect(() => readDenseStack(join(dir, 'decoder'))).toThrow(ModelFormatError);
    expect(() => readDenseStack(join(dir, 'decoder'))).toThrow(/layer dec_1 uses activation selu; supported: linear, relu, tanh, sigmoid/);
    json.modelTopology.config.layers[0].class_name = 'Conv1D';
    writeFileSync(file, JSON.stringify(json));
    expect(() => readDenseStack(join(dir, 'decoder'))).toThrow(/layer dec_1 is Conv1D; the decoder reads Dense layers only/);
  });
});
