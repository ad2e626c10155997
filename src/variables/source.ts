/**
 * Source variables: a column of real data (CSV or Parquet) replayed along the timeline,
 * so anomaly kinds can be injected into a user's own clean series (AnomalyGenerator).
 *
 * With `timestamps: ignore` (the default) timeline row i takes file row offset + i. With
 * `timestamps: map` the file's own timestamps are shifted so its first one falls on
 * timeline.start, and row i takes the last file row at or before its time (sample and
 * hold: a 5-minute series on a 1-minute timeline repeats each value five times); epoch
 * numbers are mapped only with their unit named, `{ map: <column>, unit: s | ms | us | ns }`.
 *
 * Past the end of the file (`past_end`): `cycle` (default) starts again from the file's
 * first row — for mapped timestamps the file's span is its first-to-last time plus its
 * mean spacing; `hold` repeats the last value; `error` stops the run at the first row past
 * the end. Every row is a pure function of its index, so D1–D3 hold (`error` aside, which
 * refuses to grow past the file). `drift` (source-drift.ts) varies the replay's level and
 * gain slowly, as normal behaviour.
 */
import { upperBound } from '../math/search.js';
import { extname } from 'node:path';
import { ParanomError } from '../errors.js';
import { Checker, describe, join } from '../model/checker.js';
import type { SourceVariable, Timeline } from '../model/types.js';
import type { CompiledVariable, VariableInput, VariableKind } from './kind.js';
import { checkFileName } from './callback-validate.js';
import { readSource, readSourceColumns, sourceData, SourceReadError, type SourceData } from './source-read.js';
import { columnMedian, DriftCurve, validateDrift } from './source-drift.js';
import { seedKey, type SeedKey } from '../random/counter.js';
import { EPOCH_UNITS, type EpochUnit } from '../input/epoch.js';
import { heldReadings, MISSING_MODES, type MissingMode } from './source-missing.js';

const PAST_END = ['cycle', 'hold', 'error'] as const;

/** Validates a source entry, reading the file (once: parsed and hashed together) to check the column and count its rows. */
function validateSource(c: Checker, input: VariableInput): SourceVariable | undefined {
  const { name, stream, path, raw: o } = input;
  const entry = o['file'] === undefined ? c.fail(join(path, 'file'), 'required: a CSV or Parquet file, relative to the scenario') : checkFileName(c, o['file'], join(path, 'file'), input, ['.csv', '.parquet']);
  let dtype: SourceVariable['dtype'] = 'float64';
  if (o['dtype'] !== undefined) {
    if (o['dtype'] !== 'float64' && o['dtype'] !== 'float32') return c.fail(join(path, 'dtype'), `a source fills a float64 or float32 column, got ${describe(o['dtype'])}`);
    dtype = o['dtype'];
  }
  const pastEnd = o['past_end'] ?? 'cycle';
  if (!(PAST_END as readonly unknown[]).includes(pastEnd)) return c.fail(join(path, 'past_end'), `expected one of: ${PAST_END.join(', ')}, got ${describe(pastEnd)}`);
  const missing = o['missing'] ?? 'error';
  if (!(MISSING_MODES as readonly unknown[]).includes(missing)) return c.fail(join(path, 'missing'), `how missing readings in the file replay, one of: ${MISSING_MODES.join(', ')}, got ${describe(missing)}`);
  let timestamps: SourceVariable['timestamps'] = { mode: 'ignore' };
  const ts = o['timestamps'];
  if (ts === 'map') timestamps = { mode: 'map', column: 'timestamp' };
  else if (ts !== undefined && ts !== 'ignore') {
    const t = c.object(ts, join(path, 'timestamps'));
    if (!t) return undefined;
    c.keys(t, join(path, 'timestamps'), ['map', 'unit']);
    if (typeof t['map'] !== 'string' || t['map'] === '') return c.fail(join(path, 'timestamps'), `expected ignore, map, or { map: <timestamp column>, unit: <epoch unit, for epoch numbers> }, got ${describe(ts)}`);
    const unit = t['unit'];
    if (unit !== undefined && !(EPOCH_UNITS as readonly unknown[]).includes(unit)) return c.fail(join(join(path, 'timestamps'), 'unit'), `the unit of epoch numbers, one of: ${EPOCH_UNITS.join(', ')} (seconds, milliseconds, microseconds, nanoseconds), got ${describe(unit)}`);
    // No unit key at all when none is given: a scenario without one records (and hashes) as before.
    timestamps = { mode: 'map', column: t['map'], ...(unit !== undefined ? { unit: unit as EpochUnit } : {}) };
  }
  const offset = o['offset'] === undefined ? 0 : c.number(o['offset'], join(path, 'offset'), { integer: true, ge: 0 });
  if (offset === undefined) return undefined;
  if (offset > 0 && timestamps.mode === 'map') return c.fail(join(path, 'offset'), 'offset applies to timestamps: ignore; with mapped timestamps the file starts at timeline.start');
  if (o['column'] !== undefined && (typeof o['column'] !== 'string' || o['column'] === '')) return c.fail(join(path, 'column'), `expected a column name, got ${describe(o['column'])}`);
  const drift = o['drift'] === undefined ? undefined : validateDrift(c, o['drift'], join(path, 'drift'));
  if (o['drift'] !== undefined && !drift) return undefined;
  if (!entry) return undefined;
  const format = extname(entry.file).toLowerCase() === '.parquet' ? 'parquet' : 'csv';
  const fileLabel = String(o['file']);
  try {
    let column = o['column'] as string | undefined;
    if (column === undefined) {
      const cols = readSourceColumns(entry.abs, format);
      const candidates = cols.filter((x) => x !== 'timestamp' && x !== (timestamps.mode === 'map' ? timestamps.column : ''));
      if (candidates.length !== 1) return c.fail(join(path, 'column'), `required: ${fileLabel} has columns ${cols.join(', ')}; name the one to replay`);
      column = candidates[0]!;
    }
    const data = readSource(entry.abs, format, column, timestamps.mode === 'map' ? timestamps : null, missing as MissingMode);
    // No missing key unless set: a scenario without one records (and hashes) as before.
    const v: SourceVariable = { name, type: 'source', dtype, stream, file: entry.file, format, sha256: data.sha256, column, fileRows: data.values.length, offset, timestamps, pastEnd: pastEnd as SourceVariable['pastEnd'], ...(missing !== 'error' ? { missing: missing as 'hold' | 'keep' } : {}), ...(drift ? { drift } : {}), anomalous: null, categories: null };
    if (timestamps.mode === 'map' && v.fileRows < 2) return c.fail(join(path, 'timestamps'), 'mapping timestamps needs at least two rows in the file');
    if (offset >= v.fileRows) return c.fail(join(path, 'offset'), `must be below the file's ${v.fileRows} rows, got ${offset}`);
    return v;
  } catch (err) {
    if (err instanceof SourceReadError) return c.fail(join(path, 'file'), `${fileLabel}: ${err.message}`);
    throw err;
  }
}

function pastEndError(v: SourceVariable, row: number, seed: number): ParanomError {
  return new ParanomError(
    'SCENARIO_INVALID',
    `variable '${v.name}': row ${row} is past the end of ${v.file} (${v.fileRows} rows${v.offset ? ` from offset ${v.offset}` : ''}) and past_end is 'error' (seed ${seed}); set past_end: cycle or hold, or generate fewer rows`,
    { variable: v.name, row, seed },
  );
}

/** File row replayed at each timeline row, for a given source (-1: past the end with `error`). */
function fileRowOf(v: SourceVariable, data: SourceData, timeline: Pick<Timeline, 'stepMs'>): (row: number) => number {
  const n = data.values.length;
  if (v.timestamps.mode === 'ignore') {
    return (row) => {
      const k = v.offset + row;
      if (k < n) return k;
      return v.pastEnd === 'cycle' ? k % n : v.pastEnd === 'hold' ? n - 1 : -1;
    };
  }
  const t = data.times!;
  const t0 = t[0]!;
  const spacing = (t[n - 1]! - t0) / (n - 1);
  const span = t[n - 1]! - t0 + spacing;
  return (row) => {
    let dt = row * timeline.stepMs;
    if (dt >= span) {
      if (v.pastEnd === 'hold') return n - 1;
      if (v.pastEnd === 'error') return -1;
      dt %= span;
    }
    const tau = t0 + dt;
    // The last file row at or before tau.
    return Math.max(0, upperBound(t, tau, 0, n) - 1);
  };
}

/**
 * How many timeline rows the source can give: all of them, except with `past_end: error`,
 * where rows past the file fail. Measuring an event looks at rows around it that may lie
 * past the timeline (so the result does not change when the dataset grows); it stops here.
 */
export function sourceRowLimit(v: SourceVariable, timeline: Pick<Timeline, 'stepMs'>, baseDir: string | undefined): number {
  if (v.pastEnd !== 'error') return Infinity;
  const at = fileRowOf(v, sourceData(v, baseDir), timeline);
  // fileRowOf is -1 from the first row past the file on: find that row.
  let lo = 0;
  let hi = 1;
  while (at(hi) >= 0) hi *= 2;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The median of each source column, computed once per thread (a sort of the whole file's values). */
const medians = new WeakMap<Float64Array, number>();

function medianOf(values: Float64Array): number {
  let m = medians.get(values);
  if (m === undefined) medians.set(values, (m = columnMedian(values)));
  return m;
}

/** A kept column's readings with its gaps held (source-missing.ts), made once per thread. */
const helds = new WeakMap<Float64Array, Float64Array>();

function heldOf(values: Float64Array): Float64Array {
  let h = helds.get(values);
  if (h === undefined) helds.set(values, (h = heldReadings(values)));
  return h;
}

/**
 * Compiles a source: the file's values (read once per run, shared by the threads) replayed
 * by row. With `missing: keep` a gap's row is filled with the held reading, for anomaly
 * kinds to work from, and reported by `gaps` for the pipeline to null after them; the
 * median that drift centres on is that of the readings present (columnMedian skips NaN).
 */
function compileSource(v: SourceVariable, timeline: Timeline, seed: number, baseDir: string | undefined, key: SeedKey = seedKey(seed)): CompiledVariable {
  const data = sourceData(v, baseDir);
  const values = data.values;
  const replayed = v.missing === 'keep' ? heldOf(values) : values;
  const at = fileRowOf(v, data, timeline);
  const drift = v.drift ? new DriftCurve(v.drift, key, v.stream, medianOf(values)) : undefined;
  const compiled: CompiledVariable = {
    variable: v,
    fill(block, out) {
      for (let i = 0; i < block.count; i++) {
        const row = block.rowStart + i;
        const k = at(row);
        if (k < 0) throw pastEndError(v, row, seed);
        out[block.offset + i] = drift ? drift.at(row, replayed[k]!) : replayed[k]!;
      }
    },
  };
  if (v.missing !== 'keep') return compiled;
  return {
    ...compiled,
    gaps(rowStart, count, out) {
      let any = false;
      for (let i = 0; i < count; i++) {
        const k = at(rowStart + i);
        const gap = k >= 0 && Number.isNaN(values[k]!);
        out[i] = gap ? 1 : 0;
        any ||= gap;
      }
      return any;
    },
  };
}

/** `type: source`. */
export const sourceKind: VariableKind<SourceVariable> = {
  keys: ['dtype', 'file', 'column', 'timestamps', 'past_end', 'offset', 'drift', 'missing'],
  validate: validateSource,
  async load(v, s) {
    // Columns read on this thread or handed to it are the recorded version; else the file must still be.
    sourceData(v, s.baseDir);
  },
  compile(v, { scenario, key }) {
    return compileSource(v, scenario.timeline, scenario.seed, scenario.baseDir, key);
  },
};
