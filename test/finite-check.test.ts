/**
 * The run-time guard of allow_non_finite (generate/finite.ts): the first ±Infinity or NaN
 * stored in a float64 or float32 column, outside null rows, is refused with its column and
 * row; every finite value passes, the extremes included.
 */
import { describe, expect, it } from 'vitest';
import { checkFinite } from '../src/generate/finite.js';
import type { ColumnSet, ValueColumn } from '../src/columns/columns.js';

const ROWS = 300;

function set(values: ValueColumn[]): ColumnSet {
  return { rows: ROWS, timestamp: new Int32Array(2 * ROWS), isAnomaly: new Uint8Array(ROWS), anomalyId: new Int32Array(2 * ROWS), values };
}

function column(name: string, data: Float64Array | Float32Array, valid?: Uint8Array): ValueColumn {
  return { name, dtype: data instanceof Float64Array ? 'float64' : 'float32', data, categories: null, ...(valid ? { valid } : {}) };
}

/** What checkFinite throws for these columns, or null. */
function refusal(values: ValueColumn[]): { variable: unknown; row: unknown; message: string } | null {
  try {
    checkFinite(set(values), 1000, 5);
    return null;
  } catch (err) {
    const e = err as { code: string; details: { variable: unknown; row: unknown }; message: string };
    expect(e.code).toBe('VALUE_OUT_OF_RANGE');
    return { variable: e.details.variable, row: e.details.row, message: e.message };
  }
}

describe('non-finite stored floats', () => {
  it('pass when every value is finite, the extremes, zeros and subnormals included', () => {
    const extremes = [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, 0, 2 ** -1074, 1e308];
    const d = Float64Array.from({ length: ROWS }, (_, i) => extremes[i % extremes.length]!);
    const f = Float32Array.from({ length: ROWS }, (_, i) => [3.4028234e38, -3.4028234e38, 1e-45, -0][i % 4]!);
    expect(refusal([column('d', d), column('f', f)])).toBeNull();
  });

  for (const bad of [Infinity, -Infinity, NaN, -NaN]) {
    it(`refuses ${bad} at the first row that holds it, in float64 and float32 columns`, () => {
      for (const ctor of [Float64Array, Float32Array]) {
        const data = new ctor(ROWS).fill(1.5);
        data[250] = bad;
        data[77] = bad;
        const r = refusal([column('ok', new Float64Array(ROWS)), column('x', data)]);
        expect(r, `${ctor.name} ${bad}`).toMatchObject({ variable: 'x', row: 1077 });
        expect(r!.message).toContain(`row 1077 would store ${bad}`);
      }
    });
  }

  it('ignores non-finite values in null rows', () => {
    const data = new Float64Array(ROWS);
    const valid = new Uint8Array(ROWS).fill(1);
    data[10] = NaN;
    valid[10] = 0;
    expect(refusal([column('x', data, valid)])).toBeNull();
    data[20] = -Infinity;
    expect(refusal([column('x', data, valid)])).toMatchObject({ variable: 'x', row: 1020 });
  });

  it('reads a column that is a view into a larger buffer at its own offset', () => {
    const buf = new Float64Array(ROWS + 8).fill(Infinity);
    const view = buf.subarray(4, 4 + ROWS).fill(2);
    expect(refusal([column('x', view)])).toBeNull();
    view[ROWS - 1] = NaN;
    expect(refusal([column('x', view)])).toMatchObject({ row: 1000 + ROWS - 1 });
  });
});
