/**
 * The transcendental steps of the normal, lognormal and exponential block kernels in
 * WebAssembly (kernels.wat): fdlibm's exp, log and log1p, which V8's Math.exp, Math.log and
 * Math.log1p are in Node 20, computed two values per SIMD vector instead of one C call per
 * value from JS. Each value is
 * bit for bit the JS expression's (test/prng-fast.test.ts compares them on millions of
 * values); the few inputs the vector code leaves out come back as tails for the caller to
 * finish with that expression.
 *
 * The module works in the Philox module's memory (random/philox-wasm.ts), so the uniforms and
 * the central normals are where these kernels read them.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm-bytes.js';
import { NORMALS_OFFSET, philoxMemory, TAILS_OFFSET, WASM_MAX_NORMALS } from '../random/philox-wasm.js';
import { normalQuantile, openUniform } from '../random/normal-quantile.js';

interface KernelExports {
  normalTails(count: number, mean: number, sd: number): number;
  exps(n: number): number;
  exponentials(n: number, inv: number): number;
}

/** The part of the WebAssembly global this module uses (the project's `lib` has no DOM/wasm types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

function instantiate(): KernelExports | null {
  if (!philoxMemory) return null;
  try {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new api.Instance(new api.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64')), { philox: { memory: philoxMemory } });
    return instance.exports as KernelExports;
  } catch {
    return null;
  }
}

const wasm = instantiate();
// The shared memory never grows, so these views stay valid.
const buffer = philoxMemory?.buffer ?? new ArrayBuffer(0);
const low = wasm ? new Float64Array(buffer, 0, WASM_MAX_NORMALS) : new Float64Array(0);
const high = wasm ? new Float64Array(buffer, NORMALS_OFFSET, WASM_MAX_NORMALS) : new Float64Array(0);
const tailsView = wasm ? new Int32Array(buffer, TAILS_OFFSET, WASM_MAX_NORMALS) : new Int32Array(0);

/**
 * Whether the kernels give what this runtime's Math.exp, Math.log and Math.log1p give, on
 * 256 probes each (a fraction of a millisecond at start-up). The per-row path
 * (distribution/sampler.ts: uniqueness, `valueAt`) calls Math.*, and block and row must
 * agree bit for bit: V8 computes these with fdlibm in Node 20, but a runtime whose Math.* is
 * another libm (newer V8 releases take log from LLVM's libc) gets the JS block kernels
 * instead, as before these kernels.
 */
function agreesWithMath(k: KernelExports): boolean {
  const n = 256;
  // log1p: −u over (−1, 0], evenly and near both ends
  for (let i = 0; i < n; i++) low[i] = i % 4 === 3 ? 2 ** -(1 + (i % 40)) * (1 + i / n) : i % 4 === 2 ? 1 - 2 ** -(1 + (i % 50)) : (i + 0.37) / n;
  if (!agrees(k.exponentials(n, 1), n, high, (i) => -Math.log1p(-low[i]!))) return false;
  // exp: over [−40, 40] and [−500, 500]
  for (let i = 0; i < n; i++) high[i] = ((i + 0.41) / n - 0.5) * (i % 2 === 0 ? 80 : 1000);
  if (!agrees(k.exps(n), n, low, (i) => Math.exp(high[i]!))) return false;
  // log, in the normal quantile's tails: p in the lower and upper 7.5%
  for (let i = 0; i < n; i++) {
    low[i] = i % 2 === 0 ? 0.075 * ((i + 0.29) / n) ** 3 : 1 - 0.075 * ((i + 0.53) / n) ** 3;
    tailsView[i] = i;
  }
  return agrees(k.normalTails(n, 0, 1), n, high, (i) => normalQuantile(openUniform(low[i]!)));
}

/** Whether out[i] equals want(i) for i in [0, n) but the `count` listed tails (ascending). */
function agrees(count: number, n: number, out: Float64Array, want: (i: number) => number): boolean {
  for (let i = 0, t = 0; i < n; i++) {
    if (t < count && tailsView[t] === i) t++;
    else if (out[i] !== want(i)) return false;
  }
  return true;
}

/**
 * True when these kernels are in use: WebAssembly SIMD is there and the runtime's Math.exp,
 * Math.log and Math.log1p are fdlibm's (`agreesWithMath`).
 */
export const wasmKernelsAvailable = wasm !== null && agreesWithMath(wasm);

/** The tail indices a kernel listed, without the lane past an odd n. */
function tailsOf(count: number, n: number): Int32Array {
  if (count > 0 && tailsView[count - 1]! >= n) count--;
  return tailsView.subarray(0, count);
}

/**
 * −log1p(−u)·inv for u[from, from + n) (n ≤ WASM_MAX_NORMALS), the exponential
 * distribution's inversion, except at the positions `tails` lists (ascending, relative to
 * `from`; a few per million), which the caller computes with that JS expression. Views of
 * WebAssembly memory, valid until the next kernel call; `values` may be written to.
 */
export function wasmExponentials(u: Float64Array, from: number, n: number, inv: number): { values: Float64Array; tails: Int32Array } {
  if (!wasm) throw new Error('WebAssembly kernels are not available');
  low.set(u.subarray(from, from + n));
  const count = wasm.exponentials(n, inv);
  return { values: high.subarray(0, n), tails: tailsOf(count, n) };
}

/**
 * Computes the tails `wasmCentralNormals` just listed (`count` of them, with the same mean
 * and sd) in WebAssembly, mean + sd·normalQuantile(openUniform(u)) bit for bit, into its
 * `values`; returns the few it leaves (p below e^-25, or log's |f| < 2^-20 case) for the
 * caller to compute with that expression. A view of WebAssembly memory, valid until the
 * next kernel call.
 */
export function wasmNormalTails(count: number, mean: number, sd: number): Int32Array {
  if (!wasm) throw new Error('WebAssembly kernels are not available');
  return tailsView.subarray(0, wasm.normalTails(count, mean, sd));
}

/**
 * Math.exp of the first n values that `wasmCentralNormals` returned (once the caller has
 * filled in its tails), except at the positions `tails` lists, which the caller computes
 * with Math.exp. `values` is a view of WebAssembly memory, valid until the next kernel call
 * (the normals stay valid meanwhile) and may be written to.
 */
export function wasmExps(n: number): { values: Float64Array; tails: Int32Array } {
  if (!wasm) throw new Error('WebAssembly kernels are not available');
  const count = wasm.exps(n);
  return { values: low.subarray(0, n), tails: tailsOf(count, n) };
}
