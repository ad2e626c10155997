/**
 * Gaps in a training file's times. train-vae learns windows of consecutive rows as
 * stretches of the series; a window across a gap (a missing day of a 5-minute series)
 * would teach the model a jump from before the gap to after it as if it were five minutes,
 * a change the series never makes. So the gaps are found, named, and by default no
 * window spans one (`--gaps span` trains across them, as before).
 *
 * The series' step is the median of its positive time differences; a gap is a difference
 * of more than 1.5 steps (at least one whole row missing). Equal times (rounded stamps) and
 * cells that are no time are no gaps; a file without a time column has none to find. Rows
 * whose cell is no time are measured across: from the time before them to the one after,
 * k rows on, a gap is more than k + 0.5 steps, and where in those rows it lies is not
 * known, so no window may join any two of them (a row `--missing skip` left out beside one).
 */
import type { SeriesTimes } from './time-order.js';

export interface Gap {
  /** The first row after the gap. */
  row: number;
  /** With rows whose cell is no time before `row`: the first of them (the gap lies somewhere from it to `row`). */
  first?: number;
  /** The times either side of it. */
  from: number;
  to: number;
}

export interface Gaps {
  /** The median spacing of the times. */
  step: number;
  /** In order of rows. */
  gaps: Gap[];
}

/** The gaps of `times`, or null when it has fewer than two times to measure a step by. */
export function findGaps(times: SeriesTimes): Gaps | null {
  const t = times.at;
  const diffs: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const d = t[i]! - t[i - 1]!;
    if (d > 0) diffs.push(d);
  }
  if (diffs.length === 0) return null;
  diffs.sort((a, b) => a - b);
  const mid = diffs.length >> 1;
  const step = diffs.length % 2 ? diffs[mid]! : (diffs[mid - 1]! + diffs[mid]!) / 2;
  const gaps: Gap[] = [];
  let last = -1;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]!)) continue;
    const k = i - last;
    if (last >= 0 && t[i]! - t[last]! > (k + 0.5) * step) gaps.push({ row: i, from: t[last]!, to: t[i]!, ...(k > 1 ? { first: last + 1 } : {}) });
    last = i;
  }
  return { step, gaps };
}

/**
 * Model rows `b` such that no window may hold both b − 1 and b, for blocks of `f` rows
 * (downsample.ts): a gap between blocks breaks there; one inside a block breaks before and
 * after it, since its mean mixes both sides.
 */
export function modelBreaks(gaps: readonly Gap[], f: number): number[] {
  const out = new Set<number>();
  for (const g of gaps) {
    for (let row = g.first ?? g.row; row <= g.row; row++) {
      if (row % f === 0) out.add(row / f);
      else {
        out.add(Math.floor(row / f));
        out.add(Math.floor(row / f) + 1);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

const PARTS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/** A span of the time column, in its own terms: a duration for instants ("1d 5m"), a number of its units otherwise. */
function spell(ms: number, instants: boolean): string {
  if (!instants) return String(ms);
  const out: string[] = [];
  let rest = ms;
  for (const [unit, size] of PARTS) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0 || out.length === 0) out.push(`${Number(rest.toFixed(3))}ms`);
  return out.join(' ');
}

const at = (t: number, instants: boolean) => (instants ? new Date(t).toISOString() : String(t));

/**
 * What a note says of the gaps: how many, the largest (up to `show`, each with its times,
 * its length and about how many rows are missing), and the step they are measured against.
 */
export function describeGaps(g: Gaps, times: SeriesTimes, show = 3): string {
  const { instants } = times;
  const largest = [...g.gaps].sort((a, b) => b.to - b.from - (a.to - a.from) || a.row - b.row).slice(0, show);
  const missing = (x: Gap) => Math.round((x.to - x.from) / g.step) - (x.row - (x.first ?? x.row) + 1);
  const one = (x: Gap) => `${at(x.from, instants)} to ${at(x.to, instants)} (${spell(x.to - x.from, instants)}, about ${missing(x)} row${missing(x) === 1 ? '' : 's'} missing)`;
  const n = g.gaps.length;
  return `${n} gap${n === 1 ? '' : 's'} in its '${times.column}' times (step ${spell(g.step, instants)}): ${largest.map(one).join('; ')}${n > show ? `; and ${n - show} more` : ''}`;
}
