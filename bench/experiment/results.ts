/**
 * The experiment's results: the saved form of a run (what `--json` writes), the Markdown
 * table the README and docs/usefulness.md show, and several saved runs over the same
 * series combined into one table (`run.js --from`).
 */
import { readFileSync } from 'node:fs';
import { pool, type Scores, type SeriesCounts } from './score.js';

/** One row of the result table: a condition's metrics, one entry per seed. */
export interface ConditionResult {
  id: string;
  title: string;
  perSeed: Scores[];
}

export type Protocol = 'short' | 'long';

export interface ExperimentResult {
  /** Absent in runs saved before the long protocol existed: `short`. */
  protocol?: Protocol;
  series: string[];
  conditions: ConditionResult[];
  /** Raw counts per series, [condition][seed], in the order of `conditions`. */
  perSeries: Record<string, SeriesCounts[][]>;
  /** Series left out of every condition, with why (no VAE could be trained on them). */
  skipped?: Record<string, string>;
  seconds: number;
}

function meanSd(x: number[]): string {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1)) : 0;
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
}

/** The result as a Markdown table: one row per condition, mean ± sd over seeds. */
export function formatTable(r: ExperimentResult): string {
  // The long protocol adds point precision and recall: the figures a user's own benchmark reports.
  const long = r.protocol === 'long';
  const lines = [
    `| condition | point F1 |${long ? ' point precision | point recall |' : ''} event precision | windows found | NAB standard | NAB standard, run onsets | ROC-AUC | alarm rate | unchanged labelled rows |`,
    `|---|---|---|---|---|---|---|---|---|${long ? '---|---|' : ''}`,
  ];
  for (const c of r.conditions) {
    const p = c.perSeed;
    const windows = p[0]?.windows ?? 0;
    const pr = long ? ` ${meanSd(p.map((s) => s.precision))} | ${meanSd(p.map((s) => s.recall))} |` : '';
    lines.push(`| ${c.title} | ${meanSd(p.map((s) => s.f1))} |${pr} ${meanSd(p.map((s) => s.eventPrecision))} | ${meanSd(p.map((s) => s.windowsFound))} of ${windows} | ${meanSd(p.map((s) => s.nab))} | ${meanSd(p.map((s) => s.nabOnsets))} | ${meanSd(p.map((s) => s.auc))} | ${meanSd(p.map((s) => s.alarmRate))} | ${Number.isFinite(p[0]!.unchanged) ? meanSd(p.map((s) => s.unchanged)) : '–'} |`);
  }
  lines.push('', ...winCounts(r));
  return lines.join('\n');
}

/** Per series (seed means of point F1): how often each generated, hybrid or τ condition beats (a), (b), (b7), (b-τ) and (b+a), those of them that ran. */
function winCounts(r: ExperimentResult): string[] {
  const ids = r.conditions.map((c) => c.id);
  const f1 = (name: string, k: number): number => pool(r.perSeries[name]![k]!).f1;
  const out: string[] = [];
  for (const [k, c] of r.conditions.entries()) {
    if (c.id === 'null' || c.id === 'a') continue;
    const beats = (other: string): string => {
      const j = ids.indexOf(other);
      return j < 0 || j === k ? '' : `${r.series.filter((n) => f1(n, k) > f1(n, j)).length} of ${r.series.length} series beat ${r.conditions[j]!.title.split(' ')[0]}`;
    };
    const wins = [beats('a'), beats('b'), beats('b7'), beats('b-tau'), beats('b+a')].filter(Boolean);
    if (wins.length) out.push(`${c.title}: point F1 (seed mean) ${wins.join(', ')}`);
  }
  return out;
}

/** Re-renders saved results (--json files of runs over the same series), the union of their conditions, without the series in `except` (re-pooled). */
export function combine(files: readonly string[], except: readonly string[] = []): ExperimentResult {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ExperimentResult);
  const first = runs[0]!;
  const conditions: ConditionResult[] = [];
  const perSeries: Record<string, SeriesCounts[][]> = Object.fromEntries(first.series.map((n) => [n, []]));
  for (const run of runs) {
    if (run.series.join() !== first.series.join()) throw new Error('saved runs cover different series');
    run.conditions.forEach((c, k) => {
      if (conditions.some((x) => x.id === c.id)) return;
      conditions.push(c);
      for (const n of run.series) perSeries[n]!.push(run.perSeries[n]![k]!);
    });
  }
  if (runs.some((x) => (x.protocol ?? 'short') !== (first.protocol ?? 'short'))) throw new Error('saved runs follow different protocols');
  const result: ExperimentResult = { ...(first.protocol ? { protocol: first.protocol } : {}), series: first.series, conditions, perSeries, seconds: runs.reduce((a, x) => a + x.seconds, 0) };
  if (except.length === 0) return result;
  for (const n of except) if (!first.series.includes(n)) throw new Error(`--except: no series ${n} in the saved runs`);
  const kept = first.series.filter((n) => !except.includes(n));
  return {
    ...result,
    series: kept,
    conditions: conditions.map((c, k) => ({ ...c, perSeed: c.perSeed.map((_, seed) => pool(kept.map((n) => perSeries[n]![k]![seed]!))) })),
    perSeries: Object.fromEntries(kept.map((n) => [n, perSeries[n]!])),
  };
}
