/**
 * Standard normals in place: u[from, to) (uniforms of [0, 1)) becomes
 * normalQuantile(openUniform(u)), by the normal distribution's block kernel (WebAssembly
 * where the runtime has it). Bit for bit the scalar expression: the kernel computes
 * 0 + 1·q, and q is never ±0 (openUniform never gives exactly ½), so 0 + 1·q = q.
 * For the processes' noise, walks and AR innovations (whose JS loops over `normalQuantile`
 * were most of their cost) and correlated variables' scores.
 */
import { compileBlockKernel } from './block.js';

const STANDARD_NORMAL = compileBlockKernel({ dist: 'normal', mean: 0, sd: 1 }, 'float64', null)!;

/** Replaces the uniforms u[from, to) by their standard normal quantiles. */
export function toStandardNormals(u: Float64Array, from: number, to: number): void {
  // In place is safe: the kernel reads each WebAssembly-sized chunk of u before it writes it.
  STANDARD_NORMAL(u, from, to, u, 0);
}
