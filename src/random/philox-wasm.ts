/**
 * The WebAssembly Philox4x32-10 kernel (philox.wat): block uniforms at about four times
 * the speed of the plain-JS kernel, and at a steady speed (the JS kernel's 16-bit limb
 * arithmetic was seen running at two speeds, 2× apart, from one process to the next).
 *
 * It computes exactly what philox.ts and counter.ts compute — the same words, the same
 * 53-bit uniforms — which test/prng-fast.test.ts checks on many random counters. Plain JS
 * stays the reference and the scalar path (one row at a time, uniqueness, callbacks).
 */
import { PHILOX_WASM_BASE64 } from './philox-wasm-bytes.js';

interface PhiloxExports {
  memory: { buffer: ArrayBuffer };
  words(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, rounds: number): void;
  uniforms(k0: number, k1: number, c2: number, c3: number, pairLo: number, pairHi: number, nPairs: number): void;
  normals(n: number, mean: number, sd: number): number;
  affine(n: number, min: number, span: number): void;
}

/** Pairs (two uniforms each) one `uniforms` call can write: the output area is 512 KiB. */
export const WASM_MAX_PAIRS = 32768;
const WORDS_OFFSET = 524288;
/** Byte offsets of the areas of the module's memory that other kernels share (distribution/kernels-wasm.ts). */
export const NORMALS_OFFSET = 589824;
export const TAILS_OFFSET = 1114112;
/** Values one `wasmCentralNormals` call takes. */
export const WASM_MAX_NORMALS = 65536;

/** The part of the WebAssembly global this module uses (the project's `lib` has no DOM/wasm types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

function instantiate(): PhiloxExports | null {
  try {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const bytes = Buffer.from(PHILOX_WASM_BASE64, 'base64');
    // Synchronous: 1.4 KB compile at import time, so callers need no await.
    const instance = new api.Instance(new api.Module(bytes), {});
    return instance.exports as PhiloxExports;
  } catch {
    // No WebAssembly SIMD (very old runtimes): callers fall back to plain JS.
    return null;
  }
}

const wasm = instantiate();
// The memory is fixed at 9 pages (never grows), so these views stay valid.
const uniformsView = wasm ? new Float64Array(wasm.memory.buffer, 0, 2 * WASM_MAX_PAIRS) : new Float64Array(0);
const wordsView = wasm ? new Uint32Array(wasm.memory.buffer, WORDS_OFFSET, 4) : new Uint32Array(0);
const normalsView = wasm ? new Float64Array(wasm.memory.buffer, NORMALS_OFFSET, WASM_MAX_NORMALS) : new Float64Array(0);
const tailsView = wasm ? new Int32Array(wasm.memory.buffer, TAILS_OFFSET, WASM_MAX_NORMALS) : new Int32Array(0);

/**
 * The module's memory, for kernels of other modules that import it (distribution/kernels.wat):
 * uniforms at byte 0, values at NORMALS_OFFSET, tail indices at TAILS_OFFSET. Null without
 * WebAssembly SIMD.
 */
export const philoxMemory: { buffer: ArrayBuffer } | null = wasm ? wasm.memory : null;

/** True when the WebAssembly kernel is in use (false only where WebAssembly SIMD is missing). */
export const wasmPhiloxAvailable = wasm !== null;

/**
 * The uniforms of pairs [pair, pair + nPairs) (nPairs ≤ WASM_MAX_PAIRS) at counter words
 * (c2, c3) under key (k0, k1): element 2j is U(w0, w1) and 2j+1 is U(w2, w3) of pair
 * `pair + j`. Returns a view of WebAssembly memory, valid until the next call.
 */
export function wasmPairUniforms(k0: number, k1: number, c2: number, c3: number, pair: number, nPairs: number): Float64Array {
  if (!wasm) throw new Error('WebAssembly Philox is not available');
  const hi = Math.floor(pair / 4294967296);
  wasm.uniforms(k0 | 0, k1 | 0, c2 | 0, c3 | 0, (pair - hi * 4294967296) | 0, hi | 0, nPairs);
  return uniformsView.subarray(0, 2 * nPairs);
}

/** The four output words of one Philox4x32 call (known-answer tests; any round count). */
export function wasmPhiloxWords(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, rounds = 10): Uint32Array {
  if (!wasm) throw new Error('WebAssembly Philox is not available');
  wasm.words(c0 | 0, c1 | 0, c2 | 0, c3 | 0, k0 | 0, k1 | 0, rounds);
  out.set(wordsView);
  return out;
}

/**
 * mean + sd·Φ⁻¹(openUniform(u)) for u[from, from + n) (n ≤ WASM_MAX_NORMALS) where u falls
 * in AS 241's central region (|p − 0.5| ≤ 0.425, 85% of values), NaN where it does not;
 * `tails` lists those positions (ascending, relative to `from`) for the caller to compute
 * with normalQuantile. Bit-identical to the JS expression (the same IEEE operations in the
 * same order). Both arrays are views of WebAssembly memory, valid until the next call;
 * `values` may be written to.
 */
export function wasmCentralNormals(u: Float64Array, from: number, n: number, mean: number, sd: number): { values: Float64Array; tails: Int32Array } {
  if (!wasm) throw new Error('WebAssembly kernels are not available');
  uniformsView.set(u.subarray(from, from + n));
  let count = wasm.normals(n, mean, sd);
  // An odd n computes one lane past the end; drop it if it was flagged.
  if (count > 0 && tailsView[count - 1]! >= n) count--;
  return { values: normalsView.subarray(0, n), tails: tailsView.subarray(0, count) };
}

/**
 * min + u·span for u[from, from + n) (n ≤ WASM_MAX_NORMALS): the uniform distribution's
 * block kernel, bit-identical to the JS expression (the same IEEE product, then sum). A
 * view of WebAssembly memory, valid until the next call.
 */
export function wasmAffine(u: Float64Array, from: number, n: number, min: number, span: number): Float64Array {
  if (!wasm) throw new Error('WebAssembly kernels are not available');
  uniformsView.set(u.subarray(from, from + n));
  wasm.affine(n, min, span);
  return normalsView.subarray(0, n);
}
