/**
 * The NAB series the experiment runs on: values, per-row labels from the combined label
 * windows, and the training cut (the first 15% of rows, ended before the first window so
 * no labelled anomaly is ever trained on).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One labelled NAB series, split into a training prefix and a test suffix. */
export interface Series {
  /** Relative name as in NAB's label files, e.g. `realKnownCause/nyc_taxi.csv`. */
  name: string;
  timestamps: string[];
  values: Float64Array;
  /** 1 inside a labelled window. */
  labels: Uint8Array;
  /** Labelled windows as [first, last] row indices (inclusive). */
  windows: Array<[number, number]>;
  /** Rows [0, cut) train, rows [cut, n) are scored. */
  cut: number;
  /** Timeline step in milliseconds (the median spacing). */
  stepMs: number;
}

/** Share of each series used for training, as in NAB's probationary period. */
export const TRAIN_SHARE = 0.15;

function parseCsv(text: string): { timestamps: string[]; values: Float64Array } {
  const lines = text.trim().split(/\r?\n/).slice(1);
  const timestamps: string[] = [];
  const values = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const comma = line.indexOf(',');
    timestamps.push(line.slice(0, comma));
    values[i] = Number(line.slice(comma + 1));
  });
  return { timestamps, values };
}

const toMs = (t: string): number => Date.parse(t.replace(' ', 'T').slice(0, 19) + 'Z');

/** Loads every series of `nabDir` that has at least one labelled window, sorted by name. */
export function loadNab(nabDir: string): Series[] {
  const windows = JSON.parse(readFileSync(join(nabDir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const out: Series[] = [];
  for (const category of readdirSync(join(nabDir, 'data')).sort()) {
    for (const file of readdirSync(join(nabDir, 'data', category)).sort()) {
      const name = `${category}/${file}`;
      const spans = windows[name] ?? [];
      if (spans.length === 0) continue;
      const { timestamps, values } = parseCsv(readFileSync(join(nabDir, 'data', category, file), 'utf8'));
      const ms = timestamps.map(toMs);
      const labels = new Uint8Array(values.length);
      const rows: Array<[number, number]> = [];
      for (const [a, b] of spans) {
        const from = toMs(a);
        const to = toMs(b);
        let first = -1;
        let last = -1;
        ms.forEach((t, i) => {
          if (t >= from && t <= to) {
            labels[i] = 1;
            if (first < 0) first = i;
            last = i;
          }
        });
        if (first >= 0) rows.push([first, last]);
      }
      const firstWindow = rows.length > 0 ? Math.min(...rows.map((r) => r[0])) : values.length;
      const steps = ms.slice(1).map((t, i) => t - ms[i]!).sort((x, y) => x - y);
      out.push({
        name,
        timestamps,
        values,
        labels,
        windows: rows,
        cut: Math.min(Math.floor(TRAIN_SHARE * values.length), firstWindow),
        stepMs: steps[steps.length >> 1]!,
      });
    }
  }
  return out;
}

/** The p-quantile of sorted values (linear interpolation). */
export function sortedQuantile(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (h - lo);
}

/** Median and a robust sd (1.4826·MAD, then IQR/1.349, then sd, then 1 when all are 0). */
export function robustScale(x: ArrayLike<number>): { centre: number; scale: number } {
  const s = Float64Array.from(x).sort();
  const q = (p: number): number => sortedQuantile(s, p);
  const centre = q(0.5);
  const dev = Float64Array.from(s, (v) => Math.abs(v - centre)).sort();
  const mad = 1.4826 * dev[dev.length >> 1]!;
  const iqr = (q(0.75) - q(0.25)) / 1.349;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  const scale = [mad, iqr, sd].find((v) => v > 1e-12 * Math.max(1, Math.abs(centre))) ?? 1;
  return { centre, scale };
}
