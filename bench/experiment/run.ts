/**
 * `npm run experiment`: does paranom's generated data teach a detector to find real
 * anomalies? For each labelled NAB series, the same detector (detector.ts) is trained
 * under each condition on the series' training part only, then scored on the rest
 * against NAB's labels. Mean ± sd over seeds (data seed = detector seed = 1..S).
 *
 *   node dist/bench/experiment/run.js [--seeds 5] [--series N | --series name,name]
 *                                     [--nab ../shared/data/nab] [--json FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNab, robustScale, type Series } from './nab.js';
import { DETECTOR, trainSupervised, trainUnsupervised, type Detector } from './detector.js';
import { generateCondition, KINDS, NAIVE, writeTrainingCsv, type GeneratedCondition } from './conditions.js';
import { seededRandom } from './mlp.js';
import { pool, scoreSeries, type Scores, type SeriesCounts } from './score.js';

/** Share of test rows the random-alarm null alarms on (NAB's windows cover about 10%). */
const NULL_RATE = 0.1;

export interface ExperimentOptions {
  nabDir: string;
  seeds: number;
  /** Series names to run, or the first N series; all by default. */
  series?: readonly string[] | number;
  onProgress?: (message: string) => void;
}

/** One row of the result table: a condition's metrics, one entry per seed. */
export interface ConditionResult {
  id: string;
  title: string;
  perSeed: Scores[];
}

export interface ExperimentResult {
  series: string[];
  conditions: ConditionResult[];
  seconds: number;
}

const GENERATED: GeneratedCondition[] = [NAIVE, KINDS];

function selectSeries(all: Series[], pick: ExperimentOptions['series']): Series[] {
  if (pick === undefined) return all;
  if (typeof pick === 'number') return all.slice(0, pick);
  return pick.map((name) => {
    const s = all.find((x) => x.name === name);
    if (!s) throw new Error(`no labelled NAB series named ${name}`);
    return s;
  });
}

function testRows(s: Series): number[] {
  return Array.from({ length: s.values.length - s.cut }, (_, i) => s.cut + i);
}

function alarmsOf(d: Detector, s: Series, rows: number[]): Uint8Array {
  const scores = d.score(s.values, rows);
  return Uint8Array.from(scores, (v) => (v >= d.threshold ? 1 : 0));
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const series = selectSeries(loadNab(options.nabDir), options.series);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-experiment-'));
  const ids = ['null', 'a', ...GENERATED.map((g) => g.id)];
  const titles = ['random alarms (null)', '(a) real normal data only', ...GENERATED.map((g) => g.title)];
  const perSeedSeries = ids.map(() => Array.from({ length: options.seeds }, () => [] as SeriesCounts[]));
  try {
    for (const s of series) {
      const train = s.values.subarray(0, s.cut);
      const scale = robustScale(train);
      const csv = writeTrainingCsv(s, dir);
      const rows = testRows(s);
      const score = (alarms: Uint8Array): SeriesCounts => scoreSeries(s, alarms, DETECTOR.window);
      for (let seed = 1; seed <= options.seeds; seed++) {
        const rand = seededRandom(seed * 7919 + s.values.length);
        perSeedSeries[0]![seed - 1]!.push(score(Uint8Array.from(rows, () => (rand() < NULL_RATE ? 1 : 0))));
        perSeedSeries[1]![seed - 1]!.push(score(alarmsOf(trainUnsupervised(train, scale, seed), s, rows)));
        for (const [k, g] of GENERATED.entries()) {
          const data = await generateCondition(s, csv, g, scale, seed);
          const det = trainSupervised(data.values, data.labels, data.period, scale, seed);
          perSeedSeries[2 + k]![seed - 1]!.push(score(alarmsOf(det, s, rows)));
        }
      }
      options.onProgress?.(ids.map((id, k) => `${id}: F1 ${perSeedSeries[k]!.map((x) => pool([x.at(-1)!]).f1.toFixed(2)).join('/')}`).join('  '));
      options.onProgress?.(`${s.name} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    series: series.map((s) => s.name),
    conditions: ids.map((id, k) => ({ id, title: titles[k]!, perSeed: perSeedSeries[k]!.map(pool) })),
    seconds: (performance.now() - t0) / 1000,
  };
}

function meanSd(x: number[]): string {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1)) : 0;
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
}

/** The result as a Markdown table: one row per condition, mean ± sd over seeds. */
export function formatTable(r: ExperimentResult): string {
  const lines = [
    '| condition | point F1 | event precision | windows found | NAB standard | alarm rate |',
    '|---|---|---|---|---|---|',
  ];
  for (const c of r.conditions) {
    const p = c.perSeed;
    const windows = p[0]?.windows ?? 0;
    lines.push(`| ${c.title} | ${meanSd(p.map((s) => s.f1))} | ${meanSd(p.map((s) => s.eventPrecision))} | ${meanSd(p.map((s) => s.windowsFound))} of ${windows} | ${meanSd(p.map((s) => s.nab))} | ${meanSd(p.map((s) => s.alarmRate))} |`);
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const nabDir = resolve(arg('nab') ?? join(here, '../../../../shared/data/nab'));
  const pick = arg('series');
  const result = await runExperiment({
    nabDir,
    seeds: Number(arg('seeds') ?? 5),
    ...(pick === undefined ? {} : { series: /^\d+$/.test(pick) ? Number(pick) : pick.split(',') }),
    onProgress: (m) => process.stderr.write(m + '\n'),
  });
  console.log(formatTable(result));
  console.log(`\n${result.series.length} series, ${result.conditions[0]?.perSeed.length} seeds, ${result.seconds.toFixed(0)} s (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const json = arg('json');
  if (json) writeFileSync(json, JSON.stringify(result, null, 2));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
