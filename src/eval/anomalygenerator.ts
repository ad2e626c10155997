/**
 * AnomalyGenerator's evaluation input (`geneval.py -t eval`): JSON with `targets` and
 * `candidates` (one 0/1 list per series, index-aligned) and `range` (the tolerance in
 * rows). Each series is scored with every paranom metric, tolerance = range, and with
 * AnomalyGenerator's own counting method so results can be compared side by side.
 */
import { evaluate, type EvalOptions, type EvalResult } from './evaluate.js';
import { usage } from './table-file.js';

export interface AnomalyGeneratorInput {
  targets: number[][];
  candidates: number[][];
  range: number;
}

/** AnomalyGenerator's counting method: a target row is matched exactly, or within ±range. */
export interface AnomalyGeneratorCounts {
  exact_match: number;
  detected_anomaly: number;
  missed_anomaly: number;
  false_anomaly: number;
  /** (exact + detected) / (exact + detected + missed); null without targets. */
  tdir: number | null;
  /** (exact + detected) / (exact + detected + false); null when all three are 0. */
  dair: number | null;
}

/** True when a parsed JSON document is AnomalyGenerator's eval input (it holds targets and candidates). */
export function isAnomalyGeneratorInput(doc: unknown): doc is Record<string, unknown> {
  return typeof doc === 'object' && doc !== null && 'targets' in doc && 'candidates' in doc;
}

/** Checks the shape of an AnomalyGenerator eval input, naming the first problem. */
export function anomalyGeneratorInput(doc: Record<string, unknown>, file: string): AnomalyGeneratorInput {
  const { targets, candidates, range } = doc;
  const lists = (v: unknown, name: string): number[][] => {
    const shape = `should be a list of 0/1 lists (one per series)`;
    if (!Array.isArray(v)) throw usage(`${file}: '${name}' ${shape}, found ${v === null ? 'null' : typeof v}`);
    // Nothing to score is a mistake in the file (an empty export), not a result.
    if (v.length === 0) throw usage(`${file}: '${name}' holds no series; it ${shape}`);
    v.forEach((series: unknown, i) => {
      if (!Array.isArray(series)) throw usage(`${file}: '${name}' series ${i} is not a list; '${name}' ${shape}`);
      const at = series.findIndex((x) => x !== 0 && x !== 1);
      if (at >= 0) throw usage(`${file}: '${name}' series ${i} item ${at} is ${JSON.stringify(series[at]) ?? String(series[at])}; expected 0 or 1`);
    });
    return v as number[][];
  };
  const t = lists(targets, 'targets');
  const c = lists(candidates, 'candidates');
  if (t.length !== c.length) throw usage(`${file}: ${t.length} target series but ${c.length} candidate series`);
  t.forEach((s, i) => {
    if (s.length !== c[i]!.length) throw usage(`${file}: series ${i} has ${s.length} targets but ${c[i]!.length} candidates`);
  });
  if (typeof range !== 'number' || !Number.isInteger(range) || range < 0) throw usage(`${file}: 'range' should be a whole number of rows ≥ 0, ${range === undefined ? 'but it is missing' : `found ${JSON.stringify(range)}`}`);
  return { targets: t, candidates: c, range };
}

function anomalyGeneratorCounts(target: readonly number[], candidate: readonly number[], range: number): AnomalyGeneratorCounts {
  let exact = 0;
  let detected = 0;
  let missed = 0;
  let falseAlarms = 0;
  for (let i = 0; i < target.length; i++) {
    if (target[i] === 1) {
      if (candidate[i] === 1) exact++;
      else if (candidate.slice(Math.max(0, i - range), i + range + 1).includes(1)) detected++;
      else missed++;
    } else if (candidate[i] === 1) falseAlarms++;
  }
  const hits = exact + detected;
  return {
    exact_match: exact,
    detected_anomaly: detected,
    missed_anomaly: missed,
    false_anomaly: falseAlarms,
    tdir: hits + missed > 0 ? hits / (hits + missed) : null,
    dair: hits + falseAlarms > 0 ? hits / (hits + falseAlarms) : null,
  };
}

/** Every series of an AnomalyGenerator input, scored. */
export function evaluateAnomalyGenerator(input: AnomalyGeneratorInput, options: EvalOptions = {}): Array<EvalResult & { anomalygenerator: AnomalyGeneratorCounts }> {
  return input.targets.map((t, i) => ({
    ...evaluate(t, { alarms: input.candidates[i]! }, { ...options, tolerance: options.tolerance ?? input.range }),
    anomalygenerator: anomalyGeneratorCounts(t, input.candidates[i]!, input.range),
  }));
}
