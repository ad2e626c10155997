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

/** Identifiers unique by construction: min + a keyed permutation of the row index. */
export interface IdVariable {
  name: string;
  type: 'id';
  dtype: 'int64' | 'int32';
  stream: number;
  normal: null;
  anomalous: null;
  categories: null;
  min: number;
  max: number;
}

/** A band of the latent radius distribution: training-code quantiles and the radii they span. */
export interface VaeRegion {
  quantiles: [number, number];
  radius: [number, number];
}

/** `type: vae`: windows decoded from a trained VAE (see variables/vae.ts and src/vae/). */
export interface VaeVariable {
  name: string;
  type: 'vae';
  dtype: 'float64' | 'float32';
  stream: number;
  /** The model directory, relative to the working directory (never absolute, D5). */
  model: string;
  /** SHA-256 of the model's metadata and decoder, so another model changes the scenario hash. */
  modelSha256: string;
  /** The model channel this column takes, and its index in the decoded window. */
  channel: string;
  channelIndex: number;
  /** Rows per decoded window (the model's window). */
  window: number;
  /** Variables of one group (and model) decode the same latent draws: coherent channels. */
  group: string | null;
  /** Stream of the latent draws: the variable's own, or its group's. */
  latentStream: number;
  /** The latent regions, as radius bands of the training codes in the model's active whitened space. */
  regions: { space: 'whitened-active'; dims: number; inner: VaeRegion; outlier: VaeRegion };
  anomalous: null;
  categories: null;
}

export type Variable = StochasticVariable | IdVariable;

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

export type UniquenessMode = 'none' | 'soft' | 'hard';

export interface ClassUniqueness {
  mode: UniquenessMode;
  /** Attempts per row (attempt 0 included) before soft keeps the last one or hard fails. */
  tries: number;
}

/** Retry-based uniqueness of the key tuple, separately for normal and anomalous rows. */
export interface Uniqueness {
  /** The datum: names of the key variables, in declared order. */
  key: string[];
  normal: ClassUniqueness;
  anomalous: ClassUniqueness;
}

export interface Scenario {
  name: string;
  seed: number;
  timeline: Timeline;
  anomalies: AnomalyPlan;
  variables: Variable[];
  /** null when no class asks for uniqueness. */
  uniqueness: Uniqueness | null;
}
