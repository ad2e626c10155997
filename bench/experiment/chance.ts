/**
 * Point F1 against what alarm volume alone earns, from saved runs (`run.js --json`): per
 * condition, its pooled point F1 and alarm rate (mean over seeds), the point F1 a detector
 * with no skill would get at the same alarm rate (precision = the share of labelled test
 * rows, recall = the alarm rate), their ratio, and which series carry its true positives.
 * Nothing is rerun; it reads the counts the runs saved.
 *
 *   node dist/bench/experiment/chance.js run1.json[,run2.json] [--top 2] [--series NAME]
 *
 * `--series NAME` adds, for that series, its labelled test rows and each condition's true
 * positives and alarms (means over seeds).
 */
import { readFileSync } from 'node:fs';
import type { ExperimentResult } from './results.js';

const files = process.argv[2]?.split(',') ?? [];
if (files.length === 0) throw new Error('usage: chance.js run1.json[,run2.json] [--top N]');
const option = (name: string): string | undefined => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const top = Number(option('top') ?? 2);
const one = option('series');
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ExperimentResult);
const series = runs[0]!.series;
const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;

// Labelled share of the test rows: the precision of alarming at random (the same for every condition).
let labelled = 0;
let rows = 0;
for (const s of series) {
  const c = runs[0]!.perSeries[s]![0]![0]!;
  labelled += c.tp + c.fn;
  rows += c.testRows;
}
const p = labelled / rows;
console.log(`${series.length} series, ${rows} test rows, ${labelled} labelled (${(100 * p).toFixed(1)}%); alarming on every row: point F1 ${((2 * p) / (1 + p)).toFixed(3)}\n`);
console.log(`| condition | point F1 | alarm rate | no-skill F1 at that rate | ratio | true positives from the top ${top} series |`);
console.log('|---|---|---|---|---|---|');
/** Each condition once, with the run that holds it and its index there (the first run wins, as `run.js --from`). */
function eachCondition(f: (run: ExperimentResult, c: ExperimentResult['conditions'][number], k: number) => void): void {
  const seen = new Set<string>();
  for (const run of runs)
    run.conditions.forEach((c, k) => {
      if (seen.has(c.id)) return;
      seen.add(c.id);
      f(run, c, k);
    });
}

eachCondition((run, c, k) => {
  const seeds = run.perSeries[series[0]!]![k]!.length;
  const f1: number[] = [];
  const rate: number[] = [];
  const tpBy = new Map<string, number>();
  for (let sd = 0; sd < seeds; sd++) {
    let tp = 0, fp = 0, fn = 0, alarms = 0;
    for (const s of series) {
      const x = run.perSeries[s]![k]![sd]!;
      tp += x.tp;
      fp += x.fp;
      fn += x.fn;
      alarms += x.alarms;
      tpBy.set(s, (tpBy.get(s) ?? 0) + x.tp);
    }
    f1.push((2 * tp) / (2 * tp + fp + fn));
    rate.push(alarms / rows);
  }
  const q = mean(rate);
  const chance = (2 * p * q) / (p + q);
  const ranked = [...tpBy].sort((a, b) => b[1] - a[1]);
  const total = ranked.reduce((a, [, v]) => a + v, 0);
  const lead = ranked.slice(0, top);
  const share = total > 0 ? lead.reduce((a, [, v]) => a + v, 0) / total : 0;
  const names = lead.map(([s]) => s.split('/').pop()!.replace(/\.csv$/, '')).join(', ');
  console.log(`| ${c.title} | ${mean(f1).toFixed(3)} | ${q.toFixed(3)} | ${chance.toFixed(3)} | ${(mean(f1) / chance).toFixed(2)} | ${(100 * share).toFixed(0)}% (${names}) |`);
});

if (one !== undefined) {
  const c0 = runs[0]!.perSeries[one];
  if (!c0) throw new Error(`no series ${one} in ${files[0]}`);
  console.log(`\n${one}: ${c0[0]![0]!.tp + c0[0]![0]!.fn} of ${c0[0]![0]!.testRows} test rows labelled\n`);
  console.log('| condition | true positives | alarms |');
  console.log('|---|---|---|');
  eachCondition((run, c, k) => {
    const per = run.perSeries[one]![k]!;
    console.log(`| ${c.title} | ${mean(per.map((x) => x.tp)).toFixed(1)} | ${mean(per.map((x) => x.alarms)).toFixed(1)} |`);
  });
}
