/**
 * A scenario drafted from a user's real series (`paranom init`): the series replayed as a
 * `source`, with labelled anomalies injected the way paranom's usefulness experiment found
 * most precise (README, "Does the data teach detectors?"): a slow normal drift, the
 * hand-written and shape kinds (and the learned kind, given a model) sized in robust sd of
 * the series, `min_effect` with near misses kept as normal rows, and `label: changed`.
 * Every number is written out with what it was computed from, so the draft is a starting
 * point a user reads and edits, not a black box; it is validated as any scenario before
 * it is returned.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { ParanomError, ScenarioError } from '../errors.js';
import { robustScaleOf } from '../anomaly/effect.js';
import { readSource, readSourceColumns, SourceReadError, type SourceData } from '../variables/source-read.js';
import type { MissingMode } from '../variables/source-missing.js';
import { columnMedian } from '../variables/source-drift.js';
import { EPOCH_UNITS, type EpochUnit } from '../input/epoch.js';
import type { SourceTimes } from '../model/types.js';
import { spellDurationMs } from '../model/units.js';
import { parseScenario } from './load.js';
import { RESERVED_COLUMNS } from './validate.js';

/** What the draft is made from. */
export interface DraftOptions {
  /** The real series: a .csv with a header row, or a .parquet file (as the user gave it). */
  series: string;
  /** Where the scenario will be written: paths in it are relative to its folder. */
  out: string;
  /** The column to replay (default: the only one besides the time column). */
  column?: string | undefined;
  /** The time column; 'none' replays rows in file order (default: `timestamp` if there is one). */
  timeColumn?: string | undefined;
  /** The unit of a time column of epoch numbers (an epoch number does not say its own). */
  timeUnit?: EpochUnit | undefined;
  /** A model directory written by `train-vae` on this series: adds the learned kind. */
  model?: string | undefined;
  /** How many times the series is replayed (the timeline's rows are copies × the file's). */
  copies: number;
  seed: number;
}

/** The drafted scenario and the facts it was sized from. */
export interface Draft {
  text: string;
  variable: string;
  column: string;
  rows: number;
  fileRows: number;
  scale: number;
  missing: MissingMode;
}

/** A series shorter than this gives too few rows for events of up to 48 rows and their context. */
export const MIN_DRAFT_ROWS = 200;
/**
 * What share of rows the events cover, and their lengths in rows: the experiment's
 * (bench/experiment/conditions.ts, which keeps its own copy pinned so a rerun reproduces
 * its saved results whatever a draft says later).
 */
const FREQUENCY = 0.1;
const DURATION = [6, 48] as const;
/** The learned kind weighs as much as the seven hand-written (or the seven shape) kinds: a third of the events. */
const FAMILY_WEIGHT = 7;

const usage = (message: string): ParanomError => new ParanomError('USAGE', message);

/** `dir` with its symbolic links resolved, as far as it exists (the rest as given). */
function realDir(dir: string): string {
  let base = dir;
  while (!existsSync(base) && dirname(base) !== base) base = dirname(base);
  try {
    return join(realpathSync(base), relative(base, dir));
  } catch {
    return dir;
  }
}

/**
 * A path as a scenario in `dir` names it, with forward slashes, quoted for YAML: relative,
 * unless `dir` lies through a symbolic link that makes the relative path lead elsewhere
 * from its real place (`..` there climbs the real tree, not the link's) — then absolute, so
 * the scenario reads the same file by either path.
 */
function fromScenario(dir: string, path: string): string {
  const abs = resolve(path);
  const rel = relative(dir, abs);
  const real = realDir(dir);
  const same = real === dir || resolve(real, rel) === abs || realDir(resolve(real, rel)) === realDir(abs);
  return JSON.stringify((same ? rel : abs).split(sep).join('/'));
}

/** Characters that would end a YAML comment line (or hide what follows on a terminal). */
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

/** A file or column name as a comment shows it: as is, or escaped where a line break in it would end the comment. */
const shown = (name: string, quote = ''): string => (CONTROL.test(name) ? JSON.stringify(name) : `${quote}${name}${quote}`);

/** A word of a shell command, quoted so the command can be pasted as written (and kept on its comment line). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  const code = (c: string): string => (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const escaped = word.replace(/[\\']/g, (c) => `\\${c}`).replace(CONTROL_ALL, code);
  return `$'${escaped}'`;
}

/** `k` robust sds, to four significant digits (a scenario a person reads). */
const sds = (scale: number, k: number): number => Number((k * scale).toPrecision(4));
const range = (scale: number, lo: number, hi: number): string => `[${sds(scale, lo)}, ${sds(scale, hi)}]`;

/**
 * A variable name from a column name: variable names are ASCII identifiers, and none is a
 * column paranom writes itself (a series' column may well be called `timestamp` or `is_anomaly`).
 */
function variableName(column: string): string {
  const name = column.replace(/[^A-Za-z0-9_]/g, '_');
  const reserved = (RESERVED_COLUMNS as readonly string[]).includes(name.toLowerCase());
  return /^[A-Za-z_]/.test(name) && !reserved ? name : `v_${name}`;
}

/** The file's format by its extension. */
function formatOf(series: string): 'csv' | 'parquet' {
  const ext = extname(series).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  throw usage(`${series}: a series is read from a .csv file with a header row or a .parquet file, got '${ext || 'no extension'}'`);
}

/** The series as a source would replay it, and how its missing readings must replay. */
function readSeries(o: DraftOptions, format: 'csv' | 'parquet', column: string, time: string | null): { data: SourceData; missing: MissingMode } {
  const times = time === null ? null : { column: time, ...(o.timeUnit ? { unit: o.timeUnit } : {}) };
  try {
    return { data: readSource(o.series, format, column, times, 'error'), missing: 'error' };
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
  }
  try {
    // Missing readings are a logger's: replayed as the reading before, as `missing: hold` says.
    return { data: readSource(o.series, format, column, times, 'hold'), missing: 'hold' };
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    // Epoch numbers read in some unit: the time column is one, in a unit the file does not say.
    const epoch = time !== null && !o.timeUnit && EPOCH_UNITS.some((unit) => reads(o.series, format, column, { column: time, unit }));
    const untimed = time !== null && reads(o.series, format, column, null);
    // Both columns taken by default: the series may name its readings `timestamp` and its times otherwise.
    const swapped = time !== null && o.timeColumn === undefined && o.column === undefined && reads(o.series, format, time, { column });
    const hint = epoch
      ? `; its column '${time}' holds epoch numbers: pass --time-unit s (or ms, us, ns), as they count`
      : swapped
        ? `; its times are in column '${column}' and its readings in '${time}': pass --time-column ${shellWord(column)} --column ${shellWord(time)}`
        : untimed
          ? `; to replay its rows in file order, ignoring column '${time}', pass --time-column none`
          : '';
    throw usage(`${o.series}: ${err.message}${hint}`);
  }
}

function reads(series: string, format: 'csv' | 'parquet', column: string, times: SourceTimes | null): boolean {
  try {
    readSource(series, format, column, times, 'hold');
    return true;
  } catch {
    return false;
  }
}

/** The median of the steps between consecutive times, in whole milliseconds (at least 1). */
function medianStepMs(times: Float64Array): number {
  return Math.max(1, Math.round(columnMedian(Float64Array.from({ length: times.length - 1 }, (_, i) => times[i + 1]! - times[i]!))));
}

/** Drafts a scenario for `o.series` and validates it as `o.out` would be read. */
export function draftScenario(o: DraftOptions): Draft {
  const format = formatOf(o.series);
  if (!existsSync(o.series)) throw usage(`${o.series}: no such file`);
  if (!statSync(o.series).isFile()) throw usage(`${o.series}: is a ${statSync(o.series).isDirectory() ? 'folder' : 'special file'}, not a file; name the series file itself`);
  let columns: string[];
  try {
    columns = readSourceColumns(o.series, format);
  } catch (err) {
    if (err instanceof SourceReadError) throw usage(`${o.series}: ${err.message}`);
    throw err;
  }
  const listed = columns.map((c) => `'${c}'`).join(', ');
  const time = o.timeColumn === 'none' ? null : (o.timeColumn ?? (columns.includes('timestamp') ? 'timestamp' : null));
  if (time !== null && !columns.includes(time)) throw usage(`--time-column ${time}: ${o.series} has no such column (its columns: ${listed})`);
  const others = columns.filter((c) => c !== time);
  const column = o.column ?? (others.length === 1 ? others[0]! : undefined);
  // With no column called `timestamp`, one of the others may hold the times under another name.
  const timeToo = time === null && o.timeColumn === undefined ? ', and its time column, if it has one, with --time-column (else rows replay in file order)' : '';
  if (column === undefined) throw usage(`${o.series} has ${others.length} columns${time === null ? '' : ` besides the time column '${time}'`}: name the one to replay with --column${timeToo} (its columns: ${listed})`);
  if (!columns.includes(column)) throw usage(`--column ${column}: ${o.series} has no such column (its columns: ${listed})`);
  if (column === time) throw usage(`--column ${column} is the time column; name another with --column, or pass --time-column none`);

  const { data, missing } = readSeries(o, format, column, time);
  const n = data.values.length;
  if (n < MIN_DRAFT_ROWS) throw usage(`${o.series}: ${n} rows; a draft needs at least ${MIN_DRAFT_ROWS}, for events of up to ${DURATION[1]} rows with normal rows around them`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) throw usage(`${o.series}: column '${column}' holds one value (${lo}) in every row; there is no variation to size anomalies by`);
  const { scale, basis } = robustScaleOf(data.values);
  const estimate = basis === 'mad' ? '1.4826 x MAD' : '1.2533 x mean absolute deviation: more than half the readings equal the median, so MAD is 0';
  const rows = o.copies * n;
  const dir = dirname(resolve(o.out));
  const variable = variableName(column);
  const name = basename(o.out, extname(o.out));
  const timeline = data.times
    ? `{ start: "${new Date(data.times[0]!).toISOString()}", step: ${spellDurationMs(medianStepMs(data.times))}, rows: ${rows} }   # the file ${o.copies} times over, at its median spacing`
    : `{ rows: ${rows} }   # the file ${o.copies} times over`;
  const learned = o.model
    ? `    # learned anomalies (AnoGen's method): the model moves each event's clean context into its outlier region
    - { kind: learned, weight: ${FAMILY_WEIGHT}, model: ${fromScenario(dir, o.model)} }`
    : `    # learned anomalies: train a model on the series, then add this line (paths from this file's folder):
    #   paranom train-vae --data ${shellWord(JSON.parse(fromScenario(dir, o.series)) as string)} --columns ${shellWord(column)} --window 48 --latent 4 --hidden 32 --epochs 40 --out models/${variable}
    # - { kind: learned, weight: ${FAMILY_WEIGHT}, model: models/${variable} }`;
  const text = `# Drafted by \`paranom init\` from ${shown(basename(o.series))}: ${n} rows; column ${shown(column, "'")}, median ${Number(columnMedian(data.values).toPrecision(6))}, robust sd ${Number(scale.toPrecision(6))} (${estimate}).
# The series is replayed ${o.copies} times with a slow normal drift, and labelled anomalies are injected
# into it, sized in its robust sd: the recipe paranom's usefulness experiment found most precise
# (README, "Does the data teach detectors?"). Edit any of it; \`paranom validate\` checks it.
name: ${JSON.stringify(name)}
seed: ${o.seed}
timeline: ${timeline}
anomalies:
  frequency: ${FREQUENCY}                # events cover about ${FREQUENCY * 100}% of the rows
  duration: [${DURATION.join(', ')}]             # rows per event (a kind may set its own)
  min_effect: { value: 1, below: normal }   # an event must move the series by 1 robust sd (RMS), else it is redrawn; one that never does stays, labelled normal
  label: changed                 # only the rows an event changed are labelled
  kinds:
    # hand-written kinds, in robust sd of the series (${Number(scale.toPrecision(6))})
    - { kind: spike, duration: 1, magnitude: ${range(scale, 3, 8)} }   # 3-8 sd
    - { kind: level_shift, shift: ${range(scale, 2, 6)} }              # 2-6 sd
    - { kind: variance, sd: ${range(scale, 1, 3)} }                    # 1-3 sd of added noise
    - { kind: trend, slope: ${range(scale, 0.1, 0.3)} }                # 0.1-0.3 sd per row
    - { kind: amplitude, weight: 0.5, factor: [0, 0.3] }
    - { kind: amplitude, weight: 0.5, factor: [2, 4] }
    - { kind: flat_line }
    - { kind: noise, magnitude: ${range(scale, 1, 3)} }                # 1-3 sd
    # shape kinds: the series deformed in time, not added to
    - { kind: time_warp, weight: 0.5, factor: [0.25, 0.5] }
    - { kind: time_warp, weight: 0.5, factor: [2, 4] }
    - { kind: pattern_shift, shift: [2, 12] }
    - { kind: reversal }
    - { kind: smoothing, window: [5, 15] }
    - { kind: clipping, weight: 0.5, level: [0.2, 0.6] }
    - { kind: clipping, weight: 0.5, level: [0.4, 0.8], direction: down }
    - { kind: replay, weight: 0.5, lag: ${Math.round(n / 4)} }     # a normal stretch at the wrong time: a quarter of the file back
    - { kind: replay, weight: 0.5, lag: ${Math.round(n / 3)} }     # a third of the file back
${learned}
variables:
  ${variable}:
    type: source
    description: ${JSON.stringify(`${column} of ${basename(o.series)}, replayed`)}
    file: ${fromScenario(dir, o.series)}
    column: ${JSON.stringify(column)}
    timestamps: ${time === null ? 'ignore' : `{ map: ${JSON.stringify(time)}${o.timeUnit ? `, unit: ${o.timeUnit}` : ''} }`}
    past_end: cycle
${missing === 'hold' ? '    missing: hold                # the file misses readings: each replays as the reading before it\n' : ''}    drift: { offset: ${sds(scale, 1)}, gain: 0.3, every: ${Math.max(2, Math.round(n / 4))} }   # normal, labelled so: the level wanders by up to 1 sd, swings scale by up to 30%, a knot every quarter of the file
${lo >= 0 ? `    limits: [0, null]            # the series never goes below 0, so no kind takes it there; remove if it can\n` : ''}`;
  try {
    parseScenario(text, resolve(o.out));
  } catch (err) {
    // Said of the options and the series: the file its lines would name was never written.
    if (!(err instanceof ScenarioError)) throw err;
    // The learned kind is the last of the kinds: what is wrong there is the model's.
    const learnedAt = `anomalies.kinds[${(text.match(/^ {4}- \{ kind: /gm) ?? []).length - 1}]`;
    const ofModel = (path: string): boolean => o.model !== undefined && path.startsWith(learnedAt);
    const said = err.issues.map((i) => `${ofModel(i.path) ? `--model ${o.model}` : i.path || '(root)'}: ${i.message}`).join('; ');
    const tooMany = err.issues.some((i) => i.path.startsWith('timeline')) ? `; ${o.copies} copies of its ${n} rows are too many for a timeline: pass a smaller --copies` : '';
    const channels = err.issues.some((i) => ofModel(i.path) && /channel/.test(i.message)) ? `; a draft replays one column, so --model takes a model train-vae made of it alone (--columns ${shellWord(column)})` : '';
    throw usage(`${o.series}: the scenario drafted from it does not validate, so ${o.out} was not written (${said})${tooMany}${channels}`);
  }
  return { text, variable, column, rows, fileRows: n, scale, missing };
}
