/**
 * `evaluateFleet`: every metric of `paranom eval` over a fleet's entities as one corpus.
 * The entities' rows lie one after another (fleet-join.ts); one threshold serves them all.
 *
 * - point: the confusion counts of every row, which are the entities' counts summed;
 * - event: each entity's windows found and alarm runs counted within the entity (a run
 *   never spans two), the counts summed, recall and precision from the sums;
 * - range (Tatbul et al.): each entity's real ranges and alarm runs rewarded within the
 *   entity, the rewards summed: recall is the mean reward over every real range of the
 *   fleet, precision over every alarm run, as the reference evaluator's means over one
 *   list of ranges holding every entity's;
 * - NAB: the entities are a corpus of series, as NAB's data files are: each scored alone
 *   (its own probationary rows), scores and counts summed and normalised over the corpus,
 *   the best threshold of each profile swept over all rows at once;
 * - ROC-AUC, average precision and the best point-Fβ threshold: over all rows pooled.
 */
import { prepare, type EvalOptions, type EvalPredictions, type EvalResult } from './evaluate.js';
import { eventScores, type EventScores } from './event.js';
import { NAB_PROFILE_NAMES, NAB_PROFILES, nabCorpusScore, nabProbationRows, nabSweepProfiles, type NabProfileName, type NabResult, type NabSeries } from './nab.js';
import { confusion, pointScores, type PointScores } from './point.js';
import { rangeRewardsOfAlarms, rangeScoresOfRewards } from './range.js';
import { rankingScores } from './ranking.js';
import type { RowWindow } from './windows.js';

/** One entity of the corpus: its rows [start, start + rows) and its windows as rows of its own (sorted, disjoint). */
export interface FleetEntity {
  name: string;
  start: number;
  rows: number;
  windows: readonly RowWindow[];
}

/** One entity's point and event figures at the fleet's threshold. */
export interface EntityScores {
  entity: string;
  rows: number;
  labelled_rows: number;
  windows: number;
  point: PointScores;
  event: EventScores;
}

/** What `evaluateFleet` returns: the fleet's figures, how many entities they cover, and (asked for) each entity's. */
export interface FleetEvalResult extends EvalResult {
  entities: number;
  per_entity?: EntityScores[];
}

/**
 * Scores a fleet: `isAnomaly` and `predictions` hold every entity's rows one after another,
 * as `entities` lays them out. `perEntity` adds each entity's point and event figures.
 */
export function evaluateFleet(isAnomaly: ArrayLike<number | boolean>, predictions: EvalPredictions, entities: readonly FleetEntity[], options: EvalOptions = {}, perEntity = false): FleetEvalResult {
  const windows = entities.flatMap((e) => e.windows.map((w) => ({ start: e.start + w.start, end: e.start + w.end })));
  const p = prepare({ isAnomaly, windows }, predictions, options);
  const n = p.flags.length;
  const values = p.values instanceof Float64Array ? p.values : Float64Array.from(p.values);
  const flags = p.flags;
  const c = confusion(flags, p.alarms);
  const event = { windows: 0, found: 0, alarm_runs: 0, true_runs: 0 };
  const range = { recallSum: 0, realRanges: 0, precisionSum: 0, alarmRuns: 0 };
  const corpus: NabSeries[] = [];
  const each: EntityScores[] = [];
  let probationRows = 0;
  for (const e of entities) {
    const alarms = p.alarms.subarray(e.start, e.start + e.rows);
    const ev = eventScores(e.windows, alarms, p.tolerance, p.gap);
    event.windows += ev.windows;
    event.found += ev.found;
    event.alarm_runs += ev.alarm_runs;
    event.true_runs += ev.true_runs;
    const r = rangeRewardsOfAlarms(e.windows, alarms, options.range);
    range.recallSum += r.recallSum;
    range.realRanges += r.realRanges;
    range.precisionSum += r.precisionSum;
    range.alarmRuns += r.alarmRuns;
    corpus.push({ scores: values.subarray(e.start, e.start + e.rows), windows: e.windows, probationPercent: p.probationPercent });
    probationRows += Math.min(e.rows, Math.ceil(nabProbationRows(e.rows, p.probationPercent)));
    if (perEntity) {
      const ce = confusion(sliceOf(flags, e), alarms);
      each.push({ entity: e.name, rows: e.rows, labelled_rows: ce.tp + ce.fn, windows: e.windows.length, point: pointScores(ce, p.beta), event: ev });
    }
  }
  const costs = NAB_PROFILE_NAMES.map((q) => NAB_PROFILES[q]);
  const nab = p.nabMode === 'sweep' ? nabSweepProfiles(corpus, costs, p.ranked ?? undefined) : costs.map((cost) => nabCorpusScore(corpus, p.threshold, cost));
  const raw = {} as Record<NabProfileName, NabResult>;
  NAB_PROFILE_NAMES.forEach((q, k) => (raw[q] = nab[k]!.best));
  const ranking = p.alarmsOnly || !p.ranked ? null : rankingScores(p.ranked, values);
  return {
    rows: n,
    labelled_rows: c.tp + c.fn,
    windows: windows.length,
    threshold: p.threshold,
    threshold_mode: p.mode,
    point: pointScores(c, p.beta),
    event: {
      windows: event.windows,
      found: event.found,
      recall: event.windows > 0 ? event.found / event.windows : null,
      alarm_runs: event.alarm_runs,
      true_runs: event.true_runs,
      precision: event.alarm_runs > 0 ? event.true_runs / event.alarm_runs : null,
      tolerance: p.tolerance,
      gap: p.gap,
    },
    range: rangeScoresOfRewards(range, options.range),
    nab: {
      standard: raw.standard.normalised,
      reward_low_FP: raw.reward_low_FP.normalised,
      reward_low_FN: raw.reward_low_FN.normalised,
      raw,
      probation_rows: probationRows,
    },
    roc_auc: ranking ? ranking.rocAuc : null,
    average_precision: ranking ? ranking.averagePrecision : null,
    entities: entities.length,
    ...(perEntity ? { per_entity: each } : {}),
  };
}

function sliceOf(flags: ArrayLike<number | boolean>, e: FleetEntity): ArrayLike<number | boolean> {
  if (flags instanceof Uint8Array) return flags.subarray(e.start, e.start + e.rows);
  return Array.prototype.slice.call(flags, e.start, e.start + e.rows) as Array<number | boolean>;
}
