/**
 * The anomaly kinds: what each one does to the values of its target variables over an
 * event window, and the parameters it takes. Numeric parameters are a number or a
 * [min, max] range drawn per event (so one entry can make events of varied strength);
 * the segment table records the drawn values.
 *
 * | kind        | effect on row k of an event of d rows                                   |
 * |-------------|-------------------------------------------------------------------------|
 * | spike       | + s·magnitude·(1 − |2(k + ½)/d − 1|): a peak at the middle (d = 1: one point) |
 * | level_shift | + s·shift                                                               |
 * | variance    | process noise components × factor, and/or + N(0, sd²) per row            |
 * | trend       | + s·slope·(k + 1)                                                       |
 * | amplitude   | process seasonal components × factor; other variables a + factor·(x − a) |
 * | frequency   | process seasonal components run factor× faster (phase-continuous start)  |
 * | flat_line   | the value of the event's first row (or `value`) held                     |
 * | dropout     | the value is missing (null) with probability `rate`                      |
 * | noise       | + s·magnitude·|z| (both: z) · envelope(k), z ~ N(0, 1) per row          |
 * | learned     | the clean context encoded by a VAE, its code moved to a drawn outlier    |
 * |             | radius quantile, decoded and crossfaded in (learned.ts)                  |
 *
 * | time_warp, pattern_shift, reversal, smoothing, clipping, replay, correlation_break, lag: |
 * |             | shape kinds, deforming the clean series' own pattern (shapes.ts)         |
 * | decorrelate | members of a correlation group drawn without (remove) or against (flip)  |
 * |             | their correlation, each marginal unchanged (variables/correlated-scores.ts) |
 *
 * s is +1 for `direction: up`, −1 for down, and drawn per event for both. `a` is the value
 * of the event's first row. The envelope of `noise` is 1, or (1 + wave(k / wave_period))/2
 * for a sine, square, triangle or sawtooth wave (wave_period defaults to the event's length).
 */
import type { AnomalyKindName, AnomalyKindSpec } from '../../model/types.js';

export const KIND_NAMES: readonly AnomalyKindName[] = ['spike', 'level_shift', 'variance', 'trend', 'amplitude', 'frequency', 'flat_line', 'dropout', 'noise', 'learned', 'time_warp', 'pattern_shift', 'reversal', 'smoothing', 'clipping', 'replay', 'correlation_break', 'decorrelate', 'lag'];

const DIRECTIONS = ['up', 'down', 'both'] as const;
const WAVES = ['none', 'sine', 'square', 'triangle', 'sawtooth'] as const;

/** A parameter: a numeric range (with bounds), a choice, or a length (rows or duration). */
export type ParamDef =
  | { type: 'range'; required: boolean; gt?: number; ge?: number; lt?: number; le?: number; default?: number | [number, number]; description: string }
  /** names: besides `values`, any target variable's name is accepted (resolved with the targets). */
  | { type: 'choice'; values: readonly string[]; default: string; description: string; names?: true }
  | { type: 'span'; description: string };

export const KIND_PARAMS: Record<AnomalyKindName, Record<string, ParamDef>> = {
  spike: {
    magnitude: { type: 'range', required: true, gt: 0, description: 'height of the peak, in the variable’s units' },
    direction: { type: 'choice', values: DIRECTIONS, default: 'both', description: 'up, down, or drawn per event' },
  },
  level_shift: {
    shift: { type: 'range', required: true, gt: 0, description: 'size of the shift' },
    direction: { type: 'choice', values: DIRECTIONS, default: 'both', description: 'up, down, or drawn per event' },
  },
  variance: {
    factor: { type: 'range', required: false, gt: 0, description: 'multiplies the noise components of process variables' },
    sd: { type: 'range', required: false, gt: 0, description: 'standard deviation of Gaussian noise added to each row' },
  },
  trend: {
    slope: { type: 'range', required: true, gt: 0, description: 'change per row' },
    direction: { type: 'choice', values: DIRECTIONS, default: 'both', description: 'up, down, or drawn per event' },
  },
  amplitude: {
    factor: { type: 'range', required: true, ge: 0, description: 'multiplies the seasonal amplitude (other variables: the deviation from the first row)' },
  },
  frequency: {
    factor: { type: 'range', required: true, gt: 0, description: 'multiplies the frequency of the seasonal components' },
  },
  flat_line: {
    value: { type: 'range', required: false, description: 'the value held (default: the value of the event’s first row)' },
  },
  dropout: {
    rate: { type: 'range', required: false, gt: 0, le: 1, default: 1, description: 'probability that a row of the event is missing' },
  },
  noise: {
    magnitude: { type: 'range', required: true, gt: 0, description: 'standard deviation of the added noise' },
    direction: { type: 'choice', values: DIRECTIONS, default: 'both', description: 'up (|z|), down (−|z|) or both (z)' },
    wave: { type: 'choice', values: WAVES, default: 'none', description: 'shape modulating the noise' },
    wave_period: { type: 'span', description: 'period of the wave in rows or as a duration (default: the event’s length)' },
  },
  learned: {
    quantile: { type: 'range', required: false, gt: 0, lt: 1, default: [0.99, 0.9999], description: 'radius quantile of the latent outlier band the code is moved to (drawn per event)' },
    direction: { type: 'choice', values: ['own', 'random'], default: 'random', description: 'move the code along a drawn direction (default: it teaches detectors more), or along its own' },
    blend: { type: 'span', description: 'rows of crossfade at each end of the event (default: an eighth of the event)' },
    residual: { type: 'choice', values: ['keep', 'drop'], default: 'keep', description: 'keep the context’s own detail the decoder does not reproduce, or splice the bare decoded window' },
    measure: { type: 'choice', values: ['gaussian', 'empirical'], default: 'gaussian', description: 'what the quantiles are quantiles of (as for vae variables)' },
    min_effect: { type: 'range', required: false, ge: 0, default: 1, description: 'smallest RMS change over the event, in robust sd of the clean context; a weaker move is pushed further out' },
  },
  time_warp: {
    factor: { type: 'range', required: true, gt: 0, description: 'warp exponent: above 1 the segment runs slow then fast, below 1 fast then slow' },
  },
  pattern_shift: {
    shift: { type: 'range', required: true, ge: 1, description: 'rows the pattern arrives late or early' },
    direction: { type: 'choice', values: ['late', 'early', 'both'], default: 'both', description: 'late, early, or drawn per event' },
  },
  reversal: {},
  smoothing: {
    window: { type: 'range', required: true, ge: 2, description: 'rows of the centred moving mean' },
  },
  clipping: {
    level: { type: 'range', required: true, ge: 0, le: 1, description: 'where the clip sits between the event’s clean minimum (0) and maximum (1)' },
    direction: { type: 'choice', values: ['up', 'down'], default: 'up', description: 'clip from above (saturation, up) or from below (down)' },
  },
  replay: {
    lag: { type: 'span', description: 'how far away the replayed segment comes from, in rows or as a duration (required)' },
  },
  correlation_break: {},
  decorrelate: {
    mode: { type: 'choice', values: ['remove', 'flip'], default: 'remove', description: 'draw the named variables independently of their group (remove), or reverse their correlation with the rest of the group (flip)' },
  },
  lag: {
    lag: { type: 'range', required: true, ge: 1, description: 'rows the delayed channel falls behind the others' },
    channel: { type: 'choice', values: ['any'], names: true, default: 'any', description: 'the variable delayed: one of the kind’s variables, or drawn per event among them (any)' },
  },
};

/**
 * Kinds that act on the components of a process variable rather than on its values; and
 * `decorrelate`, which acts on the normal scores of a correlation group's members
 * (correlated variables and linked process noise) while they are drawn.
 */
export function actsOnComponents(kind: AnomalyKindName, params: Readonly<Record<string, unknown>>): { seasonal: boolean; noise: boolean; scores: boolean } {
  return {
    seasonal: kind === 'amplitude' || kind === 'frequency',
    noise: kind === 'variance' && params['factor'] !== undefined,
    scores: kind === 'decorrelate',
  };
}

/** Mean event duration over the kinds, weighted (what the candidate rate is solved for). */
export function meanKindDuration(kinds: readonly AnomalyKindSpec[]): number {
  const total = kinds.reduce((a, k) => a + k.weight, 0);
  return kinds.reduce((a, k) => a + (k.weight / total) * ((k.duration[0] + k.duration[1]) / 2), 0);
}
