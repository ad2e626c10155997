/**
 * Stochastic variables: each row's value is its class's distribution applied to the
 * row's uniform at (seed, variable stream, row, attempt 0, draw 0) — further draws only
 * for rejection samplers. Nothing is carried from row to row (D1), so any block can be
 * generated alone (D2, D3) and other variables never shift this one's stream (D4).
 */
import { ParanomError } from '../errors.js';
import { compileSampler, type Sampler } from '../distribution/sampler.js';
import { fillRowUniforms, rowUniform, RowDraws, type SeedKey } from '../random/counter.js';
import type { StochasticVariable } from '../model/types.js';
import { putInt64, type ColumnData } from '../columns/columns.js';
import type { CompiledVariable, VariableKind } from './kind.js';
import { validateStochastic } from './stochastic-validate.js';
import { compileBlockKernel, type BlockKernel } from '../distribution/block.js';
import { addPhase, clock, timing } from '../phases.js';

export interface CompiledStochastic {
  variable: StochasticVariable;
  normal: Sampler;
  anomalous: Sampler;
  draws: RowDraws;
  /** Block kernels (distribution/block.ts) of both classes, or null: the per-row path. */
  blocks: { normal: BlockKernel; anomalous: BlockKernel | null } | null;
}

export function compileStochastic(v: StochasticVariable, key: SeedKey): CompiledStochastic {
  const normal = compileSampler(v.normal, v.dtype, v.categories);
  const anomalous = v.anomalous ? compileSampler(v.anomalous, v.dtype, v.categories) : normal;
  const normalBlock = compileBlockKernel(v.normal, v.dtype, v.categories);
  const anomalousBlock = v.anomalous ? compileBlockKernel(v.anomalous, v.dtype, v.categories) : null;
  const blocks = normalBlock && (!v.anomalous || anomalousBlock) ? { normal: normalBlock, anomalous: anomalousBlock } : null;
  return { variable: v, normal, anomalous, draws: new RowDraws(key, v.stream), blocks };
}

function outOfRange(v: StochasticVariable, row: number, value: number, seed: number): ParanomError {
  return new ParanomError(
    'VALUE_OUT_OF_RANGE',
    `variable '${v.name}' produced ${value} at row ${row}, which does not fit its ${v.dtype} column (seed ${seed}); widen the dtype or narrow the distribution`,
    { variable: v.name, row, value, seed },
  );
}

/** The stored value of one row at one attempt (the scalar path used by uniqueness). */
export function storedValue(c: CompiledStochastic, key: SeedKey, seed: number, row: number, attempt: number, anomalous: boolean): number {
  const v = c.variable;
  const x = (anomalous ? c.anomalous : c.normal)(rowUniform(key, v.stream, row, attempt, 0), c.draws.at(row, attempt));
  switch (v.dtype) {
    case 'float32':
      return Math.fround(x);
    case 'bool':
      return x !== 0 ? 1 : 0;
    case 'int32': {
      const r = Math.round(x);
      if (!(r >= -2147483648 && r <= 2147483647)) throw outOfRange(v, row, r, seed);
      return r;
    }
    case 'int64': {
      const r = Math.round(x);
      if (!Number.isSafeInteger(r)) throw outOfRange(v, row, r, seed);
      return r;
    }
    default:
      return x;
  }
}

/** Writes a stored value into a column buffer at index i. */
function storeValue(out: ColumnData, dtype: StochasticVariable['dtype'], i: number, value: number): void {
  if (dtype === 'int64') putInt64(out as Int32Array, i, value);
  else out[i] = value;
}

/**
 * Generates rows [rowStart, rowStart+count) into `out` starting at `offset`.
 * `anomalous[i]` is 1 where row rowStart+i belongs to an anomaly event.
 * `u` is a reusable scratch buffer of at least `count` uniforms.
 */
export function fillStochastic(
  c: CompiledStochastic,
  key: SeedKey,
  seed: number,
  rowStart: number,
  count: number,
  anomalous: Uint8Array,
  u: Float64Array,
  out: ColumnData,
  offset: number,
): void {
  const v = c.variable;
  const t = timing ? clock() : 0;
  fillRowUniforms(key, v.stream, 0, 0, rowStart, count, u);
  if (timing) addPhase('prng', t);
  if (c.blocks) {
    // Runs of normal and anomalous rows, each through its class's block kernel.
    const { normal: kn, anomalous: ka } = c.blocks;
    if (!ka) {
      kn(u, 0, count, out, offset);
      return;
    }
    const a = anomalous.subarray(0, count);
    let i = 0;
    while (i < count) {
      let j = a.indexOf(1, i);
      if (j < 0) j = count;
      if (j > i) kn(u, i, j, out, offset);
      if (j >= count) break;
      let k = a.indexOf(0, j);
      if (k < 0) k = count;
      ka(u, j, k, out, offset);
      i = k;
    }
    return;
  }
  const draws = c.draws;
  const { normal, anomalous: anom } = c;
  switch (v.dtype) {
    case 'float64':
    case 'float32':
      for (let i = 0; i < count; i++) {
        out[offset + i] = (anomalous[i] ? anom : normal)(u[i]!, draws.at(rowStart + i, 0));
      }
      return;
    case 'bool':
      for (let i = 0; i < count; i++) {
        out[offset + i] = (anomalous[i] ? anom : normal)(u[i]!, draws.at(rowStart + i, 0)) !== 0 ? 1 : 0;
      }
      return;
    case 'string':
      for (let i = 0; i < count; i++) {
        out[offset + i] = (anomalous[i] ? anom : normal)(u[i]!, draws.at(rowStart + i, 0));
      }
      return;
    case 'int32':
      for (let i = 0; i < count; i++) {
        const x = Math.round((anomalous[i] ? anom : normal)(u[i]!, draws.at(rowStart + i, 0)));
        if (!(x >= -2147483648 && x <= 2147483647)) throw outOfRange(v, rowStart + i, x, seed);
        out[offset + i] = x;
      }
      return;
    case 'int64': {
      const o = out as Int32Array;
      for (let i = 0; i < count; i++) {
        const x = Math.round((anomalous[i] ? anom : normal)(u[i]!, draws.at(rowStart + i, 0)));
        if (!Number.isSafeInteger(x)) throw outOfRange(v, rowStart + i, x, seed);
        putInt64(o, offset + i, x);
      }
      return;
    }
  }
}

export const stochasticKind: VariableKind<StochasticVariable> = {
  keys: ['dtype', 'normal', 'anomalous'],
  validate: validateStochastic,
  compile(v, ctx): CompiledVariable {
    const { retried } = ctx;
    let { key } = ctx;
    let seed = ctx.scenario.seed;
    const c = compileStochastic(v, key);
    const valueAt = (row: number, attempt: number, anomalous: boolean) => storedValue(c, key, seed, row, attempt, anomalous);
    return {
      variable: v,
      fill(block, out) {
        fillStochastic(c, key, seed, block.rowStart, block.count, block.anomalous, block.scratch, out, block.offset);
        if (!retried || !block.retries) return;
        const { rows, attempts } = block.retries;
        for (let j = 0; j < rows.length; j++) {
          const i = rows[j]! - block.rowStart;
          storeValue(out, v.dtype, block.offset + i, valueAt(rows[j]!, attempts[j]!, block.anomalous[i] === 1));
        }
      },
      valueAt,
      rebind(next, scenario, nextKey) {
        // The samplers are compiled from the definition: another one (per-entity numbers in
        // it) is compiled again. The same one draws from the new key's streams.
        if (next !== v) return false;
        c.draws = new RowDraws(nextKey, v.stream);
        key = nextKey;
        seed = scenario.seed;
        return true;
      },
    };
  },
};
