/**
 * VAE training time and learned-anomaly throughput, each beside a same-run baseline.
 *
 *  - train: `trainVae` on 4,000 rows of the NAB series in scenarios/nab/, window 1,000,
 *    latent 8, 100 epochs (patience 100, so every epoch runs), on the WebAssembly backend
 *    and on the pure-JS CPU backend in the same run. Target: ≤ 30 s on the 2-core machine.
 *    Each backend also trains with `--downsample 10` (windows of 100 block means of 10 rows).
 *  - learned: `generateShard` over a source variable with `kind: learned` events (the
 *    encoder, the latent move and the decoder run per event) against the same rows
 *    without anomalies: rows/s and events/s with the encoder in the loop.
 *
 *   node dist/bench/train-vae.js [--epochs 100] [--rows 2000000] [--backends wasm,cpu] [--downsample 1,10]
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { trainVae } from '../src/vae/train.js';
import { generateShard } from '../src/generate/shard.js';
import { loadScenario } from '../src/reader/load.js';
import { prepareScenario } from '../src/variables/registry.js';
import type { TfBackendChoice } from '../src/vae/tf.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NAB = join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const epochs = Number(arg('epochs', '100'));
const rows = Number(arg('rows', '2000000'));
const backends = arg('backends', 'wasm,cpu').split(',') as TfBackendChoice[];
const downsamples = arg('downsample', '1,10').split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'paranom-bench-train-'));

try {
  // 4,000 rows of the real series.
  const lines = readFileSync(NAB, 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'cpu4000.csv'), lines.slice(0, 4001).join('\n') + '\n');
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2-core machine)`);
  console.log('| backend | downsample | windows (train/val) | epochs | seconds | s/epoch | target ≤ 30 s |');
  console.log('|---|---:|---|---:|---:|---:|---|');
  for (const downsample of downsamples) {
    for (const backend of backends) {
      const out = join(dir, downsample === 1 ? `model-${backend}` : `model-${backend}-ds${downsample}`);
      const r = await trainVae({ data: join(dir, 'cpu4000.csv'), columns: ['value'], window: 1000, downsample, latent: 8, epochs, patience: epochs, seed: 1, backend, out });
      const t = r.meta.training;
      console.log(`| ${r.backend} | ${downsample} | ${t.data.trainWindows}/${t.data.validationWindows} | ${t.epochsRun} | ${r.seconds.toFixed(1)} | ${(r.seconds / t.epochsRun).toFixed(3)} | ${r.seconds <= 30 ? 'met' : 'missed'} |`);
    }
  }

  // Learned anomalies with the encoder in the loop, against the same rows without them.
  const model = join(dir, `model-${backends[0]}`);
  copyFileSync(NAB, join(dir, 'cpu.csv'));
  const yaml = (anomalies: string) =>
    [
      'name: learned-bench',
      'seed: 1',
      `timeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: ${rows} }`,
      anomalies,
      'variables:',
      '  cpu: { type: source, file: cpu.csv, column: value, past_end: cycle }',
    ].join('\n');
  writeFileSync(join(dir, 'learned.yaml'), yaml(`anomalies: { frequency: 0.05, kinds: [{ kind: learned, model: ${model}, duration: [50, 300] }] }`));
  writeFileSync(join(dir, 'plain.yaml'), yaml(''));
  console.log('\n| case | rows | events | seconds | rows/s | events/s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const name of ['plain', 'learned']) {
    const s = loadScenario(join(dir, `${name}.yaml`));
    await prepareScenario(s);
    const t0 = performance.now();
    const c = generateShard(s, 0, rows);
    const secs = (performance.now() - t0) / 1000;
    console.log(`| ${name === 'plain' ? 'source, no anomalies (baseline)' : 'source + learned events (encode, move, decode)'} | ${rows.toLocaleString('en-US')} | ${c.events.length} | ${secs.toFixed(2)} | ${Math.round(rows / secs).toLocaleString('en-US')} | ${Math.round(c.events.length / secs).toLocaleString('en-US')} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
