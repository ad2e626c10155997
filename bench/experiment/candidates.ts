/**
 * Candidate training data for the label-free diagnostics (transfer.ts): the experiment's
 * conditions and variants of them, judged on generated validation data only before any of
 * them is put in the experiment.
 */
import { CHANGED, drift, DURATION, EVERYTHING, EVERYTHING_MORE, LEARNED_MORE, FAMILY_WEIGHT, FREQUENCY, FULL, handWritten, learnedKind, LEARNED, nabReplicates, nabWindow, NAIVE, shapes, type GeneratedCondition, type SeriesContext } from './conditions.js';

const r = (sd: number, lo: number, hi: number): string => `[${lo * sd}, ${hi * sd}]`;

/** Durations of a regime change: half to all of a NAB-convention window of the file. */
const regimeDuration = (ctx: SeriesContext): [number, number] => {
  const w = Math.min(nabWindow(ctx.fileRows), ctx.rows);
  return [Math.max(DURATION[1]!, Math.round(w / 2)), Math.max(DURATION[1]!, w)];
};

/** Regime changes: the level, the variance, the swings or the noise changed for a window's length. */
function regimes(ctx: SeriesContext, weight: number): string {
  const d = `duration: [${regimeDuration(ctx)}]`;
  const w = (share: number): number => weight * share;
  return `
    { kind: level_shift, weight: ${w(0.25)}, ${d}, shift: ${r(ctx.sd, 2, 6)} },
    { kind: variance, weight: ${w(0.2)}, ${d}, sd: ${r(ctx.sd, 1, 3)} },
    { kind: amplitude, weight: ${w(0.15)}, ${d}, factor: [0, 0.3] },
    { kind: amplitude, weight: ${w(0.15)}, ${d}, factor: [2, 4] },
    { kind: flat_line, weight: ${w(0.1)}, ${d} },
    { kind: noise, weight: ${w(0.15)}, ${d}, magnitude: ${r(ctx.sd, 1, 3)} } `;
}

/** Long regime changes alone (a validation set). */
export const REGIMES: GeneratedCondition = {
  id: 'L',
  title: 'long regime changes',
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, min_effect: { value: 1, below: normal }, ${CHANGED}, kinds: [${regimes(ctx, 1)}] }`,
  drift,
  replicates: nabReplicates,
};

/** (e) with regime changes making half of the labelled rows. */
export const EVERYTHING_REGIMES: GeneratedCondition = {
  id: 'f',
  title: '(f) as (e), half the labelled rows long regime changes',
  needsModel: true,
  anomalies: (ctx) => {
    const [lo, hi] = regimeDuration(ctx);
    const shortRows = 3 * FAMILY_WEIGHT * ((DURATION[0]! + DURATION[1]!) / 2);
    const weight = shortRows / ((lo + hi) / 2);
    return `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: { value: 1, below: normal }, ${CHANGED}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}, ${learnedKind(ctx.model, FAMILY_WEIGHT)}, ${regimes(ctx, weight)}] }`;
  },
  drift,
  replicates: nabReplicates,
};

/** The learned kind alone with other settings. */
const learnedVariant = (id: string, extra: string): GeneratedCondition => ({
  id,
  title: `learned${extra}`,
  needsModel: true,
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], ${CHANGED}, kinds: [${learnedKind(ctx.model, 1, extra)}] }`,
  drift,
});

/** (e) with more copies of the training part (more events to learn from). */

/** A condition with `n` copies of the training part. */
const copies = (c: GeneratedCondition, id: string, n: number | GeneratedCondition['replicates']): GeneratedCondition => ({ ...c, id, title: `${c.title}, ${typeof n === 'number' ? n : 'NAB-window'} copies`, replicates: typeof n === 'number' ? () => n : n! });

export const CANDIDATES: GeneratedCondition[] = [
  EVERYTHING_MORE,
  LEARNED_MORE,
  copies(EVERYTHING, 'e8', 64),
  copies(EVERYTHING, 'eN', nabReplicates),
  copies(LEARNED, 'd4', 32),
  copies(learnedVariant('dM', ', min_effect: 2'), 'dM4', 32),
  NAIVE,
  FULL,
  LEARNED,
  EVERYTHING,
  copies(EVERYTHING, 'e4', 32),
  REGIMES,
  EVERYTHING_REGIMES,
  learnedVariant('dR', ', direction: random'),
  learnedVariant('dQ', ', quantile: [0.9999, 0.999999]'),
  learnedVariant('dM', ', min_effect: 2'),
  learnedVariant('dRM', ', direction: random, min_effect: 2'),
];
