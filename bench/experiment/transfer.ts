/**
 * Label-free evidence for choosing generated training data: how well the experiment's
 * detector, trained on one condition's generated data (seed 1), finds another condition's
 * generated anomalies (seed 101) on rows it never fitted (the last quarter of each copy of
 * the training part, whose real values set the threshold and are never fitted). No NAB
 * test label is read: every label here is paranom's own.
 *
 *   node dist/bench/experiment/transfer.js [--series N | --series name,name] [--train b,c,d] [--validate b,c,d,L]
 *                                          [--protocol long] [--seeds 1] [--mean-over b,c,L] [--digits 3]
 *
 * Prints, per (training condition, validation set), the mean over series of the ROC-AUC
 * of the detector's scores on those rows, the share of labelled rows alarmed at the
 * detector's real threshold (recall) and of unlabelled rows alarmed (false alarms); the
 * last column is the mean over the validation sets. `--protocol long` runs on the long
 * protocol's series and cuts (long.ts), where `d`, `d2` and `s` are its learned conditions;
 * `--seeds N` trains each condition with data and detector seeds 1..N (validation data keeps
 * seed 101) and prints each ROC-AUC cell as mean ± sd over those seeds, with a column for
 * the mean over the validation sets named by `--mean-over` (per seed, then mean ± sd).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rocAuc } from '../../src/eval/index.js';
import { loadNab, robustScale } from './nab.js';
import { DETECTOR, trainSupervised } from './detector.js';
import { CANDIDATES } from './candidates.js';
import { generateCondition, trainModel, writeTrainingCsv, type GeneratedCondition, type SeriesContext } from './conditions.js';
import { LONG_GENERATED, longSeries } from './long.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The conditions named in `ids`; under the long protocol its own conditions come first (its `d` is the learned kind's defaults). */
const pick = (ids: string, long: boolean): GeneratedCondition[] => {
  const all = long ? [...LONG_GENERATED, ...CANDIDATES] : CANDIDATES;
  return ids.split(',').map((id) => {
    const c = all.find((x) => x.id === id);
    if (!c) throw new Error(`unknown condition ${id}; expected one of ${all.map((x) => x.id).join(', ')}`);
    return c;
  });
};

const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: number[]): number => (x.length < 2 ? 0 : Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1)));

/** Per-cell accumulators: ROC-AUC per training seed (one entry per series), and alarm counts. */
interface Cell {
  auc: number[][];
  hit: number;
  pos: number;
  fa: number;
  neg: number;
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const nabDir = resolve(arg('nab') ?? join(here, '../../../../shared/data/nab'));
  const long = arg('protocol') === 'long';
  const seeds = Number(arg('seeds') ?? 1);
  // Decimals of the mean ± sd table: 3 by default; more where a rule compares a difference with an sd near it.
  const digits = Number(arg('digits') ?? 3);
  const all = long ? longSeries(loadNab(nabDir)) : loadNab(nabDir);
  const s0 = arg('series');
  const series = s0 === undefined ? all : /^\d+$/.test(s0) ? all.slice(0, Number(s0)) : all.filter((x) => s0.split(',').includes(x.name));
  const train = pick(arg('train') ?? 'b,c,d,e', long);
  const validate = pick(arg('validate') ?? 'b,c,d,L', long);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-transfer-'));
  const cells = new Map<string, Cell>();
  try {
    for (const s of series) {
      const t0 = performance.now();
      const real = s.values.subarray(0, s.cut);
      const scale = robustScale(real);
      const csv = writeTrainingCsv(s, dir);
      const needs = [...train, ...validate].some((c) => c.needsModel);
      let model: { model?: string } = {};
      try {
        if (needs) model = { model: await trainModel(csv, s.cut, (m) => process.stderr.write(`${s.name}: VAE retrained, ${m}\n`)) };
      } catch (err) {
        // As in run.ts: a series no VAE can be trained on is left out (and said so).
        if ((err as { code?: string }).code !== 'TRAINING_DIVERGED') throw err;
        process.stderr.write(`${s.name}: left out, no VAE could be trained on it (${(err as Error).message.split(';')[0]})\n`);
        continue;
      }
      const ctx: SeriesContext = { sd: scale.scale, rows: s.cut, fileRows: s.values.length, ...model };
      const held = await Promise.all(
        validate.map(async (v) => {
          const data = await generateCondition(s, csv, v, ctx, 101);
          const rows: number[] = [];
          for (let j = 0; j < data.values.length; j++) if (j % data.period >= Math.max(DETECTOR.window - 1, Math.floor(DETECTOR.fitShare * data.period))) rows.push(j);
          return { id: v.id, data, rows };
        }),
      );
      const line: string[] = [];
      for (const t of train) {
        for (let seed = 1; seed <= seeds; seed++) {
          const data = await generateCondition(s, csv, t, ctx, seed);
          const det = trainSupervised(data.values, data.labels, data.period, real, scale, seed);
          for (const v of held) {
            const scores = det.score(v.data.values, v.rows);
            const labels = Uint8Array.from(v.rows, (j) => v.data.labels[j]!);
            const key = `${t.id}\0${v.id}`;
            const c = cells.get(key) ?? { auc: Array.from({ length: seeds }, () => []), hit: 0, pos: 0, fa: 0, neg: 0 };
            const auc = rocAuc(labels, scores);
            if (auc !== null) c.auc[seed - 1]!.push(auc);
            labels.forEach((l, i) => {
              const alarm = scores[i]! >= det.threshold ? 1 : 0;
              if (l) (c.pos++, (c.hit += alarm));
              else (c.neg++, (c.fa += alarm));
            });
            cells.set(key, c);
            line.push(`${t.id}${seeds > 1 ? `#${seed}` : ''}→${v.id} ${auc?.toFixed(2) ?? '–'}`);
          }
        }
      }
      process.stderr.write(`${s.name}: ${line.join(' ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (seeds > 1) {
    // Each cell as mean ± sd over training seeds of its mean over series; the last column
    // is each seed's mean over the validation sets, then their mean ± sd.
    console.log(`\nROC-AUC (mean over series), mean ± sd over ${seeds} training seeds (${series.length} series)\n`);
    const subset = arg('mean-over')?.split(',') ?? [];
    for (const id of subset) if (!validate.some((v) => v.id === id)) throw new Error(`--mean-over: ${id} is not a validation set`);
    const extra = subset.length ? ` mean of ${subset.join(', ')} |` : '';
    console.log(`| train \\ validate | ${validate.map((v) => v.id).join(' | ')} | mean |${extra}`);
    console.log(`|---|${validate.map(() => '---').join('|')}|---|${subset.length ? '---|' : ''}`);
    for (const t of train) {
      const perSeed = (v: GeneratedCondition): number[] => cells.get(`${t.id}\0${v.id}`)!.auc.map(mean);
      const across = (sets: readonly GeneratedCondition[]): number[] => Array.from({ length: seeds }, (_, k) => mean(sets.map((v) => perSeed(v)[k]!)));
      const cell = (x: number[]): string => `${mean(x).toFixed(digits)} ± ${sd(x).toFixed(digits)}`;
      const part = subset.length ? [cell(across(validate.filter((v) => subset.includes(v.id))))] : [];
      console.log(`| ${t.id} | ${[...validate.map((v) => cell(perSeed(v))), cell(across(validate)), ...part].join(' | ')} |`);
    }
  }
  for (const [what, f] of [
    ['ROC-AUC (mean over series and seeds)', (c: Cell) => mean(c.auc.flat())],
    ['recall at the real threshold', (c: Cell) => c.hit / c.pos],
    ['false alarms at the real threshold', (c: Cell) => c.fa / c.neg],
  ] as const) {
    console.log(`\n${what}: rows train on, columns validate on (${series.length} series)\n`);
    console.log(`| train \\ validate | ${validate.map((v) => v.id).join(' | ')} | mean |`);
    console.log(`|---|${validate.map(() => '---').join('|')}|---|`);
    for (const t of train) {
      const row = validate.map((v) => f(cells.get(`${t.id}\0${v.id}`)!));
      console.log(`| ${t.id} | ${[...row, mean(row)].map((x) => x.toFixed(3)).join(' | ')} |`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
