/**
 * Fingerprints of key tuples: 52-bit integers held exactly in a double (two independent
 * 32-bit mixes of the stored values' bit patterns). Equal tuples always share a
 * fingerprint; the rare unequal tuples that share one are told apart by recomputing the
 * values (see resolve.ts), so uniqueness stays exact.
 */
import { fmix32 } from '../random/hash.js';
import { BLOCK_ROWS } from '../format.js';
import { seedKey } from '../random/counter.js';
import { eventsOverlapping, type AnomalyEvent } from '../anomaly/events.js';
import { allocColumn, getInt64, type ColumnData } from '../columns/columns.js';
import { compileVariable } from '../variables/registry.js';
import type { CompiledVariable } from '../variables/kind.js';
import type { DType, Scenario } from '../model/types.js';
import { denseEncoding } from './dense.js';

const f64 = new Float64Array(1);
const f64w = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32w = new Uint32Array(f32.buffer);
const TWO32 = 4294967296;

/** The two 32-bit words of a stored value's bit pattern. */
function words(dtype: DType, v: number, out: Uint32Array): void {
  switch (dtype) {
    case 'float64':
      f64[0] = v === 0 ? 0 : v; // -0 and 0 are one value to readers
      out[0] = f64w[0]!;
      out[1] = f64w[1]!;
      return;
    case 'float32':
      f32[0] = v === 0 ? 0 : v;
      out[0] = f32w[0]!;
      out[1] = 0;
      return;
    case 'int64': {
      const hi = Math.floor(v / TWO32);
      out[0] = (v - hi * TWO32) >>> 0;
      out[1] = hi >>> 0;
      return;
    }
    default:
      out[0] = v >>> 0;
      out[1] = 0;
  }
}

function mix(h: number, w: number): number {
  h ^= Math.imul(w, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h, 0x1b873593) + 0xe6546b64;
}


const w2 = new Uint32Array(2);

/** Fingerprint of a tuple of stored values with the given column types. */
export function tupleFingerprint(values: ArrayLike<number>, dtypes: readonly DType[]): number {
  let a = 0x9747b28c;
  let b = 0x2f8a3c15;
  for (let k = 0; k < dtypes.length; k++) {
    words(dtypes[k]!, values[k]!, w2);
    a = mix(mix(a, w2[0]!), w2[1]!);
    b = mix(mix(b, w2[1]! ^ 0x5bd1e995), w2[0]!);
  }
  return fmix32(a) * 1048576 + (fmix32(b) >>> 12);
}

/** Reads the stored value of row i of a column buffer. */
function readStored(data: ColumnData, dtype: DType, i: number): number {
  return dtype === 'int64' ? getInt64(data as Int32Array, i) : data[i]!;
}

/** The compiled key variables of a scenario, in key order. */
export function compileKey(scenario: Scenario): CompiledVariable[] {
  const key = seedKey(scenario.seed);
  const names = scenario.uniqueness?.key ?? [];
  return names.map((n) => compileVariable(scenario.variables.find((v) => v.name === n)!, { scenario, key, retried: true }));
}

export interface ShardFingerprints {
  rowStart: number;
  /** Attempt-0 fingerprint of each row. */
  fps: Float64Array;
  /** 1 for anomalous rows. */
  anomalous: Uint8Array;
}

/**
 * Attempt-0 fingerprints of rows [rowStart, rowEnd): the parallel first pass of uniqueness.
 * With `dense`, the exact mixed-radix codes of each row's class instead (see dense.ts). A
 * row's class is anomalous inside the events `kept` keeps (min_effect drops some: their rows
 * are normal rows).
 */
export function fingerprintRows(scenario: Scenario, rowStart: number, rowEnd: number, dense = false, kept: (e: AnomalyEvent) => boolean = () => true): ShardFingerprints {
  const rows = rowEnd - rowStart;
  const anomalous = new Uint8Array(rows);
  for (const e of eventsOverlapping(scenario, rowStart, rowEnd)) {
    if (!kept(e)) continue;
    anomalous.fill(1, Math.max(e.start, rowStart) - rowStart, Math.min(e.end, rowEnd) - rowStart);
  }
  const keyVars = compileKey(scenario);
  const dtypes = keyVars.map((c) => c.variable.dtype);
  const n = Math.min(BLOCK_ROWS, rows);
  const cols = dtypes.map((d) => allocColumn(d, n));
  const scratch = new Float64Array(n);
  const fps = new Float64Array(rows);
  const tuple = new Float64Array(dtypes.length);
  const enc = dense ? { normal: denseEncoding(scenario, 'normal'), anomalous: denseEncoding(scenario, 'anomalous') } : null;
  for (let off = 0; off < rows; off += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, rows - off);
    const block = { rowStart: rowStart + off, count, anomalous: anomalous.subarray(off, off + count), events: [], columns: new Map(), offset: 0, scratch };
    keyVars.forEach((c, k) => c.fill(block, cols[k]!));
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < dtypes.length; k++) tuple[k] = readStored(cols[k]!, dtypes[k]!, i);
      if (enc) {
        const e = anomalous[off + i] ? enc.anomalous : enc.normal;
        fps[off + i] = e ? e.encode(tuple) : 0;
      } else fps[off + i] = tupleFingerprint(tuple, dtypes);
    }
  }
  return { rowStart, fps, anomalous };
}
