/**
 * paranom's public API. Everything exported here is supported; nothing else is.
 */
export { generate, planRun } from './run/generate.js';
export type { GenerateOptions, GenerateResult } from './run/generate-options.js';
export { loadScenario, parseScenario } from './reader/load.js';
export { validateScenario } from './reader/validate.js';
export { planGeneration, describePlan, type GenerationPlan, type ShardPlan, type OutputFormat } from './plan/planner.js';
export { generateShard, type ShardColumns } from './generate/shard.js';
export { readManifest, type Manifest } from './dataset/manifest.js';
export { ParanomError, ScenarioError, type ErrorCode, type ScenarioIssue } from './errors.js';
export type { Scenario, Variable, StochasticVariable, Distribution, DType, AnomalyPlan, Timeline, CorrelatedVariable, CorrelationGroup, Splits } from './model/types.js';
/** For authors of callback modules (`type: callback`). */
export type { CallbackContext, CallbackEvent } from './variables/callback.js';
export type { RandomSource } from './random/row-random.js';
export { grow } from './run/grow.js';
/** A benchmark's train_clean, train and test datasets from one scenario (`splits`). */
export { generateSplits, splitScenarios, SPLITS_FILE, type SplitsIndex, type SplitEntry, type SplitsOptions } from './run/splits.js';
export { streamRows, type StreamOptions, type StreamResult, type StreamFormat, type Pace } from './run/stream.js';
export { verify, type VerifyReport } from './run/verify.js';
export { mergeManifests, mergeToFile } from './run/merge.js';
export { philox4x32, PRNG_ID } from './random/philox.js';
export { ENGINE_VERSION } from './version.js';
export { FORMAT_VERSION, BLOCK_ROWS } from './format.js';
/** Scoring a detector's output against labels (`paranom eval`). */
export {
  evaluate,
  evaluateFleet,
  nabScore,
  nabSweep,
  rangeScores,
  eventScores,
  rocAuc,
  averagePrecision,
  runsOf,
  NAB_PROFILES,
  type EvalLabels,
  type EvalPredictions,
  type EvalOptions,
  type EvalResult,
  type FleetEntity,
  type FleetEvalResult,
  type EntityScores,
  type NabScores,
  type NabSeries,
  type NabResult,
  type NabCostMatrix,
  type NabProfileName,
  type RangeOptions,
  type RangeScores,
  type PositionalBias,
  type RowWindow,
} from './eval/index.js';
