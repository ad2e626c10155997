/**
 * The training data of each condition, made by paranom itself: a scenario whose one
 * variable is a `source` replaying the series' training part, with anomaly kinds sized in
 * units of that part's robust sd, generated through the engine's shard generator (the
 * values `paranom generate` writes, D2). The timeline is `REPLICATES` times the training
 * part (`past_end: cycle`), so each replicate carries different events over the same rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../../src/reader/load.js';
import { prepareScenario } from '../../src/variables/registry.js';
import { generateShard } from '../../src/generate/shard.js';
import { trainVae } from '../../src/vae/index.js';
import { withCleanTwin } from '../../src/anomaly/kinds/clean-twin.js';
import type { Series } from './nab.js';

/** Copies of the training part generated per condition. */
export const REPLICATES = 8;

/** What share of rows the generated events cover, and their lengths in rows. */
export const FREQUENCY = 0.1;
export const DURATION = [6, 48];

/** What a condition's anomalies are sized and made from, per series. */
export interface SeriesContext {
  /** Robust sd of the training part (parameters are multiples of it). */
  sd: number;
  /** Rows of the training part (one replicate). */
  rows: number;
  /** Rows of the whole NAB file (training and test parts): NAB sizes its windows from it. */
  fileRows: number;
  /** A VAE model directory trained on the training part, for `learned` conditions. */
  model?: string;
}

/** A condition that learns from generated, labelled data. */
export interface GeneratedCondition {
  id: string;
  title: string;
  /** Whether it needs a VAE trained on the series (SeriesContext.model). */
  needsModel?: boolean;
  /** The `anomalies:` block (YAML flow style) for one series. */
  anomalies(ctx: SeriesContext): string;
  /** The source's `drift:` (YAML flow style), when the condition varies the normal series. */
  drift?(ctx: SeriesContext): string;
  /** Copies of the training part generated; REPLICATES when absent. */
  replicates?(ctx: SeriesContext): number;
  /**
   * The `variables:` entries (YAML lines) over the training CSV, when the condition needs
   * more than one source; the detector learns from the variable named `value`.
   */
  variables?(csv: string, ctx: SeriesContext): string;
}

/**
 * `label: changed` as every condition ran it: a row is labelled when it moved by at least
 * 0.1 robust sd (`min_change`'s default then), pinned so a rerun reproduces the saved results.
 */
export const CHANGED = 'label: changed, min_change: 0.1';

const r = (sd: number, lo: number, hi: number): string => `[${lo * sd}, ${hi * sd}]`;

/**
 * Normal-side variation (a source's `drift`), labelled normal: the level wanders within
 * ±1 robust sd (half the smallest level shift injected, so a shift stays the larger
 * change) and the swings scale by up to ±30%, with a knot every quarter of the training
 * part (half a day for most series), slow beside every injected event.
 */
export const drift = ({ sd, rows }: SeriesContext): string => `{ offset: ${sd}, gain: 0.3, every: ${Math.max(2, Math.round(rows / 4))} }`;

export const NAIVE: GeneratedCondition = {
  id: 'b',
  title: '(b) naive spikes and level shifts',
  anomalies: ({ sd }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [
    { kind: spike, duration: 1, magnitude: ${r(sd, 3, 8)} },
    { kind: level_shift, shift: ${r(sd, 2, 6)} } ] }`,
};

/**
 * paranom's hand-written kinds that apply to a real series (frequency needs a process's
 * seasonal component; dropout makes nulls, which NAB never has), every event labelled over
 * its whole window and none checked for its effect: the generator before min_effect.
 */
export const KINDS: GeneratedCondition = {
  id: 'c0',
  title: '(c0) hand-written kinds, no min_effect',
  anomalies: ({ sd }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], kinds: [${handWritten(sd)}] }`,
};

/**
 * The hand-written and shape kinds with the generator's label checks: an event must change
 * the series by at least 1 robust sd (RMS over the event, the learned kind's default bar),
 * else it is redrawn or dropped, and only rows that changed are labelled. No drift.
 */
export const KINDS_SHAPES: GeneratedCondition = {
  id: 'c1',
  title: '(c1) hand-written and shape kinds, min_effect 1, label: changed',
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: 1, ${CHANGED}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}] }`,
};

/** (c1) over a drifting normal series. */
export const KINDS_DRIFT: GeneratedCondition = {
  id: 'c2',
  title: '(c2) as (c1), drift',
  anomalies: KINDS_SHAPES.anomalies,
  drift,
};

/**
 * The whole generator: (c2), and an event still below min_effect after its tries is kept
 * in the values labelled normal (`below: normal`), a near miss instead of a dropped event.
 */
export const FULL: GeneratedCondition = {
  id: 'c',
  title: '(c) as (c2), near misses kept as normal rows',
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: { value: 1, below: normal }, ${CHANGED}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}] }`,
  drift,
};

export function handWritten(sd: number): string {
  return `
    { kind: spike, duration: 1, magnitude: ${r(sd, 3, 8)} },
    { kind: level_shift, shift: ${r(sd, 2, 6)} },
    { kind: variance, sd: ${r(sd, 1, 3)} },
    { kind: trend, slope: ${r(sd, 0.1, 0.3)} },
    { kind: amplitude, weight: 0.5, factor: [0, 0.3] },
    { kind: amplitude, weight: 0.5, factor: [2, 4] },
    { kind: flat_line },
    { kind: noise, magnitude: ${r(sd, 1, 3)} } `;
}

/** The shape kinds that apply to one variable (correlation_break needs two), one weight each in all. */
export function shapes(rows: number): string {
  return `
    { kind: time_warp, weight: 0.5, factor: [0.25, 0.5] },
    { kind: time_warp, weight: 0.5, factor: [2, 4] },
    { kind: pattern_shift, shift: [2, 12] },
    { kind: reversal },
    { kind: smoothing, window: [5, 15] },
    { kind: clipping, weight: 0.5, level: [0.2, 0.6] },
    { kind: clipping, weight: 0.5, level: [0.4, 0.8], direction: down },
    { kind: replay, weight: 0.5, lag: ${Math.round(rows / 4)} },
    { kind: replay, weight: 0.5, lag: ${Math.round(rows / 3)} } `;
}

/**
 * The learned kind alone, over the same drifting normal series as (c): AnoGen's method
 * inside the real series, a VAE trained on the training part moving each event's context
 * to the outlier band (its own min_effect of 1 robust sd is the kind's default), only
 * changed rows labelled.
 */
export const LEARNED: GeneratedCondition = {
  id: 'd',
  title: '(d) learned anomalies, drift',
  needsModel: true,
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], ${CHANGED}, kinds: [
    { kind: learned, model: ${JSON.stringify(model)}, direction: own } ] }`,
  drift,
};

/**
 * The learned kind's entry in a kinds list, with extra settings (YAML flow style) when given.
 * `direction: own` was the kind's default when these conditions ran; it is pinned so a rerun
 * reproduces the saved results (the default is now `random`).
 */
export const learnedKind = (model: string | undefined, weight: number, extra = ''): string => `{ kind: learned, weight: ${weight}, model: ${JSON.stringify(model)}, direction: own${extra} }`;

/** Weight of the hand-written kinds in all (amplitude's two halves count once), and of the shape kinds. */
export const FAMILY_WEIGHT = 7;

/**
 * Everything together, as a user of the whole generator would write it: the hand-written,
 * shape and learned kinds, each family a third of the events (the learned kind weighs as
 * much as the seven hand-written or the seven shape kinds), with (c)'s `min_effect`,
 * `below: normal`, `label: changed` and drift.
 */
export const EVERYTHING: GeneratedCondition = {
  id: 'e',
  title: '(e) hand-written, shape and learned kinds, min_effect 1, label: changed, drift',
  needsModel: true,
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: { value: 1, below: normal }, ${CHANGED}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}, ${learnedKind(ctx.model, FAMILY_WEIGHT)}] }`,
  drift,
};

/**
 * NAB's labelling convention (NAB's documentation: windows cover 10% of a data file's
 * length, split evenly among its anomalies, each centred on its anomaly), applied to the
 * generated data. Fixed from the convention and the file's length only, before any run:
 *
 *  - k = 2 anomalies per file for every series: NAB's corpus average (116 labelled
 *    anomalies in 58 files), one published figure, never a file's own count;
 *  - a labelled window of 10%/k of the file's length, W = 0.05 × fileRows rows, centred on
 *    each event: label_margin of (W − 27) / 2 rows each side, 27 being the mean of the
 *    event durations [6, 48] (at least 0);
 *  - 10% of generated rows labelled, as in NAB: 2 × REPLICATES = 16 events (k per copy of
 *    the training part at the default 8 copies) in `count` mode, over as many copies of
 *    the training part (at least 8) as put their windows at 10% of the generated rows.
 *
 * The detector fits a fixed number of steps (detector.ts), so more copies cost generation
 * time only.
 */
export const NAB_CONVENTION = { k: 2, windowShare: 0.1, labelledShare: 0.1, events: 2 * REPLICATES } as const;

/** Rows of one NAB-convention window for a file of `fileRows` rows. */
export const nabWindow = (fileRows: number): number => Math.max(1, Math.round((NAB_CONVENTION.windowShare * fileRows) / NAB_CONVENTION.k));

/** Copies of the training part that put NAB_CONVENTION.events windows at 10% of the rows. */
export const nabReplicates = ({ rows, fileRows }: SeriesContext): number => Math.max(REPLICATES, Math.ceil((NAB_CONVENTION.events * nabWindow(fileRows)) / (NAB_CONVENTION.labelledShare * rows)));

/** A condition's `anomalies:` block with NAB's windows: `count` events, margins to a window each. */
function nabLabelled(kinds: string, settle: string): (ctx: SeriesContext) => string {
  const meanDuration = (DURATION[0]! + DURATION[1]!) / 2;
  return (ctx) => `{ count: ${NAB_CONVENTION.events}, duration: [${DURATION}], ${settle}label_margin: ${Math.max(0, Math.round((nabWindow(ctx.fileRows) - meanDuration) / 2))}, kinds: [${kinds}] }`;
}

/** (c) with NAB's labelling convention (NAB_CONVENTION): the same kinds, fewer events, windows labelled. */
export const FULL_NAB: GeneratedCondition = {
  id: 'c3',
  title: "(c3) as (c), NAB's labelled windows",
  anomalies: (ctx) => nabLabelled(`${handWritten(ctx.sd)}, ${shapes(ctx.rows)}`, `min_effect: { value: 1, below: normal }, ${CHANGED}, `)(ctx),
  drift,
  replicates: nabReplicates,
};

/** (d) with NAB's labelling convention, as (c3). */
export const LEARNED_NAB: GeneratedCondition = {
  id: 'd3',
  title: "(d3) as (d), NAB's labelled windows",
  needsModel: true,
  anomalies: (ctx) => nabLabelled(`{ kind: learned, model: ${JSON.stringify(ctx.model)}, direction: own }`, `${CHANGED}, `)(ctx),
  drift,
  replicates: nabReplicates,
};

/**
 * (e) with more of the same data: as many copies of the training part as (c3) and (d3)
 * use (generated rows about 8 × the NAB file's length, about 54 copies for most series),
 * so a series carries about 7 times (e)'s events instead of about one per kind. Chosen on
 * generated validation data only (transfer.ts): more copies raised the detector's ROC-AUC
 * on held-out generated events of every family, including families it never trained on.
 */
export const EVERYTHING_MORE: GeneratedCondition = {
  ...EVERYTHING,
  id: 'g',
  title: '(g) as (e), about 7× the events (as many copies as (c3))',
  replicates: nabReplicates,
};

/**
 * The learned kind alone with (g)'s volume and a learned-kind `min_effect` of 2 robust sd
 * (the kind pushes a weaker move further out): on generated validation data, both raised
 * the detector's ROC-AUC on held-out events of every family (transfer.ts).
 */
export const LEARNED_MORE: GeneratedCondition = {
  id: 'h',
  title: '(h) learned anomalies, min_effect 2, drift, (g)\'s volume',
  needsModel: true,
  anomalies: ({ model }) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], ${CHANGED}, kinds: [${learnedKind(model, 1, ', min_effect: 2')}] }`,
  drift,
  replicates: nabReplicates,
};

/**
 * A control for volume, fixed before its run: exactly (b)'s naive spikes and level shifts
 * at (g)'s and (h)'s volume (as many copies of the training part as (c3), nabReplicates),
 * nothing else changed. (g) and (h) were run at about 7× (b)'s events; only against this
 * row does a gain from volume tell paranom's kinds apart from any labelled data.
 */
export const NAIVE_MORE: GeneratedCondition = {
  ...NAIVE,
  id: 'b7',
  title: "(b7) as (b), (g)'s volume (control for volume)",
  replicates: nabReplicates,
};

/**
 * The whole generator as a user writes it with paranom's defaults: a `source` replaying
 * the training part (no `drift`: it is an option of the source, off unless written) and
 * the hand-written, shape and learned kinds, each family a third of the events (as (e)),
 * `min_effect: 1` with its defaults (8 tries, an event still below is dropped), and
 * `label` as given. Every setting that is a default at this commit is written out — the
 * learned kind's `direction: random`, `label: window`, `min_change: 0.5` — so a later
 * change of a default leaves a rerun's data as it was.
 */
const userWhole = (id: string, title: string, label: string): GeneratedCondition => ({
  id,
  title,
  needsModel: true,
  anomalies: (ctx) => `{ frequency: ${FREQUENCY}, duration: [${DURATION}], min_effect: 1, ${label}, kinds: [${handWritten(ctx.sd)}, ${shapes(ctx.rows)}, { kind: learned, weight: ${FAMILY_WEIGHT}, model: ${JSON.stringify(ctx.model)}, direction: random }] }`,
});

/** (u): the whole generator with paranom's default labelling (`label: window`: every row of an event). */
export const USER_WHOLE = userWhole('u', '(u) hand-written, shape and learned kinds, min_effect 1, defaults, no drift', 'label: window');

/** (u-c): (u) with `label: changed` at its default floor (rows moved by 0.5 robust sd), the generator's other labelling. */
export const USER_WHOLE_CHANGED = userWhole('u-c', '(u-c) as (u), label: changed', 'label: changed, min_change: 0.5');

/** The VAE of the learned condition: small, seeded, trained once per series on its training part. */
export const VAE = { window: 48, latent: 4, hidden: [32], epochs: 40, seed: 1, validationSplit: 0.25 } as const;

/** Learning rates tried in turn: train-vae's default, then a tenth of it twice. */
export const VAE_LEARNING_RATES = [1e-3, 1e-4, 1e-5] as const;

/**
 * Trains the learned condition's VAE on the training CSV (pure-JS backend: safe in worker
 * threads). The window shrinks for short training parts so the validation tail still holds
 * 8 windows (the shortest NAB training part is 186 rows). A model train-vae refuses as
 * having learned nothing (its loss exploded) is trained again with a tenth of the learning
 * rate, as train-vae's message advises a user; `onRetry` hears of it.
 */
export async function trainModel(csv: string, rows: number, onRetry?: (message: string) => void): Promise<string> {
  const out = csv.replace(/\.csv$/, '-vae');
  const window = Math.min(VAE.window, Math.floor(rows * VAE.validationSplit) - 8);
  for (const [k, learningRate] of VAE_LEARNING_RATES.entries()) {
    try {
      // Across gaps in the times, as when the saved runs were made (train-vae now leaves such
      // windows out by default): the runs the README renders stay reproducible.
      await trainVae({ data: csv, columns: ['value'], ...VAE, window, out, backend: 'cpu', learningRate, gaps: 'span' });
      return out;
    } catch (err) {
      if ((err as { code?: string }).code !== 'TRAINING_DIVERGED' || k === VAE_LEARNING_RATES.length - 1) throw err;
      onRetry?.(`learning rate ${learningRate}: ${(err as Error).message.split(';')[0]}`);
    }
  }
  throw new Error('unreachable');
}

/** Generated values and labels of one condition for one series and data seed. */
export interface GeneratedData {
  values: Float64Array;
  /** The same rows without anomalies (the clean twin: the replay, drifted when the condition drifts). */
  clean: Float64Array;
  labels: Uint8Array;
  /** Rows per replicate (the training part's length). */
  period: number;
}

/** Writes the training part as the CSV a source variable replays; returns its path. */
export function writeTrainingCsv(series: Series, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, series.name.replace(/[/.]/g, '_') + '.csv');
  const lines = ['timestamp,value'];
  for (let i = 0; i < series.cut; i++) lines.push(`${series.timestamps[i]},${series.values[i]}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The scenario text of one condition: a source over the training CSV (or `variables`) plus its anomalies. */
export function scenarioText(series: Series, csv: string, anomalies: string, seed: number, drift?: string, replicates = REPLICATES, variables?: string): string {
  return [
    `name: experiment`,
    `seed: ${seed}`,
    `timeline: { start: "${series.timestamps[0]!.replace(' ', 'T')}Z", step: ${series.stepMs}ms, rows: ${series.cut * replicates} }`,
    `anomalies: ${anomalies}`,
    `variables:`,
    variables ?? `  value: { type: source, file: ${JSON.stringify(csv)}, column: value, past_end: cycle${drift ? `, drift: ${drift}` : ''} }`,
  ].join('\n');
}

/** Generates one condition's training data with paranom. */
export async function generateCondition(series: Series, csv: string, condition: GeneratedCondition, ctx: SeriesContext, seed: number): Promise<GeneratedData> {
  const scenario = withCleanTwin(parseScenario(scenarioText(series, csv, condition.anomalies(ctx), seed, condition.drift?.(ctx), condition.replicates?.(ctx), condition.variables?.(csv, ctx)), csv + '.yaml'));
  await prepareScenario(scenario);
  const shard = generateShard(scenario, 0, scenario.timeline.rows);
  const column = (name: string): Float64Array => Float64Array.from(shard.values.find((v) => v.name === name)!.data as Float64Array);
  return { values: column('value'), clean: column('value_clean'), labels: Uint8Array.from(shard.isAnomaly), period: series.cut };
}
