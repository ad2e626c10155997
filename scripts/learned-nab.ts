/**
 * The README's VAE figures, on the NAB series in scenarios/nab/ (EC2 CPU utilisation,
 * 4,032 five-minute rows):
 *
 *  1. trains a VAE on the series (window 48 = 4 h, latent 4, WebAssembly backend);
 *  2. injects `kind: learned` events into the real series, generates with the clean twin,
 *     prints the segment table's learned figures and effect, and draws real against
 *     injected (docs/learned-nab.svg);
 *  3. generates a `type: vae` series from the same model and prints how it compares with
 *     the training data (mean, sd, steps at window boundaries, distance of normal and
 *     anomalous windows to the nearest training window).
 *
 *   npm run build && node dist/scripts/learned-nab.js [--svg docs/learned-nab.svg]
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainVae } from '../src/vae/train.js';
import { windowDistances, windowSteps } from '../src/vae/fidelity.js';
import { generate } from '../src/run/generate.js';
import { generateShard } from '../src/generate/shard.js';
import { loadScenario } from '../src/reader/load.js';
import { readParquetRows } from '../src/formats/read.js';
import { withCleanTwin } from '../src/anomaly/kinds/clean-twin.js';
import { contextWindow, robustScale } from '../src/anomaly/effect.js';
import { DEFAULT_MIN_CHANGE } from '../src/anomaly/kinds/validate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const svgOut = process.argv.includes('--svg') ? process.argv[process.argv.indexOf('--svg') + 1]! : join(root, 'docs/learned-nab.svg');
const W = 48;
const dir = mkdtempSync(join(tmpdir(), 'paranom-learned-nab-'));

function quantile(x: number[], p: number): number {
  const s = [...x].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))]!;
}
function meanSd(x: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return [m, Math.sqrt(v / (x.length - 1))];
}

try {
  copyFileSync(join(root, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), join(dir, 'cpu.csv'));
  const real = readFileSync(join(dir, 'cpu.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  const trained = await trainVae({ data: join(dir, 'cpu.csv'), columns: ['value'], window: W, latent: 4, hidden: [32], epochs: 40, seed: 1, backend: 'wasm', out: join(dir, 'models/cpu') });
  const t = trained.meta.training;
  console.log(`model: window ${W}, latent 4, ${t.data.trainWindows} training windows, ${t.epochsRun} epochs on ${trained.backend} in ${trained.seconds.toFixed(1)} s\n`);

  // 1. Learned anomalies injected into the real series.
  writeFileSync(
    join(dir, 'learned.yaml'),
    [
      'name: nab-cpu-learned',
      'seed: 2014',
      'timeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: 4032 }',
      'anomalies:',
      '  frequency: 0.04',
      '  kinds: [{ kind: learned, model: models/cpu, duration: ["1h", "4h"] }]',
      'variables:',
      '  cpu: { type: source, file: cpu.csv, column: value }',
    ].join('\n') + '\n',
  );
  const s = withCleanTwin(loadScenario(join(dir, 'learned.yaml')));
  await generate(s, { out: join(dir, 'out'), workers: 1 });
  const seg = readParquetRows(readFileSync(join(dir, 'out/anomalies.parquet')), 0, 1 << 30);
  console.log('| event (start row) | start time (UTC) | rows | quantile | radius from → to | latent distance | effect_rms | effect_max |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < seg.numRows; i++) {
    const p = JSON.parse(seg.getChild('params')!.get(i) as string) as Record<string, number>;
    const start = Number(seg.getChild('start_row')!.get(i));
    const rows = Number(seg.getChild('rows')!.get(i));
    spans.push([start, start + rows]);
    const time = new Date(Number(seg.getChild('start_time')!.get(i))).toISOString().slice(0, 16).replace('T', ' ');
    console.log(`| ${start} | ${time} | ${rows} | ${p['quantile']!.toFixed(4)} | ${p['radius_from']!.toFixed(2)} → ${p['radius_to']!.toFixed(2)} | ${p['latent_distance']!.toFixed(2)} | ${(seg.getChild('effect_rms')!.get(i) as number).toFixed(2)} | ${(seg.getChild('effect_max')!.get(i) as number).toFixed(2)} |`);
  }
  const shard = generateShard(s, 0, 4032);
  const injected = shard.values.find((v) => v.name === 'cpu')!.data as Float64Array;
  const clean = shard.values.find((v) => v.name === 'cpu_clean')!.data as Float64Array;
  writeFileSync(svgOut, chart(clean, injected, spans));
  console.log(`\nwrote ${svgOut}`);
  // Labels: event rows moved by less than 0.1 and than min_change's default robust sd of their context, and what label: changed keeps.
  let faint = 0;
  let below = 0;
  let eventRows = 0;
  for (const e of shard.events) {
    const [lo, hi] = contextWindow(e.start, e.duration);
    const scale = robustScale(clean.subarray(lo, Math.min(hi, clean.length)));
    for (let i = e.start; i < Math.min(e.end, clean.length); i++, eventRows++) {
      const moved = Math.abs(injected[i]! - clean[i]!);
      if (moved < 0.1 * scale) faint++;
      if (moved < DEFAULT_MIN_CHANGE * scale) below++;
    }
  }
  writeFileSync(join(dir, 'learned-changed.yaml'), readFileSync(join(dir, 'learned.yaml'), 'utf8').replace('anomalies:\n', 'anomalies:\n  label: changed\n'));
  const changed = loadScenario(join(dir, 'learned-changed.yaml'));
  const labelled = generateShard(changed, 0, 4032).isAnomaly.reduce((a, b) => a + b, 0);
  console.log(`labels: ${faint} of ${eventRows} event rows moved by less than 0.1 robust sd, ${below} by less than ${DEFAULT_MIN_CHANGE} (min_change's default); with label: changed ${labelled} rows are labelled`);

  // 2. A type: vae series from the same model against the training data.
  const rows = 40_000;
  writeFileSync(join(dir, 'vae.yaml'), `name: nab-cpu-vae\nseed: 7\ntimeline: { start: "2014-04-02T14:29:00Z", step: 5m, rows: ${rows} }\nanomalies: { frequency: 0.03, duration: [48, 96] }\nvariables:\n  cpu: { type: vae, model: models/cpu }\n`);
  const vs = loadScenario(join(dir, 'vae.yaml'));
  const g = generateShard(vs, 0, rows);
  const v = g.values[0]!.data as Float64Array;
  const train = real.slice(0, t.data.trainRows);
  const normal = Array.from(v).filter((_, i) => !g.isAnomaly[i]);
  const [tm, ts] = meanSd(train);
  const [nm, ns] = meanSd(normal);
  const p99 = quantile(train.slice(1).map((x, i) => Math.abs(x - train[i]!)), 0.99);
  const { boundary, other: inside } = windowSteps(v, g.isAnomaly, trained.meta.chain!.hop);
  const { normal: dn, anomalous: da, events } = windowDistances(v, g.isAnomaly, train, W, trained.meta.normalisation.sd[0]!);
  console.log('\n| type: vae, 40,000 rows | training data | generated normal rows |');
  console.log('|---|---:|---:|');
  console.log(`| mean | ${tm.toFixed(4)} | ${nm.toFixed(4)} (${((100 * (nm - tm)) / tm).toFixed(1)}%) |`);
  console.log(`| sd | ${ts.toFixed(4)} | ${ns.toFixed(4)} (${((100 * (ns - ts)) / ts).toFixed(1)}%) |`);
  console.log(`| step at window boundaries, p99 | ${p99.toFixed(4)} (all steps) | ${quantile(boundary, 0.99).toFixed(4)} (${(quantile(boundary, 0.99) / p99).toFixed(2)}×) |`);
  console.log(`| step at other rows, p99 | ${p99.toFixed(4)} | ${quantile(inside, 0.99).toFixed(4)} (${(quantile(inside, 0.99) / p99).toFixed(2)}×) |`);
  console.log(`| step, median | ${quantile(train.slice(1).map((x, i) => Math.abs(x - train[i]!)), 0.5).toFixed(4)} | ${quantile([...boundary, ...inside], 0.5).toFixed(4)} |`);
  console.log(`\nnearest training window (RMS, training sd units): normal ${dn.toFixed(3)}, anomalous ${da.toFixed(3)}, ratio ${(da / dn).toFixed(2)} (${events} events)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Real (clean) against injected, event spans shaded: an overview and three close-ups. */
function chart(clean: Float64Array, injected: Float64Array, spans: Array<[number, number]>): string {
  const Wd = 1100;
  const panel = (x0: number, y0: number, w: number, h: number, from: number, to: number, title: string) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      lo = Math.min(lo, clean[i]!, injected[i]!);
      hi = Math.max(hi, clean[i]!, injected[i]!);
    }
    const pad = (hi - lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
    const X = (i: number) => (x0 + ((i - from) / (to - from - 1)) * w).toFixed(1);
    const Y = (y: number) => (y0 + h - ((y - lo) / (hi - lo)) * h).toFixed(1);
    const line = (a: Float64Array, colour: string, width: number) => `<polyline fill="none" stroke="${colour}" stroke-width="${width}" points="${Array.from({ length: to - from }, (_, k) => `${X(from + k)},${Y(a[from + k]!)}`).join(' ')}"/>`;
    const shade = spans.filter(([a, b]) => b > from && a < to).map(([a, b]) => `<rect x="${X(Math.max(a, from))}" y="${y0}" width="${(((Math.min(b, to) - Math.max(a, from)) / (to - from - 1)) * w).toFixed(1)}" height="${h}" fill="#f4c7c3" opacity="0.6"/>`);
    return [`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="white" stroke="#ccc"/>`, ...shade, line(injected, '#c0392b', 1.2), line(clean, '#555', 0.9), `<text x="${x0}" y="${y0 - 6}" font-size="12" font-family="sans-serif">${title}</text>`].join('\n');
  };
  const parts = [panel(40, 30, Wd - 60, 220, 0, clean.length, 'NAB ec2_cpu_utilization_c6585a: real (grey) and with learned anomalies (red); events shaded')];
  spans.slice(0, 3).forEach(([a, b], k) => {
    const mid = (a + b) >> 1;
    const from = Math.max(0, mid - 60);
    const to = Math.min(clean.length, mid + 60);
    parts.push(panel(40 + k * ((Wd - 60) / 3 + 5), 300, (Wd - 60) / 3 - 10, 160, from, to, `event at row ${a} (${b - a} rows)`));
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Wd}" height="490" viewBox="0 0 ${Wd} 490">\n${parts.join('\n')}\n</svg>\n`;
}
