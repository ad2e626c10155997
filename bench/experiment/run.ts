/**
 * `npm run experiment`: does paranom's generated data teach a detector to find real
 * anomalies? For each labelled NAB series, the same detector (detector.ts) is trained
 * under each condition on the series' training part only, then scored on the rest
 * against NAB's labels. Mean ± sd over seeds (data seed = detector seed = 1..S).
 *
 *   node dist/bench/experiment/run.js [--seeds 5] [--series N | --series name,name]
 *                                     [--conditions b,c,d] [--jobs 2] [--nab ../shared/data/nab]
 *                                     [--protocol long] [--json FILE]
 *   node dist/bench/experiment/run.js --from run1.json,run2.json   (re-render saved runs together)
 *                                     [--except name,name]        (re-pooled without those series)
 *
 * `--protocol long` (long.ts) trains on every row before a series' first labelled window
 * instead of its first 15%, on the series where that is long, with its own conditions
 * (a, b, d, s and the variants in long.ts).
 *
 * A series whose VAE train-vae refuses at every learning rate tried (it learned nothing:
 * trainModel) has no learned data; it is left out of every condition, and the output
 * says so, so that every row pools the same series.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNab, robustScale, type Series } from './nab.js';
import { trainSupervised, trainUnsupervised, type Detector } from './detector.js';
import { EVERYTHING, EVERYTHING_MORE, FULL, FULL_NAB, generateCondition, KINDS, KINDS_DRIFT, KINDS_SHAPES, LEARNED, LEARNED_MORE, LEARNED_NAB, NAIVE, NAIVE_MORE, trainModel, USER_WHOLE, USER_WHOLE_CHANGED, writeTrainingCsv, type GeneratedCondition, type GeneratedData, type SeriesContext } from './conditions.js';
import { seededRandom } from './mlp.js';
import { EVERYTHING_CHANGE_HALF, EVERYTHING_LONG, LEARNED_RANDOM, LONG_GENERATED, longSeries } from './long.js';
import { combineDetectors, hybridCondition, type HybridCondition } from './hybrid.js';
import { pool, scoreSeries, type SeriesCounts } from './score.js';
import { combine, formatTable, type ExperimentResult, type Protocol } from './results.js';
import { generateTail, tauConditions, tauThreshold, writeTailCsv, type TauCondition } from './tau.js';

/** Share of test rows the random-alarm null alarms on (NAB's windows cover about 10%). */
const NULL_RATE = 0.1;

export interface ExperimentOptions {
  nabDir: string;
  seeds: number;
  /** Series names to run, or the first N series; all by default. */
  series?: readonly string[] | number;
  /** Condition ids to run (`a`, `b`, `c0`, `c1`, `c2`, `c`, `d`, `c3`, `d3`, `e`, `g`, `h`, `b7`, `u`, `u-c`, the hybrid rows `g+a`, `b+a` (`e-m5+a`, `b+a` on the long protocol), and the τ rows `b-tau`, `u-tau`, `e-tau`, `d-tau` with their `.1` twins; the null always runs); all by default. */
  conditions?: readonly string[];
  /** Worker threads running series in parallel (default 2). */
  jobs?: number;
  /** `short` (default): the first 15% trains; `long`: every row before the first labelled window (long.ts). */
  protocol?: Protocol;
  onProgress?: (message: string) => void;
}


const GENERATED: GeneratedCondition[] = [NAIVE, KINDS, KINDS_SHAPES, KINDS_DRIFT, FULL, LEARNED, FULL_NAB, LEARNED_NAB, EVERYTHING, EVERYTHING_MORE, LEARNED_MORE, NAIVE_MORE, USER_WHOLE, USER_WHOLE_CHANGED];

/**
 * The τ rows (tau.ts): (a)'s forecaster with its threshold from the anomalies of (b), (u-c),
 * (e) and a learned-kind condition, each the scenario of the protocol's own row of that id
 * (so each τ row sits beside the classifier row of the same data); the learned one is (d)
 * on the 15% protocol, (d-rand) — the kind with its current defaults — on the long one.
 */
const TAU_SHORT = tauConditions([['b', NAIVE], ['u', USER_WHOLE_CHANGED], ['e', EVERYTHING], ['d', LEARNED]]);
const TAU_LONG = tauConditions([['b', NAIVE], ['u', USER_WHOLE_CHANGED], ['e', EVERYTHING_LONG], ['d', LEARNED_RANDOM]]);

/**
 * The hybrid rows (hybrid.ts, H8): (a)'s forecaster with the classifier of the protocol's
 * most precise whole-generator row — (g) on the 15% protocol, (e-m5) on the long one —
 * and, as the control, with the naive classifier (b).
 */
const HYBRID_SHORT = [hybridCondition(EVERYTHING_MORE), hybridCondition(NAIVE)];
const HYBRID_LONG = [hybridCondition(EVERYTHING_CHANGE_HALF), hybridCondition(NAIVE)];

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

/** Scores a trained detector on the test rows. */
function detect(d: Detector, s: Series, rows: number[]): { scores: Float64Array; alarms: Uint8Array } {
  const scores = d.score(s.values, rows);
  return { scores, alarms: Uint8Array.from(scores, (v) => (v >= d.threshold ? 1 : 0)) };
}

/** Label noise of generated data: labelled rows within 0.1 robust sd of the clean row. */
function labelNoise(data: GeneratedData, sd: number): { labelled: number; unchanged: number } {
  let labelled = 0;
  let unchanged = 0;
  data.labels.forEach((l, j) => {
    if (!l) return;
    labelled++;
    if (Math.abs(data.values[j]! - data.clean[j]!) < 0.1 * sd) unchanged++;
  });
  return { labelled, unchanged };
}

/** What one series gives: its counts, [condition][seed], or why it was left out. */
type Outcome = { counts: SeriesCounts[][] } | { skipped: string };

/** Trains the series' VAE, or says why not when train-vae refuses it at every learning rate. */
async function modelOf(s: Series, csv: string): Promise<{ model: string } | { skipped: string }> {
  try {
    return { model: await trainModel(csv, s.cut, (m) => process.stderr.write(`${s.name}: VAE retrained, ${m}\n`)) };
  } catch (err) {
    if ((err as { code?: string }).code !== 'TRAINING_DIVERGED') throw err;
    return { skipped: `no VAE could be trained on it (${(err as Error).message.split(';')[0]})` };
  }
}

/** One series under every condition and seed. */
async function runSeries(s: Series, seeds: number, ids: readonly string[] | undefined, protocol: Protocol, dir: string): Promise<Outcome> {
  const { generated, taus, hybrids, withReal, rows: table } = conditionsOf(ids, protocol);
  const train = s.values.subarray(0, s.cut);
  const scale = robustScale(train);
  const csv = writeTrainingCsv(s, dir);
  const tail = taus.length > 0 ? writeTailCsv(s, dir) : undefined;
  const rows = testRows(s);
  const out: SeriesCounts[][] = table.map(() => []);
  const first = withReal ? 2 : 1;
  const needsModel = [...generated, ...taus.map((t) => t.of), ...hybrids.map((h) => h.of)].some((g) => g.needsModel);
  const model: { model?: string } | { skipped: string } = needsModel ? await modelOf(s, csv) : {};
  if ('skipped' in model) return { skipped: model.skipped };
  const ctx: SeriesContext = { sd: scale.scale, rows: s.cut, fileRows: s.values.length, ...model };
  for (let seed = 1; seed <= seeds; seed++) {
    const rand = seededRandom(seed * 7919 + s.values.length);
    const random = Float64Array.from(rows, () => rand());
    out[0]!.push(scoreSeries(s, random, Uint8Array.from(random, (u) => (u < NULL_RATE ? 1 : 0))));
    // (a)'s forecaster, fitted once per seed and shared by (a) and every τ row.
    const forecaster = withReal || taus.length > 0 || hybrids.length > 0 ? trainUnsupervised(train, scale, seed) : undefined;
    if (withReal) {
      const real = detect(forecaster!, s, rows);
      out[1]!.push(scoreSeries(s, real.scores, real.alarms));
    }
    // Each condition's classifier and label noise of this seed, shared by its own row and its hybrid row.
    const classifiers = new Map<string, { detector: Detector; noise: ReturnType<typeof labelNoise> }>();
    const classifier = async (g: GeneratedCondition): Promise<{ detector: Detector; noise: ReturnType<typeof labelNoise> }> => {
      const known = classifiers.get(g.id);
      if (known) return known;
      const data = await generateCondition(s, csv, g, ctx, seed);
      const made = { detector: trainSupervised(data.values, data.labels, data.period, train, scale, seed), noise: labelNoise(data, scale.scale) };
      classifiers.set(g.id, made);
      return made;
    };
    for (const [k, g] of generated.entries()) {
      const c = await classifier(g);
      const r = detect(c.detector, s, rows);
      out[first + k]!.push(scoreSeries(s, r.scores, r.alarms, c.noise));
    }
    for (const [k, h] of hybrids.entries()) {
      const c = await classifier(h.of);
      const r = detect(combineDetectors(forecaster!, c.detector, train), s, rows);
      out[first + generated.length + k]!.push(scoreSeries(s, r.scores, r.alarms, c.noise));
    }
    const tails = new Map<string, GeneratedData>(); // one generated tail per condition and seed, shared by its β rows
    const scores = taus.length > 0 ? forecaster!.score(s.values, rows) : undefined;
    for (const [k, t] of taus.entries()) {
      const data = tails.get(t.of.id) ?? (await generateTail(s, tail!, t.of, ctx, seed));
      tails.set(t.of.id, data);
      const threshold = tauThreshold(forecaster!, data, t.beta);
      out[first + generated.length + hybrids.length + k]!.push(scoreSeries(s, scores!, Uint8Array.from(scores!, (v) => (v >= threshold ? 1 : 0)), labelNoise(data, scale.scale)));
    }
  }
  return { counts: out };
}

/** The table's rows: the null (always), real-only, the generated conditions chosen, the hybrid rows, then the τ rows chosen (default: all). */
function conditionsOf(ids: readonly string[] | undefined, protocol: Protocol): { generated: GeneratedCondition[]; taus: TauCondition[]; hybrids: HybridCondition[]; withReal: boolean; rows: Array<{ id: string; title: string }> } {
  const all = protocol === 'long' ? LONG_GENERATED : GENERATED;
  const allTaus = protocol === 'long' ? TAU_LONG : TAU_SHORT;
  const generated = ids ? all.filter((g) => ids.includes(g.id)) : all;
  const taus = ids ? allTaus.filter((t) => ids.includes(t.id)) : allTaus;
  const allHybrids = protocol === 'long' ? HYBRID_LONG : HYBRID_SHORT;
  const hybrids = ids ? allHybrids.filter((h) => ids.includes(h.id)) : allHybrids;
  const withReal = !ids || ids.includes('a');
  const rows = [
    { id: 'null', title: 'random alarms (null)' },
    ...(withReal ? [{ id: 'a', title: '(a) real normal data only' }] : []),
    ...generated.map((g) => ({ id: g.id, title: g.title })),
    ...hybrids.map((h) => ({ id: h.id, title: h.title })),
    ...taus.map((t) => ({ id: t.id, title: t.title })),
  ];
  return { generated, taus, hybrids, withReal, rows };
}

interface Job {
  nabDir: string;
  name: string;
  seeds: number;
  conditions: readonly string[] | undefined;
  protocol: Protocol;
}

/** Runs the series on `jobs` worker threads, each taking the next series when free. */
async function runAll(series: Series[], options: ExperimentOptions, jobs: number): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  const queue = [...series].sort((x, y) => y.cut - x.cut); // longest training parts first
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { worker: true } });
      try {
        for (let s = queue.shift(); s; s = queue.shift()) {
          const job: Job = { nabDir: options.nabDir, name: s.name, seeds: options.seeds, conditions: options.conditions, protocol: protocolOf(options) };
          const outcome = await new Promise<Outcome>((done, fail) => {
            // One listener pair per job, both removed when either fires (a listener left per job leaks).
            const onError = (err: Error): void => {
              worker.off('message', onMessage);
              fail(err);
            };
            const onMessage = (m: Partial<Outcome> & { error?: string }): void => {
              worker.off('error', onError);
              if (m.error === undefined) done(m as Outcome);
              else fail(new Error(m.error));
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.postMessage(job);
          });
          results.set(s.name, outcome);
          const said = 'skipped' in outcome ? `left out: ${outcome.skipped}` : `point F1 ${conditionsOf(options.conditions, protocolOf(options)).rows.map((c, k) => `${c.id} ${pool(outcome.counts[k]!).f1.toFixed(2)}`).join(', ')}`;
          options.onProgress?.(`${s.name}: ${said} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}

/** Serves series jobs inside a worker thread. */
function serveJobs(): void {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-experiment-'));
  parentPort!.on('message', (job: Job) => {
    const s = seriesOf(job.nabDir, job.protocol).find((x) => x.name === job.name)!;
    runSeries(s, job.seeds, job.conditions, job.protocol, dir).then(
      (outcome) => parentPort!.postMessage(outcome),
      (err: unknown) => parentPort!.postMessage({ error: String((err as Error).stack ?? err) }),
    );
  });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}

const protocolOf = (options: ExperimentOptions): Protocol => options.protocol ?? 'short';

/** The protocol's series, each with its training cut. */
const seriesOf = (nabDir: string, protocol: Protocol): Series[] => (protocol === 'long' ? longSeries(loadNab(nabDir)) : loadNab(nabDir));

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const picked = selectSeries(seriesOf(options.nabDir, protocolOf(options)), options.series);
  const outcomes = await runAll(picked, options, options.jobs ?? 2);
  const skipped: Record<string, string> = {};
  const series: Series[] = [];
  const perSeries: SeriesCounts[][][] = [];
  for (const s of picked) {
    const o = outcomes.get(s.name)!;
    if ('skipped' in o) skipped[s.name] = o.skipped;
    else (series.push(s), perSeries.push(o.counts));
  }
  return {
    protocol: protocolOf(options),
    ...(Object.keys(skipped).length ? { skipped } : {}),
    series: series.map((s) => s.name),
    conditions: conditionsOf(options.conditions, protocolOf(options)).rows.map((c, k) => ({
      ...c,
      perSeed: Array.from({ length: options.seeds }, (_, seed) => pool(perSeries.map((x) => x[k]![seed]!))),
    })),
    perSeries: Object.fromEntries(series.map((s, i) => [s.name, perSeries[i]!])),
    seconds: (performance.now() - t0) / 1000,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const from = arg('from');
  if (from) {
    const r = combine(from.split(','), arg('except')?.split(',') ?? []);
    console.log(formatTable(r));
    console.log(`\n${r.series.length} series`);
    return;
  }
  const here = fileURLToPath(new URL('.', import.meta.url));
  const nabDir = resolve(arg('nab') ?? join(here, '../../../../shared/data/nab'));
  const pick = arg('series');
  const protocol = arg('protocol') ?? 'short';
  if (protocol !== 'short' && protocol !== 'long') throw new Error(`--protocol: expected short or long, got ${protocol}`);
  const result = await runExperiment({
    protocol,
    nabDir,
    seeds: Number(arg('seeds') ?? 5),
    jobs: Number(arg('jobs') ?? 2),
    ...(arg('conditions') === undefined ? {} : { conditions: arg('conditions')!.split(',') }),
    ...(pick === undefined ? {} : { series: /^\d+$/.test(pick) ? Number(pick) : pick.split(',') }),
    onProgress: (m) => process.stderr.write(m + '\n'),
  });
  console.log(formatTable(result));
  for (const [name, why] of Object.entries(result.skipped ?? {})) console.log(`\nleft out of every condition: ${name}: ${why}`);
  console.log(`\n${result.series.length} series, ${result.conditions[0]?.perSeed.length} seeds, ${result.seconds.toFixed(0)} s (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const json = arg('json');
  if (json) writeFileSync(json, JSON.stringify(result) + '\n');
}

if (!isMainThread) serveJobs();
else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
