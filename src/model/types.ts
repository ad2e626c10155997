/**
 * The fully-defaulted scenario that validation produces. This one object is what the
 * planner reads, what workers receive, what `--dry-run` prints and what the scenario hash
 * covers. It is plain JSON so it crosses the worker boundary unchanged.
 */

import type { DType } from '../columns/columns.js';
import type { Entities } from './entities.js';
import type { Limits } from './limits.js';

export type { DType };
export { DTYPES } from '../columns/columns.js';

export type { Distribution, DistName } from './distribution.js';
export { DIST_NAMES } from './distribution.js';
import type { Distribution } from './distribution.js';

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

// ---- callback, process and source variables -------------------------------

/** `type: callback`: values from functions exported by a user module (JS or TS). */
export interface CallbackVariable {
  name: string;
  type: 'callback';
  dtype: DType;
  stream: number;
  /** The module as the scenario names it, relative to the scenario file (D5). */
  module: string;
  /** SHA-256 of the module file, so editing the module changes the scenario hash. */
  moduleSha256: string;
  /** The local files the module imports (named relative to the scenario) and their hashes; absent when it imports none. */
  imports?: Array<{ file: string; sha256: string }>;
  /** Export called for normal rows. */
  normal: string;
  /** Export called for rows inside anomaly events; null: `normal` is called there too. */
  anomalous: string | null;
  /** Variables this one is generated after (besides declared order). */
  after: string[];
  /** For string columns: the values the callback may return. */
  categories: string[] | null;
}

/** A length along the timeline: rows, or milliseconds (converted at the timeline's step). */
export type Span = { rows: number } | { ms: number };

/** One additive component of a process. */
export type ProcessComponent =
  | { type: 'constant'; value: number }
  /** phase: fraction of a period, in [0, 1). */
  | { type: 'sine' | 'square' | 'sawtooth' | 'triangle'; period: Span; amplitude: number; phase: number }
  /** Σ coefficients[k]·(row / unit)^k. */
  | { type: 'trend'; coefficients: number[]; unit: Span }
  | { type: 'random_walk'; sd: number }
  /** `warmup` rows before each 65,536-row block; the start state's influence is at most `residual`. */
  | { type: 'ar'; coefficients: number[]; sd: number; warmup: number; residual: number }
  /** link: the component's N(0, 1) draws come from a correlation group (variables/correlated.ts). */
  | { type: 'noise'; dist: 'normal'; sd: number; link?: CorrelationLink }
  | { type: 'noise'; dist: 'student_t'; df: number; scale: number };

/** `type: process`: a sum of time-structured components (D1–D3 kept, see variables/process.ts). */
export interface ProcessVariable {
  name: string;
  type: 'process';
  dtype: 'float64' | 'float32';
  stream: number;
  components: ProcessComponent[];
  anomalous: null;
  categories: null;
}

/** `type: source`: a column of a CSV or Parquet file replayed along the timeline. */
/** A source's timestamp column: ISO 8601 text or Parquet times, or epoch numbers in `unit` (absent otherwise). */
export interface SourceTimes {
  column: string;
  unit?: 's' | 'ms' | 'us' | 'ns';
}

export interface SourceVariable {
  name: string;
  type: 'source';
  dtype: 'float64' | 'float32';
  stream: number;
  /** The file as the scenario names it, relative to the scenario file (D5). */
  file: string;
  format: 'csv' | 'parquet';
  sha256: string;
  column: string;
  /** Rows of the file (values of `column`). */
  fileRows: number;
  /** File row replayed at timeline row 0 (timestamps: ignore). */
  offset: number;
  /** ignore: row i takes file row offset + i; map: the file's own timestamps, shifted to timeline.start, sampled and held. */
  timestamps: { mode: 'ignore' } | ({ mode: 'map' } & SourceTimes);
  /** Past the end of the file: start again from its first row, hold its last value, or stop with an error. */
  pastEnd: 'cycle' | 'hold' | 'error';
  /** Missing readings in the file replay as the reading before them, or as nulls (variables/source-missing.ts); absent: they are refused. */
  missing?: 'hold' | 'keep';
  /** Slow seeded changes of level and gain, part of the normal series (variables/source-drift.ts); absent when not set. */
  drift?: SourceDrift;
  anomalous: null;
  categories: null;
}

/** A source's `drift`: knot values uniform in ±offset (value units) and ±gain (a share), a knot every `every` rows. */
export interface SourceDrift {
  offset: number;
  gain: number;
  every: number;
}

/** Anomaly kinds applied over event windows (anomaly/kinds/). */
export type AnomalyKindName = 'spike' | 'level_shift' | 'variance' | 'trend' | 'amplitude' | 'frequency' | 'flat_line' | 'dropout' | 'noise' | 'learned' | 'time_warp' | 'pattern_shift' | 'reversal' | 'smoothing' | 'clipping' | 'replay' | 'correlation_break' | 'decorrelate' | 'lag';

/** The model of a `learned` kind, resolved: where it is, what it hashes to, its shape. */
export interface LearnedModelRef {
  /** Model directory as the scenario names it, relative to the scenario file (D5). */
  model: string;
  /** SHA-256 of its metadata, decoder and encoder files. */
  sha256: string;
  /** Rows of the series per model window (the model's window times its downsampling). */
  window: number;
  channels: string[];
  /**
   * A multi-channel model's variables, in channel order (they are encoded and decoded
   * together); empty for a one-channel model, which acts on each target on its own.
   */
  channelVariables: string[];
}

/** One entry of `anomalies.kinds`, fully defaulted. */
export interface AnomalyKindSpec {
  kind: AnomalyKindName;
  /** Relative weight of the kind among events. */
  weight: number;
  /** Duration range of events of this kind, in rows. */
  duration: [number, number];
  /** Numeric parameters as [min, max] (drawn per event, uniform); choices as strings. */
  params: Record<string, [number, number] | string>;
  /** The variables events of this kind act on. */
  variables: string[];
  /** `learned` only: the VAE it encodes and decodes with. */
  learned?: LearnedModelRef;
}

/** What the kinds add to a plan: each field is absent from scenarios that do not use it. */
export interface AnomalyPlanExtras {
  /** Weighted anomaly kinds; absent: every event is a `definition` event. */
  kinds?: AnomalyKindSpec[];
  /** Write `<name>_clean` beside every variable anomalies can change (`--with-clean`). */
  cleanTwin?: true;
  /** `min_effect`: redraw an event until its effect (anomaly/effect.ts) reaches `threshold`. */
  minEffect?: MinEffect;
  /**
   * `label: changed`: label only the event rows whose values differ from the clean series.
   * The default when `min_effect` is set and `label` is not written (`label: window` keeps
   * every row of the window).
   */
  label?: 'changed';
  /**
   * With `label: changed`: the least change that labels a row, in robust sd of the clean
   * series around its event (`min_change`, default 0.5); 0 labels any difference.
   */
  minChange?: number;
  /**
   * `label_margin`: rows labelled anomalous [before, after] each event besides its own
   * (generate/label-margin.ts), as benchmarks that label a window around each anomaly do.
   * Values never change; absent when not set.
   */
  labelMargin?: [number, number];
}

/** The resolved `anomalies.min_effect` (see generate/event-outcome.ts). */
export interface MinEffect {
  /** Least effect_rms an event must reach, in robust sd of the clean series. */
  threshold: number;
  /** Attempts per event (attempt 0 included): the first half redraw the parameters, the rest the kind too. */
  tries: number;
  /**
   * `below: normal`: an event still below after its tries is generated as drawn (its first
   * attempt) and labelled normal, a near miss; absent: it is dropped (its rows are clean).
   */
  below?: 'normal';
}

// ---------------------------------------------------------------------------------------

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
  /** The model directory as the scenario names it, relative to the scenario file (D5). */
  model: string;
  /** SHA-256 of the model's metadata and decoder, so another model changes the scenario hash. */
  modelSha256: string;
  /** The model channel this column takes, and its index in the decoded window. */
  channel: string;
  channelIndex: number;
  /** Rows of the series per decoded window (the model's window times its downsampling). */
  window: number;
  /** Variables of one group (and model) decode the same latent draws: coherent channels. */
  group: string | null;
  /** Stream of the latent draws: the variable's own, or its group's. */
  latentStream: number;
  /**
   * The latent regions: bands of radius quantiles in the model's active whitened space, of
   * the Gaussian fitted to the training codes or of the codes themselves (`measure`), with
   * the radii they span and, for comparison, where the training codes lie.
   */
  regions: {
    space: 'whitened-active';
    measure: 'gaussian' | 'empirical';
    dims: number;
    inner: VaeRegion;
    outlier: VaeRegion;
    codes: { median: number; q99: number; max: number };
  };
  anomalous: null;
  categories: null;
}

/**
 * A member's place in a correlation group: its standard normal score on row r is
 * z = Σ_k factor[k]·n_k(r), where n_k(r) is the N(0, 1) draw of member k at
 * (seed, streams[k], r, attempt 0, draw 0) and factor is row `index` of the group's
 * Cholesky factor (so k ≤ index).
 */
export interface CorrelationLink {
  group: string;
  index: number;
  factor: number[];
  streams: number[];
}

/** Marginals a correlated variable may take: inverse distribution functions of a normal score. */
export type CorrelatedMarginal = Extract<Distribution, { dist: 'normal' | 'uniform' | 'lognormal' | 'exponential' }>;

/** `type: correlated`: a member of a correlation group, its marginal applied to the group's normal score (a Gaussian copula). */
export interface CorrelatedVariable {
  name: string;
  type: 'correlated';
  dtype: 'float64' | 'float32';
  stream: number;
  marginal: CorrelatedMarginal;
  /** Set when the scenario's `correlations` are resolved (reader/correlations.ts). */
  link: CorrelationLink;
  anomalous: null;
  categories: null;
}

/** One entry of `correlations`, resolved. */
export interface CorrelationGroup {
  name: string;
  /** Members in matrix order: correlated variables and processes (their normal noise component). */
  variables: string[];
  /** The correlation matrix of the members' normal scores (from `covariance`: normalised). */
  correlation: number[][];
  /** The smallest eigenvalue of the matrix as written (≥ 0 up to rounding; 0: singular, some member a combination of others). */
  minEigenvalue: number;
}

/** `limits`: the range every value of the variable is clamped into (model/limits.ts); absent when not set. */
export type Variable = (StochasticVariable | CallbackVariable | ProcessVariable | SourceVariable | IdVariable | VaeVariable | CorrelatedVariable) & { limits?: Limits };

export type AnomalyPlan =
  | ({ mode: 'none' } & Pick<AnomalyPlanExtras, 'cleanTwin'>)
  | ({ mode: 'frequency'; frequency: number; duration: [number, number] } & AnomalyPlanExtras)
  | ({ mode: 'count'; count: number; duration: [number, number] } & AnomalyPlanExtras);

export interface Timeline {
  /** ISO 8601 UTC form of the start instant. */
  start: string;
  startMs: number;
  stepMs: number;
  rows: number;
  /**
   * A later stretch of the timeline (a `test` split, run/splits.ts): the dataset holds
   * timeline rows [offset, offset + rows), row numbers everywhere stay the timeline's, so
   * its values and events are those of the whole timeline's run. Absent: 0.
   */
  offset?: number;
  /**
   * `jitter`: row i's timestamp is start + i·step plus an offset of at most ±`ms`, drawn
   * per row at (`seed`, row) (model/row-time.ts). `seed` is the scenario's, kept here so
   * a fleet's entities, each with a seed of its own, share one clock. Absent: no jitter.
   */
  jitter?: { ms: number; seed: number };
}

/** A length of a split: rows, or a fraction of the timeline's rows (resolved when generating, after `--rows`). */
export type SplitLength = { rows: number } | { fraction: number };

/** `splits`: a training stretch from the timeline's start, and a test stretch right after it. */
export interface Splits {
  train: SplitLength;
  /** null: the rest of the timeline. */
  test: SplitLength | null;
}

/** The dataset's first timeline row. */
export function firstRow(t: Timeline): number {
  return t.offset ?? 0;
}

/** One past the dataset's last timeline row. */
export function endRow(t: Timeline): number {
  return (t.offset ?? 0) + t.rows;
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
  /** A fleet: many series of this scenario in one dataset (model/entities.ts); absent: one series. */
  entities?: Entities;
  /**
   * Absolute folder the files a scenario names are relative to (the scenario file's).
   * Run-time only: never hashed, never written into a dataset (D5); absent means the
   * working directory.
   */
  baseDir?: string;
  /**
   * `callback_timeout`: how long one callback call (or loading a module) may run before the
   * run stops with an error naming the variable and row; absent: the default (30 s). It
   * changes no value, so it is not part of the scenario hash.
   */
  callbackTimeoutMs?: number;
  /** `allow_non_finite: true`: ±Infinity and NaN may be stored in float columns (refused otherwise). */
  allowNonFinite?: true;
  /** `correlations`: groups of variables drawn jointly; absent when the scenario has none. */
  correlations?: CorrelationGroup[];
  /** `splits`: `generate` writes train_clean, train and test datasets (run/splits.ts). */
  splits?: Splits;
}
