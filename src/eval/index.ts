/** Scoring detectors against labels: the library behind `paranom eval`. */
export { evaluateFleet, type FleetEntity, type FleetEvalResult, type EntityScores } from './fleet-evaluate.js';
export { evaluate, type EvalLabels, type EvalPredictions, type EvalOptions, type EvalResult, type NabScores } from './evaluate.js';
export { nabScore, nabSweep, scaledSigmoid, NAB_PROFILES, NAB_PROFILE_NAMES, NAB_PROBATION_PERCENT, type NabSeries, type NabResult, type NabCostMatrix, type NabProfileName } from './nab.js';
export { rangeScores, type RangeOptions, type RangeScores, type PositionalBias, type OverlapCardinality } from './range.js';
export { eventScores, type EventScores } from './event.js';
export { pointScores, confusion, type PointScores, type Confusion } from './point.js';
export { rocAuc, averagePrecision } from './ranking.js';
export { runsOf, mergeRuns, type RowWindow } from './windows.js';
export { parseTimestamp, windowsFromTimes } from './timestamps.js';
