/**
 * Block kernels of the stochastic hot loop: one tight loop per distribution over a run of
 * rows, instead of one sampler call (and one draw cursor) per row.
 *
 * Each kernel evaluates exactly the expression the scalar sampler of
 * distribution/sampler.ts evaluates, with the same operations in the same order, so the
 * stored values are bit-identical to the scalar path that `valueAt`/`storedValue` (and
 * so uniqueness) use; test/prng-fast.test.ts compares them on every distribution.
 * Distributions that take further draws of a row (poisson's rejection sampler) have no
 * kernel and stay on the per-row path.
 */
import type { DType, Distribution } from '../model/types.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';
import { wasmAffine, wasmCentralNormals, wasmPhiloxAvailable, WASM_MAX_NORMALS } from '../random/philox-wasm.js';
import { categoryCode, cumulativeWeights } from './sampler.js';
import { wasmExponentials, wasmExps, wasmKernelsAvailable, wasmNormalTails } from './kernels-wasm.js';

/** Writes the values of u[from..to) into out[offset + from .. offset + to). */
export type BlockKernel = (u: Float64Array, from: number, to: number, out: Float64Array | Float32Array | Int32Array | Uint8Array, offset: number) => void;

/** What a categorical/constant value stores (as distribution/sampler.ts encodes it). */
function encode(v: string | number | boolean, dtype: DType, categories: readonly string[] | null): number | undefined {
  if (dtype === 'string') return categoryCode(categories!, String(v));
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
  return undefined;
}

/** Guide-table resolution of a categorical: 2^GUIDE_BITS buckets of the unit interval. */
const GUIDE_BITS = 10;

function categoricalKernel(d: Extract<Distribution, { dist: 'categorical' }>, dtype: DType, categories: readonly string[] | null): BlockKernel | null {
  const codes: number[] = [];
  for (const v of d.values) {
    const c = encode(v, dtype, categories);
    if (c === undefined) return null;
    codes.push(c);
  }
  if (codes.length === 1) {
    const only = codes[0]!;
    return (_u, from, to, out, offset) => out.fill(only, offset + from, offset + to);
  }
  // The same cumulative weights as the per-row sampler, so both pick the same index.
  const cum = cumulativeWeights(d.weights);
  // guide[k]: the answer for the smallest u of bucket k; the answer is non-decreasing in
  // u, so a scan from guide[floor(u·2^bits)] finds the same first index as bisection.
  const buckets = 1 << GUIDE_BITS;
  const guide = new Int32Array(buckets);
  for (let k = 0, i = 0; k < buckets; k++) {
    const lo = k / buckets;
    while (i < cum.length - 1 && !(lo < cum[i]!)) i++;
    guide[k] = i;
  }
  const codeOf = Float64Array.from(codes);
  return (u, from, to, out, offset) => {
    for (let i = from; i < to; i++) {
      const x = u[i]!;
      let j = guide[(x * buckets) | 0]!;
      while (!(x < cum[j]!)) j++;
      out[offset + i] = codeOf[j]!;
    }
  };
}

/**
 * The block kernel of a distribution stored in a column of `dtype`, or null where only
 * the per-row path applies (further draws, or a dtype whose stores need rounding/checks).
 */
export function compileBlockKernel(d: Distribution, dtype: DType, categories: readonly string[] | null): BlockKernel | null {
  const real = dtype === 'float64' || dtype === 'float32';
  switch (d.dist) {
    case 'uniform': {
      if (!real) return null;
      const { min } = d;
      const span = d.max - d.min;
      if (wasmPhiloxAvailable) {
        // In WebAssembly: a JS loop runs interpreted through much of a worker's first shard.
        return (u, from, to, out, offset) => {
          for (let s = from; s < to; s += WASM_MAX_NORMALS) {
            const n = Math.min(to, s + WASM_MAX_NORMALS) - s;
            // A typed-array copy; into float32 it rounds exactly as an element store does.
            out.set(wasmAffine(u, s, n, min, span), offset + s);
          }
        };
      }
      return (u, from, to, out, offset) => {
        for (let i = from; i < to; i++) out[offset + i] = min + u[i]! * span;
      };
    }
    case 'normal': {
      if (!real) return null;
      const { mean, sd } = d;
      if (wasmPhiloxAvailable) {
        // In WebAssembly, two lanes at a time: the central 85%, then the tails.
        return (u, from, to, out, offset) => {
          for (let s = from; s < to; s += WASM_MAX_NORMALS) {
            const e = Math.min(to, s + WASM_MAX_NORMALS);
            const central = wasmCentralNormals(u, s, e - s, mean, sd);
            const values = central.values;
            // The tails in WebAssembly too, where it has them; the few it leaves here.
            const tails = wasmKernelsAvailable ? wasmNormalTails(central.tails.length, mean, sd) : central.tails;
            for (let k = 0; k < tails.length; k++) {
              const i = tails[k]!;
              values[i] = mean + sd * normalQuantile(openUniform(u[s + i]!));
            }
            // A typed-array copy; into float32 it rounds exactly as an element store does.
            out.set(values, offset + s);
          }
        };
      }
      return (u, from, to, out, offset) => {
        for (let i = from; i < to; i++) out[offset + i] = mean + sd * normalQuantile(openUniform(u[i]!));
      };
    }
    case 'lognormal': {
      if (!real) return null;
      const { mu, sigma } = d;
      if (wasmPhiloxAvailable) {
        return (u, from, to, out, offset) => {
          for (let s = from; s < to; s += WASM_MAX_NORMALS) {
            const e = Math.min(to, s + WASM_MAX_NORMALS);
            const central = wasmCentralNormals(u, s, e - s, mu, sigma);
            const values = central.values;
            const tails = wasmKernelsAvailable ? wasmNormalTails(central.tails.length, mu, sigma) : central.tails;
            for (let k = 0; k < tails.length; k++) {
              const i = tails[k]!;
              values[i] = mu + sigma * normalQuantile(openUniform(u[s + i]!));
            }
            if (!wasmKernelsAvailable) {
              for (let i = s; i < e; i++) out[offset + i] = Math.exp(values[i - s]!);
              continue;
            }
            // exp in WebAssembly too; its few tails (tiny or huge exponents) here.
            const { values: y, tails: far } = wasmExps(e - s);
            for (let k = 0; k < far.length; k++) {
              const i = far[k]!;
              y[i] = Math.exp(values[i]!);
            }
            out.set(y, offset + s);
          }
        };
      }
      return (u, from, to, out, offset) => {
        for (let i = from; i < to; i++) out[offset + i] = Math.exp(mu + sigma * normalQuantile(openUniform(u[i]!)));
      };
    }
    case 'exponential': {
      if (!real) return null;
      const inv = 1 / d.rate;
      if (wasmKernelsAvailable) {
        // log1p in WebAssembly, two values per step; its few tails here.
        return (u, from, to, out, offset) => {
          for (let s = from; s < to; s += WASM_MAX_NORMALS) {
            const n = Math.min(to, s + WASM_MAX_NORMALS) - s;
            const { values, tails } = wasmExponentials(u, s, n, inv);
            for (let k = 0; k < tails.length; k++) {
              const i = tails[k]!;
              values[i] = -Math.log1p(-u[s + i]!) * inv;
            }
            out.set(values, offset + s);
          }
        };
      }
      return (u, from, to, out, offset) => {
        for (let i = from; i < to; i++) out[offset + i] = -Math.log1p(-u[i]!) * inv;
      };
    }
    case 'bernoulli': {
      if (!real && dtype !== 'bool') return null;
      const { p } = d;
      return (u, from, to, out, offset) => {
        for (let i = from; i < to; i++) out[offset + i] = u[i]! < p ? 1 : 0;
      };
    }
    case 'categorical':
      return real || dtype === 'string' ? categoricalKernel(d, dtype, categories) : null;
    case 'constant': {
      if (!real && dtype !== 'string') return null;
      const code = encode(d.value, dtype, categories);
      if (code === undefined) return null;
      return (_u, from, to, out, offset) => out.fill(code, offset + from, offset + to);
    }
    default:
      return null;
  }
}
