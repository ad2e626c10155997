/**
 * The fully-defaulted scenario that validation produces. This one object is what the
 * planner reads, what workers receive, what `--dry-run` prints and what the scenario hash
 * covers. It is plain JSON so it crosses the worker boundary unchanged.
 */

/** Column types a variable may declare. */
export type DType = 'float64' | 'float32' | 'int32' | 'int64' | 'bool' | 'string';
export const DTYPES: readonly DType[] = ['float64', 'float32', 'int32', 'int64', 'bool', 'string'];

export type Distribution =
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; sd: number }
  | { dist: 'lognormal'; mu: number; sigma: number }
  | { dist: 'exponential'; rate: number }
  | { dist: 'poisson'; lambda: number }
  | { dist: 'bernoulli'; p: number }
  | { dist: 'integer'; min: number; max: number }
  | { dist: 'categorical'; values: Array<string | number | boolean>; weights: number[] }
  | { dist: 'constant'; value: string | number | boolean };

export type DistName = Distribution['dist'];
export const DIST_NAMES: readonly DistName[] = [
  'uniform',
  'normal',
  'lognormal',
  'exponential',
  'poisson',
  'bernoulli',
  'integer',
  'categorical',
  'constant',
];

export interface StochasticVariable {
  name: string;
  type: 'stochastic';
  dtype: DType;
  /** 32-bit stream id, a hash of the name (D1, D4). */
  stream: number;
  normal: Distribution;
  /** null: the variable is not affected by anomalies (anomalous rows use `normal`). */
  anomalous: Distribution | null;
  /** For string columns: the dictionary, normal values first, then anomalous-only ones. */
  categories: string[] | null;
}

export type Variable = StochasticVariable;

export type AnomalyPlan =
  | { mode: 'none' }
  | { mode: 'frequency'; frequency: number; duration: [number, number] }
  | { mode: 'count'; count: number; duration: [number, number] };

export interface Timeline {
  /** ISO 8601 UTC form of the start instant. */
  start: string;
  startMs: number;
  stepMs: number;
  rows: number;
}

export interface Scenario {
  name: string;
  seed: number;
  timeline: Timeline;
  anomalies: AnomalyPlan;
  variables: Variable[];
}
