/**
 * Predictions and their join with labels on the timestamp. Against per-row labels (a
 * dataset, a labels file) every metric is computed on the prediction rows in timestamp
 * order: a file out of order is put in order (stably) and the result says so. Each
 * prediction row must find a label row of its own with the same timestamp (labels may
 * cover more rows, e.g. a training part the detector was not scored on; the result counts
 * them); a prediction without one is an error, never silently dropped, since it would
 * change every metric. A timestamp repeated on several rows pairs its rows up in order
 * when both sides repeat it as often (NAB's series have such rows at clock changes); a
 * prediction row more than the labels have, or fewer prediction rows than a repeated label
 * timestamp has, cannot be paired and is refused, naming the row. `onlyLabelled` (a
 * detector run over a longer series than the labelled part) instead leaves out the
 * prediction rows without a label row, and counts them. Against windows only (NAB's
 * windows JSON), rows are scored in file order, as NAB's scorer does.
 */
import type { EvalLabels } from './evaluate.js';
import type { LabelSource } from './label-source.js';
import { TIME_COLUMNS } from './label-source.js';
import { readColumns } from './column-values.js';
import { pickColumn, readTableFile, usage } from './table-file.js';
import { windowsFromTimes } from './timestamps.js';
import { runsOf, type RowWindow } from './windows.js';
import { scoreOrder } from './score-order.js';
import { withoutScoreless } from './scoreless-rows.js';

export const SCORE_COLUMNS = ['anomaly_score', 'score', 'prediction', 'predicted', 'alarm', 'is_alarm'];

export interface PredictionSource {
  description: string;
  times: Float64Array;
  values: Float64Array;
  where(row: number): string;
}

/**
 * Timestamp and score (or 0/1) columns of a CSV or Parquet file; with `skipScoreless`, its
 * rows without a score left out and counted (`scoreless`, scoreless-rows.ts).
 */
export function readPredictions(path: string, o: { scoreColumn?: string | undefined; timeColumn?: string | undefined; skipScoreless?: boolean | undefined } = {}): PredictionSource & { scoreless: number } {
  const t = readTableFile(path, 'predictions file');
  const timeCol = pickColumn(t, o.timeColumn, TIME_COLUMNS, 'time', '--time-column');
  const scoreCol = pickColumn(t, o.scoreColumn, SCORE_COLUMNS, 'score', '--score-column');
  const { rows, arrays } = readColumns(t, [
    { name: timeCol, kind: 'time' },
    { name: scoreCol, kind: 'score', missingAllowed: o.skipScoreless === true },
  ]);
  if (rows === 0) throw usage(`${path} has no rows`);
  const { times, values, where, scoreless } = withoutScoreless(path, { times: arrays[0] as Float64Array, values: arrays[1] as Float64Array, rest: [] }, t.where);
  return { description: `${path} (column ${scoreCol})`, times, values, where, scoreless };
}

export interface Joined {
  labels: EvalLabels & { isAnomaly: Uint8Array; windows: RowWindow[] };
  /** The prediction values in the order the rows are scored (time order against per-row labels). */
  values: Float64Array;
  /** True when the predictions file was not in time order and its rows were put in order. */
  reordered: boolean;
  /** Label windows that cover none of the predicted rows (left out of every metric). */
  windowsOutside: number;
  /** Label rows without a prediction row (not scored), and how many of them are labelled anomalous. */
  labelRowsUnscored: number;
  labelledRowsUnscored: number;
  /** Prediction rows without a label row, left out (only with `onlyLabelled`; else they are refused). */
  predictionRowsUnlabelled: number;
}

/** Aligns labels to the prediction rows. */
export function joinOnTime(labels: LabelSource, preds: PredictionSource, o: { onlyLabelled?: boolean } = {}): Joined {
  let n = preds.times.length;
  let isAnomaly = new Uint8Array(n);
  let times = preds.times;
  let values = preds.values;
  let reordered = false;
  let labelRowsUnscored = 0;
  let labelledRowsUnscored = 0;
  let predictionRowsUnlabelled = 0;
  if (labels.times && labels.flags) {
    const lt = labels.times;
    const lOrder = timeOrder(lt);
    // Row k of the scored series is row pOrder[k] of the file.
    const pOrder = timeOrder(preds.times);
    reordered = pOrder.some((r, k) => r !== k);
    if (reordered) {
      times = Float64Array.from(pOrder, (r) => preds.times[r]!);
      values = Float64Array.from(pOrder, (r) => preds.values[r]!);
    }
    let missing = 0;
    // With onlyLabelled, which scored rows (time order) have no label row, to be left out.
    const unlabelled = o.onlyLabelled ? new Uint8Array(n) : undefined;
    let first = -1;
    let matchedRows = 0;
    let matchedLabelled = 0;
    for (let k = 0, j = 0; k < n; ) {
      const t = times[k]!;
      let k2 = k + 1;
      while (k2 < n && times[k2] === t) k2++;
      while (j < lt.length && lt[lOrder[j]!]! < t) j++;
      let j2 = j;
      while (j2 < lt.length && lt[lOrder[j2]!] === t) j2++;
      const predRows = k2 - k;
      const labelRows = j2 - j;
      if (labelRows === 0) {
        missing += predRows;
        unlabelled?.fill(1, k, k2);
        for (let q = k; q < k2; q++) if (first < 0 || pOrder[q]! < first) first = pOrder[q]!;
      } else if (predRows > labelRows) {
        const extra = [...pOrder.subarray(k, k2)].sort((a, b) => a - b);
        // A few rows named, not thousands (a file of dates against a timeline of minutes repeats each date all day).
        const shown = extra.slice(0, 5).map((r) => preds.where(r)).join(', ') + (extra.length > 5 ? `, and ${extra.length - 5} more` : '');
        throw usage(`${preds.where(extra[labelRows]!)}: timestamp ${iso(t)} is on ${predRows} prediction rows (${shown}) but on ${labelRows} label row${labelRows === 1 ? '' : 's'}; each prediction row needs a label row of its own (a repeated row?)`);
      } else if (predRows < labelRows && labelRows > 1) {
        throw usage(`${preds.where(pOrder[k]!)}: timestamp ${iso(t)} is on ${labelRows} label rows but ${predRows} prediction row${predRows === 1 ? '' : 's'}; which label row ${predRows === 1 ? 'it scores' : 'they score'} against cannot be told: give the predictions a row for each`);
      } else {
        for (let q = 0; q < predRows; q++) {
          const f = labels.flags[lOrder[j + q]!]!;
          isAnomaly[k + q] = f;
          matchedLabelled += f;
        }
        matchedRows += predRows;
      }
      k = k2;
      j = j2;
    }
    if (missing > 0) {
      const span = lt.length > 0 ? `labels run from ${iso(lt[lOrder[0]!]!)} to ${iso(lt[lOrder[lt.length - 1]!]!)}` : 'the labels have no rows';
      const hint = unitHint(lt[lOrder[0]!], preds.times[first]!);
      if (!o.onlyLabelled || missing === n) {
        // Only where some rows do match: with none, the option could not help.
        const only = o.onlyLabelled || hint !== '' || missing === n ? '' : '; to score only the rows the labels cover (a detector run over a longer series than the labelled part), pass --only-labelled';
        throw usage(`${missing} of ${n} prediction rows have no label row with the same timestamp (first: ${preds.where(first)}, ${iso(preds.times[first]!)}); ${span}. Timestamps must match exactly${hint}${only}`);
      }
      // The rows kept are those matched above, in the same (time) order.
      const kept = n - missing;
      const pick = <T extends Float64Array | Uint8Array>(a: T, into: T): T => {
        for (let k = 0, i = 0; k < n; k++) if (!unlabelled![k]) into[i++] = a[k]!;
        return into;
      };
      times = pick(times, new Float64Array(kept));
      values = pick(values, new Float64Array(kept));
      isAnomaly = pick(isAnomaly, new Uint8Array(kept));
      n = kept;
      predictionRowsUnlabelled = missing;
    }
    let labelled = 0;
    for (let i = 0; i < labels.flags.length; i++) labelled += labels.flags[i]!;
    labelRowsUnscored = lt.length - matchedRows;
    labelledRowsUnscored = labelled - matchedLabelled;
  }
  const rest = { values, reordered, labelRowsUnscored, labelledRowsUnscored, predictionRowsUnlabelled };
  if (!labels.intervals) return { labels: { isAnomaly, windows: runsOf(isAnomaly) }, windowsOutside: 0, ...rest };
  const mapped = windowsFromTimes(times, labels.intervals);
  if (!reordered && predictionRowsUnlabelled === 0) outOfOrderInWindow(times, labels.intervals, mapped, preds);
  const windows = mapped.filter((w): w is RowWindow => w !== null);
  if (windows.length === 0) windowsInAnotherUnit(times, labels.intervals);
  // A windows-only source labels exactly the rows inside its windows.
  if (!labels.flags) for (const w of windows) isAnomaly.fill(1, w.start, w.end + 1);
  return { labels: { isAnomaly, windows }, windowsOutside: mapped.length - windows.length, ...rest };
}

/**
 * Rows scored in file order (windows-only labels) must give each window a stretch of rows
 * inside it: a row out of time order within a window's rows would be scored as part of
 * the window without being in it.
 */
function outOfOrderInWindow(times: Float64Array, intervals: ReadonlyArray<readonly [number, number]>, mapped: ReadonlyArray<RowWindow | null>, preds: PredictionSource): void {
  mapped.forEach((w, k) => {
    if (!w) return;
    const [from, to] = intervals[k]!;
    for (let i = w.start; i <= w.end; i++) {
      if (times[i]! < from || times[i]! > to) {
        throw usage(`${preds.where(i)}: ${iso(times[i]!)} lies among the rows of label window ${k} [${iso(from)}, ${iso(to)}] (${preds.where(w.start)} to ${preds.where(w.end)}) but outside it: the predictions are not in time order, and windows are scored on rows in file order. Sort the predictions file by timestamp`);
      }
    }
  });
}
/** Row indices in ascending time, ties in row order; the identity for sorted times. */
function timeOrder(times: Float64Array): Uint32Array {
  for (let i = 1; i < times.length; i++) {
    // Ascending time is descending negated time, and the ranking keeps ties in row order.
    if (times[i]! < times[i - 1]!) return scoreOrder(times.map((t) => -t)).order;
  }
  const order = new Uint32Array(times.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order;
}

/**
 * An ISO date for epoch milliseconds; numbers outside the date range as they are. A time
 * between two milliseconds keeps its fraction (`…00.000400Z`): cut to the millisecond it
 * would print as the very label time it failed to match.
 */
function iso(t: number): string {
  if (!(Math.abs(t) < 8.64e15)) return String(t);
  const ms = Math.floor(t);
  const text = new Date(ms).toISOString();
  const fraction = t - ms;
  if (fraction === 0) return text;
  // Doubles near today's epoch milliseconds hold about a quarter of a microsecond, so
  // microseconds are exact; a fraction below half of one still needs its nanoseconds shown.
  const micro = Math.round(fraction * 1e3);
  const digits = micro > 0 && micro < 1000 ? String(micro).padStart(3, '0') : String(Math.min(Math.max(Math.round(fraction * 1e6), 1), 999_999)).padStart(6, '0');
  return `${text.slice(0, -1)}${digits.replace(/0+$/, '')}Z`;
}

/**
 * Refuses predictions that no label window covers when their times are a power of 1,000
 * away from the windows' (epoch seconds read as milliseconds): scored, every window would
 * be left out and every metric empty, with exit 0.
 */
function windowsInAnotherUnit(times: Float64Array, intervals: ReadonlyArray<readonly [number, number]>): void {
  if (intervals.length === 0 || times.length === 0) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < times.length; i++) {
    lo = Math.min(lo, times[i]!);
    hi = Math.max(hi, times[i]!);
  }
  const hint = unitHint(intervals[0]![0], lo);
  if (hint === '') return;
  throw usage(`no label window covers a prediction row: the predictions run from ${iso(lo)} to ${iso(hi)}, the ${intervals.length} window${intervals.length === 1 ? '' : 's'} from ${iso(intervals[0]![0])} to ${iso(intervals[intervals.length - 1]![1])}${hint}`);
}

/**
 * A note when two times differ by a factor of a thousand, a million or a billion: one file
 * holds epoch numbers in another unit than the other (numbers are read as milliseconds).
 */
function unitHint(label: number | undefined, prediction: number): string {
  if (label === undefined || !(label > 0) || !(prediction > 0)) return '';
  const decades = Math.log10(label / prediction);
  const k = Math.round(decades / 3) * 3;
  if (k === 0 || Math.abs(k) > 9 || Math.abs(decades - k) > 0.5) return '';
  return ` (the labels' times are about 1e${k} times the predictions': numbers are read as milliseconds since the epoch, so one file's epoch numbers are in another unit; convert them or write ISO 8601 text)`;
}
