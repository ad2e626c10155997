/**
 * `type: vae` on a real NAB series: the EC2 CPU utilisation in scenarios/nab/ (4,032
 * five-minute rows), a series that sits still and then jumps. A small VAE is trained here
 * (window 48, latent 4, WebAssembly, a few seconds); its normal rows must match the
 * training data's mean and sd within 10%, be no rougher at window boundaries (or anywhere)
 * than 1.5× the data's 99th-percentile step, and anomalous windows must stay clearly
 * further from the training data than normal ones.
 */
import { cpSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateShard, type ShardColumns } from '../src/generate/shard.js';
import { loadScenario } from '../src/reader/load.js';
import { trainVae } from '../src/vae/train.js';
import { windowDistances, windowSteps } from '../src/vae/fidelity.js';
import { readSeries } from '../src/vae/series.js';
import type { VaeModelMeta } from '../src/vae/model.js';
import { tempDir } from './helpers.js';
import { meanSd, quantile, stepQuantile } from './stats-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const W = 48;
const ROWS = 40_000;

let dir: string;
let meta: VaeModelMeta;
let train: Float64Array;
let g: ShardColumns;
let values: Float64Array;

beforeAll(async () => {
  dir = tempDir('paranom-vae-nab-');
  copyFileSync(join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), join(dir, 'cpu.csv'));
  const trained = await trainVae({ data: join(dir, 'cpu.csv'), columns: ['value'], window: W, latent: 4, hidden: [32], epochs: 20, seed: 1, backend: 'wasm', out: join(dir, 'models/cpu') });
  meta = trained.meta;
  train = readSeries(join(dir, 'cpu.csv'), ['value']).values[0]!.subarray(0, meta.training.data.trainRows);
  writeFileSync(join(dir, 'vae.yaml'), `name: nab-cpu-vae\nseed: 7\ntimeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: ${ROWS} }\nanomalies: { frequency: 0.03, duration: [48, 96] }\nvariables:\n  cpu: { type: vae, model: models/cpu }\n`);
  g = generateShard(loadScenario(join(dir, 'vae.yaml')), 0, ROWS);
  values = g.values[0]!.data as Float64Array;
}, 120_000);

describe('type: vae on the NAB EC2 CPU series', () => {
  it('normal rows: mean and sd within 10% of the training data', () => {
    const t = meanSd(train);
    const n = meanSd(values.filter((_, i) => !g.isAnomaly[i]));
    expect(Math.abs(n.mean - t.mean) / t.mean).toBeLessThan(0.1);
    expect(Math.abs(n.sd - t.sd) / t.sd).toBeLessThan(0.1);
  });

  it('window boundaries, and every other row, are no rougher than 1.5× the data’s 99th-percentile step', () => {
    const p99 = stepQuantile(train, 0.99);
    const { boundary, other } = windowSteps(values, g.isAnomaly, meta.chain!.hop);
    expect(boundary.length).toBeGreaterThan(1000);
    if (process.env['PARANOM_VAE_REPORT']) console.log(`data p99 step ${p99}; boundary p99 ${quantile(boundary, 0.99)} (${(quantile(boundary, 0.99) / p99).toFixed(2)}×), other rows p99 ${quantile(other, 0.99)} (${(quantile(other, 0.99) / p99).toFixed(2)}×)`);
    expect(quantile(boundary, 0.99)).toBeLessThanOrEqual(1.5 * p99);
    expect(quantile(other, 0.99)).toBeLessThanOrEqual(1.5 * p99);
  });

  it('anomalous windows are clearly further from the training data than normal ones', () => {
    const { normal: dn, anomalous: da, events } = windowDistances(values, g.isAnomaly, train, W, meta.normalisation.sd[0]!);
    expect(events).toBeGreaterThan(10);
    if (process.env['PARANOM_VAE_REPORT']) console.log(`nearest training window: normal ${dn.toFixed(3)}, anomalous ${da.toFixed(3)}, ratio ${(da / dn).toFixed(2)} (${events} events)`);
    expect(da - dn).toBeGreaterThan(0.25);
    expect(da / dn).toBeGreaterThan(2);
  });

  it('a model file without a stored residual adds Gaussian noise as before; a residual of the wrong length is refused', () => {
    const chain = meta.chain!;
    expect(chain.residual!.length).toBe((chain.mean.length - 1) * chain.hop + W);
    const edit = (name: string, f: (m: VaeModelMeta) => void) => {
      cpSync(join(dir, 'models/cpu'), join(dir, `models/${name}`), { recursive: true });
      const file = join(dir, `models/${name}/vae.json`);
      const m = JSON.parse(readFileSync(file, 'utf8')) as VaeModelMeta;
      f(m);
      writeFileSync(file, JSON.stringify(m));
      writeFileSync(join(dir, `${name}.yaml`), readFileSync(join(dir, 'vae.yaml'), 'utf8').replace('models/cpu', `models/${name}`).replace(`rows: ${ROWS}`, 'rows: 4096'));
      return () => generateShard(loadScenario(join(dir, `${name}.yaml`)), 0, 4096).values[0]!.data as Float64Array;
    };
    const old = edit('old', (m) => delete m.chain!.residual)();
    expect(old.every(Number.isFinite)).toBe(true);
    expect(Array.from(old)).not.toEqual(Array.from(values.subarray(0, 4096)));
    const bad = edit('bad', (m) => m.chain!.residual!.pop());
    expect(bad).toThrow(/incomplete or inconsistent model metadata/);
  });
});
