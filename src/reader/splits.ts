/**
 * `splits` (and `generate --splits`): how long the training and test stretches are. A
 * length is a row count (an integer ≥ 1), a fraction of the timeline's rows (a number
 * between 0 and 1) or a duration at the timeline's step ("7d"); `test` defaults to the rest.
 */
import { ParanomError } from '../errors.js';
import { Checker, describe, join } from '../model/checker.js';
import { parseDurationMs } from '../model/units.js';
import type { SplitLength, Splits, Timeline } from '../model/types.js';

function checkLength(c: Checker, raw: unknown, path: string, stepMs: number | undefined): SplitLength | undefined {
  if (typeof raw === 'number' && raw > 0 && raw < 1) return { fraction: raw };
  if (typeof raw === 'number') {
    const rows = c.number(raw, path, { integer: true, ge: 1 });
    return rows === undefined ? undefined : { rows };
  }
  const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
  if (ms === undefined) return c.fail(path, `expected a row count, a fraction of the timeline (such as 0.7) or a duration (such as "7d"), got ${describe(raw)}`);
  if (stepMs === undefined) return undefined;
  const rows = Math.round(ms / stepMs);
  if (rows < 1) return c.fail(path, `${String(raw)} is shorter than one step of the timeline`);
  return { rows };
}

/** Rows a length stands for on a timeline of `total` rows (a fraction rounds, keeping at least one row). */
export function lengthRows(l: SplitLength, total: number): number {
  return 'rows' in l ? l.rows : Math.max(1, Math.round(l.fraction * total));
}

/** Checks `splits`: { train, test? } against the timeline. */
export function checkSplits(c: Checker, raw: unknown, timeline: Timeline | undefined, path = 'splits'): Splits | undefined {
  const o = c.object(raw, path);
  if (!o) return undefined;
  c.keys(o, path, ['train', 'test']);
  if (o['train'] === undefined) return c.fail(join(path, 'train'), 'required: the training stretch, as rows, a fraction of the timeline (0.7) or a duration ("7d")');
  const train = checkLength(c, o['train'], join(path, 'train'), timeline?.stepMs);
  const test = o['test'] === undefined ? null : checkLength(c, o['test'], join(path, 'test'), timeline?.stepMs);
  if (!train || test === undefined) return undefined;
  const splits = { train, test };
  if (timeline) {
    const problem = splitProblem(splits, timeline.rows);
    if (problem) return c.fail(path, problem);
  }
  return splits;
}

/**
 * Why a scenario's events cannot be cut into splits, or undefined: an exact `count` of
 * anomalies or of a fleet's outages is spread over the whole timeline, so the events of a
 * split generated alone would not be those of one run over the whole.
 */
export function splitsPlacementProblem(anomalies: 'none' | 'frequency' | 'count', outages: 'frequency' | 'count' | undefined): string | undefined {
  if (anomalies === 'count') return "needs anomalies placed by 'frequency': 'count' spreads its events over the whole timeline, so train and test would not be parts of one series";
  if (outages === 'count') return "needs outages placed by 'frequency': 'anomalies.outages.count' spreads its outages over the whole timeline, so train and test would not be parts of one series";
  return undefined;
}

/** Why the splits do not fit a timeline of `total` rows, or undefined when they do. */
export function splitProblem(s: Splits, total: number): string | undefined {
  const train = lengthRows(s.train, total);
  const test = s.test ? lengthRows(s.test, total) : total - train;
  if (train + test > total || test < 1) return `train (${train.toLocaleString('en-US')} rows) and test (${s.test ? `${test.toLocaleString('en-US')} rows` : 'the rest'}) need more than the timeline's ${total.toLocaleString('en-US')} rows`;
  return undefined;
}

/**
 * Why a split length written as `text` (its value `value`) is ambiguous, or undefined. A
 * whole number is a row count, so `1.0` would be one row where its writer almost surely
 * meant the whole timeline (and `2.0` two rows, not 200%): a decimal point on a whole
 * number is refused rather than guessed.
 */
export function pointedRowCountProblem(text: string, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || !text.includes('.')) return undefined;
  return `${text} would be ${value.toLocaleString('en-US')} row${value === 1 ? '' : 's'}: a whole number is a row count; write a fraction below 1 (such as 0.7) for a part of the timeline, or ${value} without the decimal point for a row count`;
}

/** `generate --splits [TRAIN]`: the training length as the scenario would give it (test: the rest). */
export function parseSplitsOption(text: string, timeline: Timeline): Splits {
  const c = new Checker();
  const raw = /^[0-9.eE+-]+$/.test(text.trim()) ? Number(text) : text.trim();
  const pointed = pointedRowCountProblem(text.trim(), raw);
  if (pointed) throw new ParanomError('USAGE', `--splits: ${pointed}`);
  const splits = checkSplits(c, { train: raw }, timeline, '--splits');
  if (!splits) throw new ParanomError('USAGE', c.issues.map((i) => `${i.path.replace('--splits.train', '--splits')}: ${i.message}`).join('; '));
  return splits;
}
