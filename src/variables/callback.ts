/**
 * Callback variables (Paranom): each row's value is what a user function returns for a
 * context — the row index, its timestamp, a counter-based random source for this
 * (variable, row, attempt), the values already generated for the row, and the anomaly
 * event covering it. `normal` is called on normal rows, `anomalous` (or `normal` if none
 * is given) on rows inside events.
 *
 * Determinism is the callback's part of the bargain: it must be a pure function of its
 * context (no Math.random, no clock, no state kept between calls). paranom visits rows in
 * order within a block but gives no order across shards, so state kept between calls
 * would change values with the layout; `ctx.random` is the source to use.
 */
import { relative } from 'node:path';
import { ParanomError } from '../errors.js';
import { inputPath } from '../model/input-path.js';
import { getInt64, putInt64, type BlockColumn, type ColumnData } from '../columns/columns.js';
import { describe } from '../model/checker.js';
import type { CallbackVariable, Scenario } from '../model/types.js';
import { DrawsExhausted, RowRandom, type RandomSource } from '../random/row-random.js';
import type { AnomalyEvent } from '../anomaly/events.js';
import type { Block, CompiledVariable, VariableKind } from './kind.js';
import { validateCallback } from './callback-validate.js';
import { callbackFunctions, loadCallbackModule, type CallbackFunction } from './callback-load.js';
import { generationOrder } from './callback-order.js';
import { watchIdle, watchPhase, watchRow, WATCH_CALLBACK } from './watch.js';
import { rowTimeMs } from '../model/row-time.js';

/**
 * The anomaly event a row belongs to, as a callback sees it: a function of the event alone,
 * never of where the timeline ends, so a callback's rows are the same when the dataset grows
 * (an event cut by the end has no field saying so: a callback reading one would change them).
 */
export interface CallbackEvent {
  /** The event's id: its start row. */
  readonly id: number;
  readonly kind: string;
  readonly start: number;
  /** One past the event's last row, start + duration (past the timeline's end for an event it cuts). */
  readonly end: number;
  /** Drawn duration in rows. */
  readonly duration: number;
  /** This row's position in the event: 0 on its first row. */
  readonly offset: number;
}

/** A value of another column: number, string, boolean, or null where a dropout removed it. */
export type CellValue = number | string | boolean | null;

/**
 * What a callback receives. The object is reused from row to row: read what you need,
 * do not keep it.
 */
export interface CallbackContext {
  readonly row: number;
  /** Epoch milliseconds of the row. */
  readonly timestamp: number;
  /** Draws of this (variable, row, attempt): uniform, normal, int, bernoulli, pick. */
  readonly random: RandomSource;
  /** Values of the variables generated before this one, for this row, by name. */
  readonly values: Readonly<Record<string, CellValue>>;
  /** The anomaly event covering the row, or null on a normal row. */
  readonly event: CallbackEvent | null;
  readonly variable: string;
  readonly seed: number;
}

type Store = (x: unknown, out: ColumnData, i: number) => string | undefined;

/** Checks and stores a returned value; returns what was wrong, or undefined. */
function storeFor(v: CallbackVariable, allowNonFinite: boolean): Store {
  switch (v.dtype) {
    case 'float64':
    case 'float32':
      return (x, out, i) => {
        if (typeof x !== 'number') return `a ${v.dtype} column needs a number`;
        if (!allowNonFinite && !Number.isFinite(v.dtype === 'float32' ? Math.fround(x) : x)) {
          return Number.isFinite(x) ? 'it overflows a float32 column (±3.4e38)' : `a ${v.dtype} column needs a finite number (set allow_non_finite: true in the scenario to store ±Infinity and NaN)`;
        }
        out[i] = x;
        return undefined;
      };
    case 'int32':
      return (x, out, i) => {
        // A bigint is an integer already (an id from a library, 10n): stored when it fits.
        if (typeof x === 'bigint') x = Number(x);
        if (typeof x !== 'number' || !Number.isFinite(x)) return 'an int32 column needs a finite number';
        const r = Math.round(x);
        if (!(r >= -2147483648 && r <= 2147483647)) return 'it does not fit an int32 column';
        out[i] = r;
        return undefined;
      };
    case 'int64':
      return (x, out, i) => {
        // Past 2^53 Number(x) is no longer exact, and isSafeInteger below refuses it.
        if (typeof x === 'bigint') x = Number(x);
        if (typeof x !== 'number' || !Number.isFinite(x)) return 'an int64 column needs a finite number';
        const r = Math.round(x);
        if (!Number.isSafeInteger(r)) return 'it is not a safe integer (|x| < 2^53)';
        putInt64(out as Int32Array, i, r);
        return undefined;
      };
    case 'bool':
      return (x, out, i) => {
        if (typeof x !== 'boolean') return 'a bool column needs true or false';
        out[i] = x ? 1 : 0;
        return undefined;
      };
    case 'string': {
      const index = new Map((v.categories ?? []).map((s, k) => [s, k]));
      return (x, out, i) => {
        if (typeof x !== 'string') return 'a string column needs a string';
        const k = index.get(x);
        if (k === undefined) return `it is not one of the declared values (${(v.categories ?? []).join(', ')})`;
        out[i] = k;
        return undefined;
      };
    }
  }
}

function describeValue(x: unknown): string {
  if (typeof x === 'number' && Number.isNaN(x)) return 'NaN';
  // An async function's value: a callback is called synchronously, row by row.
  if (typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function') {
    // Its rejection (an async callback that throws) is this message's, not an unhandled one that would end the worker.
    (x as PromiseLike<unknown>).then(undefined, () => undefined);
    return 'a Promise (an async function, or one returning a Promise: callbacks are called synchronously, row by row; return the value itself)';
  }
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? 'an object' : describe(x);
}

/** A callback module as messages name it: relative to the working directory when under it, else absolute (the scenario records it relative to itself). */
export function moduleShownAs(scenario: Pick<Scenario, 'baseDir'>, v: Pick<CallbackVariable, 'module'>): string {
  const abs = inputPath(scenario.baseDir, v.module);
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

function failure(v: CallbackVariable, where: string, fn: string, row: number, seed: number, what: string, cause?: unknown): ParanomError {
  const e = new ParanomError('CALLBACK_FAILED', `variable '${v.name}': callback '${fn}' (${where}) at row ${row}, seed ${seed}: ${what}`, { variable: v.name, callback: fn, module: v.module, row, seed });
  const stack = (cause as Error | undefined)?.stack;
  if (stack) e.stack = `${e.name}: ${e.message}\n  caused by: ${stack}`;
  return e;
}

/** Reads one cell of a generated column as the value a callback sees. */
function cellReader(scenario: Scenario, name: string): (columns: ReadonlyMap<string, BlockColumn>, i: number) => CellValue {
  const v = scenario.variables.find((x) => x.name === name)!;
  const read = (col: ColumnData, i: number): CellValue => {
    switch (v.dtype) {
      case 'int64':
        return getInt64(col as Int32Array, i);
      case 'bool':
        return col[i] === 1;
      case 'string':
        return v.categories![col[i]!]!;
      default:
        return col[i]!;
    }
  };
  return (columns, i) => {
    const { data, valid } = columns.get(name)!;
    return valid && valid[i] === 0 ? null : read(data, i);
  };
}

/** A values object whose properties read the current row of the earlier columns. */
function valuesView(scenario: Scenario, names: readonly string[], cursor: { columns: ReadonlyMap<string, BlockColumn>; index: number }): Record<string, CellValue> {
  const view = {} as Record<string, CellValue>;
  for (const name of names) {
    const read = cellReader(scenario, name);
    Object.defineProperty(view, name, { enumerable: true, get: () => read(cursor.columns, cursor.index) });
  }
  return Object.freeze(view);
}

/** Compiles a callback variable whose module is loaded (see callback-load.ts). */
function compileCallback(v: CallbackVariable, scenario: Scenario, random: RowRandom): CompiledVariable {
  const fns = callbackFunctions(v);
  const store = storeFor(v, scenario.allowNonFinite === true);
  const order = generationOrder(scenario.variables);
  const earlier = order.slice(0, order.findIndex((x) => x.name === v.name)).map((x) => x.name);
  const cursor = { columns: new Map<string, BlockColumn>() as ReadonlyMap<string, BlockColumn>, index: 0 };
  const ctx = { row: 0, timestamp: 0, random: random as RandomSource, values: valuesView(scenario, earlier, cursor), event: null as CallbackEvent | null, variable: v.name, seed: scenario.seed };
  const { startMs, stepMs, jitter } = scenario.timeline;
  const seed = scenario.seed;

  const watchIndex = scenario.variables.findIndex((x) => x.name === v.name);
  // Messages name the module as the user finds it from here (the scenario records it relative to itself).
  const where = moduleShownAs(scenario, v);
  const fill = (block: Block, out: ColumnData): void => {
    watchPhase(WATCH_CALLBACK, watchIndex, block.rowStart);
    try {
      fillRows(block, out);
    } finally {
      watchIdle();
    }
  };
  const fillRows = (block: Block, out: ColumnData): void => {
    cursor.columns = block.columns;
    random.beginBlock(block.rowStart, block.count);
    const events: readonly AnomalyEvent[] = block.events;
    let e = 0;
    for (let i = 0; i < block.count; i++) {
      const row = block.rowStart + i;
      const idx = block.offset + i;
      cursor.index = idx;
      ctx.row = row;
      ctx.timestamp = jitter ? rowTimeMs(scenario.timeline, row) : startMs + row * stepMs;
      random.at(row, 0);
      while (e < events.length && events[e]!.end <= row) e++;
      const ev = e < events.length && events[e]!.start <= row ? events[e]! : undefined;
      ctx.event = ev ? { id: ev.id, kind: ev.kind, start: ev.start, end: ev.start + ev.duration, duration: ev.duration, offset: row - ev.start } : null;
      const anomalous = block.anomalous[i] === 1;
      const fn: CallbackFunction = anomalous ? fns.anomalous : fns.normal;
      let x: unknown;
      watchRow(row);
      try {
        x = fn(ctx);
      } catch (err) {
        const name = anomalous && v.anomalous ? v.anomalous : v.normal;
        if (err instanceof DrawsExhausted) throw failure(v, where, name, row, seed, err.message);
        throw failure(v, where, name, row, seed, `threw ${err instanceof Error ? `${err.name}: ${err.message}` : describeValue(err)}`, err);
      }
      const wrong = store(x, out, idx);
      if (wrong !== undefined) {
        const name = anomalous && v.anomalous ? v.anomalous : v.normal;
        throw failure(v, where, name, row, seed, `returned ${describeValue(x)}, but ${wrong}`);
      }
    }
  };
  return { variable: v, fill };
}

/** `type: callback`. */
export const callbackKind: VariableKind<CallbackVariable> = {
  keys: ['dtype', 'module', 'normal', 'anomalous', 'after', 'values'],
  validate: validateCallback,
  load: loadCallbackModule,
  compile(v, { key, scenario }): CompiledVariable {
    return compileCallback(v, scenario, new RowRandom(key, v.stream));
  },
};
