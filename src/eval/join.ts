/**
 * Predictions and their join with labels on the timestamp. Rows keep their order (real
 * series are not always in time order); rows that repeat a timestamp pair up in order
 * with the label rows of that timestamp. Every prediction row must
 * find a label row with the same timestamp (labels may cover more rows, e.g. a training
 * part the detector was not scored on); a prediction without a label is an error, never
 * silently dropped, since it would change every metric.
 */
import type { EvalLabels } from './evaluate.js';
import type { LabelSource } from './label-source.js';
import { TIME_COLUMNS, timesOf } from './label-source.js';
import { cellNumber, pickColumn, readTableFile, usage } from './table-file.js';
import { windowsFromTimes } from './timestamps.js';
import { runsOf, type RowWindow } from './windows.js';

const SCORE_COLUMNS = ['anomaly_score', 'score', 'prediction', 'predicted', 'alarm', 'is_alarm'];

export interface PredictionSource {
  description: string;
  times: Float64Array;
  values: Float64Array;
  where(row: number): string;
}

/** Timestamp and score (or 0/1) columns of a CSV or Parquet file. */
export function readPredictions(path: string, o: { scoreColumn?: string | undefined; timeColumn?: string | undefined } = {}): PredictionSource {
  const t = readTableFile(path, 'predictions file');
  const timeCol = pickColumn(t, o.timeColumn, TIME_COLUMNS, 'time', '--time-column');
  const scoreCol = pickColumn(t, o.scoreColumn, SCORE_COLUMNS, 'score', '--score-column');
  const times = timesOf(t, timeCol);
  const cells = t.cells(scoreCol);
  const values = new Float64Array(t.rows);
  for (let i = 0; i < t.rows; i++) {
    const v = cellNumber(cells[i]);
    if (!Number.isFinite(v)) throw usage(`${t.where(i)}: '${String(cells[i])}' in score column '${scoreCol}' is not a number`);
    values[i] = v;
  }
  if (t.rows === 0) throw usage(`${path} has no rows`);
  return { description: `${path} (column ${scoreCol})`, times, values, where: t.where };
}

export interface Joined {
  labels: EvalLabels & { isAnomaly: Uint8Array; windows: RowWindow[] };
  /** Label windows that cover none of the predicted rows (left out of every metric). */
  windowsOutside: number;
}

/** Aligns labels to the prediction rows. */
export function joinOnTime(labels: LabelSource, preds: PredictionSource): Joined {
  const n = preds.times.length;
  const isAnomaly = new Uint8Array(n);
  if (labels.times && labels.flags) {
    const lt = labels.times;
    const lOrder = timeOrder(lt);
    const pOrder = timeOrder(preds.times);
    let missing = 0;
    let first = -1;
    for (let k = 0, j = 0; k < n; k++) {
      const i = pOrder[k]!;
      const t = preds.times[i]!;
      while (j < lt.length && lt[lOrder[j]!]! < t) j++;
      if (j < lt.length && lt[lOrder[j]!] === t) {
        isAnomaly[i] = labels.flags[lOrder[j]!]!;
        // Repeated timestamps (real data has them, e.g. at a clock change) pair up in order.
        if (lt[lOrder[j + 1]!] === t) j++;
      } else if (missing++ === 0 || i < first) first = i;
    }
    if (missing > 0) {
      const span = lt.length > 0 ? `labels run from ${iso(lt[lOrder[0]!]!)} to ${iso(lt[lOrder[lt.length - 1]!]!)}` : 'the labels have no rows';
      throw usage(`${missing} of ${n} prediction rows have no label row with the same timestamp (first: ${preds.where(first)}, ${iso(preds.times[first]!)}); ${span}. Timestamps must match exactly${unitHint(lt[lOrder[0]!], preds.times[first]!)}`);
    }
  }
  if (!labels.intervals) return { labels: { isAnomaly, windows: runsOf(isAnomaly) }, windowsOutside: 0 };
  const mapped = windowsFromTimes(preds.times, labels.intervals);
  const windows = mapped.filter((w): w is RowWindow => w !== null);
  // A windows-only source labels exactly the rows inside its windows.
  if (!labels.flags) for (const w of windows) isAnomaly.fill(1, w.start, w.end + 1);
  return { labels: { isAnomaly, windows }, windowsOutside: mapped.length - windows.length };
}

/** Row indices in ascending time, ties in row order; the identity for sorted times. */
function timeOrder(times: Float64Array): Uint32Array {
  const order = new Uint32Array(times.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return order.sort((a, b) => times[a]! - times[b]! || a - b);
  return order;
}

/** An ISO date for epoch milliseconds; numbers outside the date range as they are. */
function iso(t: number): string {
  return Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
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
