/**
 * The experiment's "long training" protocol (`run.js --protocol long`): closer to a user
 * with a long clean stretch of their own series than the 15% cut. Each series trains on
 * every row before its first labelled window, less a margin, and only series where that
 * leaves at least LONG.minRows rows take part. Fixed before any run on test labels (see
 * "Long training" in docs/usefulness.md).
 *
 * Its learned conditions are the two ways users put learned anomalies into a real series:
 * (d) the `learned` kind exactly as the README recommends it (defaults only, no drift), and
 * (s) the splice users wrote before that kind existed: a source, a `type: vae` variable of
 * the same model, and a callback returning one or the other.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DETECTOR } from './detector.js';
import { CHANGED, drift, DURATION, FAMILY_WEIGHT, FREQUENCY, handWritten, NAIVE, shapes, USER_WHOLE, USER_WHOLE_CHANGED, type GeneratedCondition } from './conditions.js';
import type { Series } from './nab.js';
import type { SeriesContext } from './conditions.js';

export const LONG = {
  /** Fewest training rows a series needs to take part. */
  minRows: 2000,
  /** Rows left out before the first labelled window: one detector window, so no trained row sits next to a label. */
  margin: DETECTOR.window,
} as const;

/** The series of the long protocol, each cut before its first labelled window less the margin. */
export function longSeries(all: readonly Series[]): Series[] {
  return all.flatMap((s) => {
    const first = Math.min(s.values.length, ...s.windows.map((w) => w[0]));
    const cut = first - LONG.margin;
    return cut >= LONG.minRows ? [{ ...s, cut }] : [];
  });
}

/**
 * (d): the learned kind with every default as it was run, on the plain source (no drift),
 * every event row labelled. The default direction was `own` then and is `random` now (the
 * (d-rand) result): it is pinned here, as in every condition run before, so a rerun
 * reproduces the saved results.
 */
export const LEARNED_DEFAULT: GeneratedCondition = {
  id: 'd',
  title: '(d) learned kind, its defaults',
  needsModel: true,
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [{ kind: learned, model: ${JSON.stringify(model)}, direction: own }] }`,
};

/** The splice's callback module: the source's value on normal rows, the vae variable's inside events. */
const SPLICE_MODULE = `export function real(ctx) { return ctx.values.real; }
export function learned(ctx) { return ctx.values.learned; }
`;

/**
 * (s): the three-variable splice. Events switch every variable to its anomalous definition
 * (no `kinds`): the source has none, the vae variable decodes its event window from the
 * outlier band, and the callback `value` (the column the detector learns from) takes it.
 */
export const SPLICE: GeneratedCondition = {
  id: 's',
  title: '(s) splice: source, type: vae, callback',
  needsModel: true,
  anomalies: () => `{ frequency: ${FREQUENCY}, duration: [${DURATION}] }`,
  variables: (csv, { model }) => {
    const module = join(dirname(csv), 'splice.mjs');
    writeFileSync(module, SPLICE_MODULE);
    return [
      `  real: { type: source, file: ${JSON.stringify(csv)}, column: value, past_end: cycle }`,
      `  learned: { type: vae, model: ${JSON.stringify(model)} }`,
      `  value: { type: callback, module: ${JSON.stringify(module)}, normal: real, anomalous: learned }`,
    ].join('\n');
  },
};

/**
 * (d) with the kind's `min_effect` at 2 robust sd: judged on generated data first
 * (transfer.ts), then run once in the protocol ("one hypothesis" in docs/usefulness.md).
 */
export const LEARNED_EFFECT2: GeneratedCondition = {
  ...LEARNED_DEFAULT,
  id: 'd2',
  title: '(d2) learned kind, min_effect 2',
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [{ kind: learned, model: ${JSON.stringify(model)}, direction: own, min_effect: 2 }] }`,
};

/**
 * (d) with the kind's `residual: drop`, nothing else changed: the event's target is the
 * bare decoded window, as the splice's, not the clean value plus the decoded change. Tests
 * whether the kept residual is what makes (d)'s events read as normal variation (the
 * H3 in docs/usefulness.md), on generated data first (transfer.ts), then once in the protocol.
 */
export const LEARNED_DROP: GeneratedCondition = {
  ...LEARNED_DEFAULT,
  id: 'd-drop',
  title: '(d-drop) learned kind, residual: drop',
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [{ kind: learned, model: ${JSON.stringify(model)}, direction: own, residual: drop }] }`,
};

/**
 * (d) with the kind's `direction: random`, nothing else changed: each event's code moves
 * along a drawn direction, not along the one its own context already takes, so the decoded
 * window need not follow the local shape (H4 in docs/usefulness.md), judged on generated data first
 * (transfer.ts), then once in the protocol.
 */
export const LEARNED_RANDOM: GeneratedCondition = {
  ...LEARNED_DEFAULT,
  id: 'd-rand',
  title: '(d-rand) learned kind, direction: random',
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [{ kind: learned, model: ${JSON.stringify(model)}, direction: random }] }`,
};

/**
 * (e) on the long protocol: the whole generator as a user writes it — the hand-written,
 * shape and learned kinds (each family a third of the events), `min_effect: { value: 1,
 * below: normal }`, `label: changed` and drift — with the learned kind's direction as its
 * default is now (`random`), pinned so a rerun reproduces the saved results.
 */
export const EVERYTHING_LONG: GeneratedCondition = {
  id: 'e',
  title: '(e) hand-written, shape and learned kinds, min_effect 1, label: changed, drift',
  needsModel: true,
  anomalies: (ctx) => everything(ctx, CHANGED),
  drift,
};

function everything(ctx: SeriesContext, label: string): string {
  return `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: { value: 1, below: normal }, ${label}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}, { kind: learned, weight: ${FAMILY_WEIGHT}, model: ${JSON.stringify(ctx.model)}, direction: random }] }`;
}

/**
 * (e) with `label: changed` labelling only rows moved by at least `min_change` robust sd
 * (0.5 or 1 instead of 0.1), nothing else changed: the values are (e)'s to the byte, only
 * the labels of rows an event moved by less differ (H5 in docs/usefulness.md).
 */
const everythingMinChange = (id: string, minChange: number): GeneratedCondition => ({
  ...EVERYTHING_LONG,
  id,
  title: `(${id}) as (e), min_change ${minChange}`,
  anomalies: (ctx) => everything(ctx, `label: changed, min_change: ${minChange}`),
});
export const EVERYTHING_CHANGE_HALF = everythingMinChange('e-m5', 0.5);
export const EVERYTHING_CHANGE_ONE = everythingMinChange('e-m1', 1);

/** The long protocol's labelled conditions, in table order. */
export const LONG_GENERATED: GeneratedCondition[] = [NAIVE, LEARNED_DEFAULT, SPLICE, LEARNED_EFFECT2, LEARNED_DROP, LEARNED_RANDOM, EVERYTHING_LONG, EVERYTHING_CHANGE_HALF, EVERYTHING_CHANGE_ONE, USER_WHOLE, USER_WHOLE_CHANGED];
