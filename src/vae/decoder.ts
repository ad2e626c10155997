/**
 * The decoder that shard workers run: the trained TF.js Dense stack reproduced in plain
 * JavaScript doubles, with a fixed order of operations. Every worker therefore decodes a
 * latent vector into bit-identical values (D2) whatever TensorFlow backend trained the
 * model and whether or not TensorFlow is installed at all; it never loads tfjs-node in a
 * worker thread (TF.js never loads in shard workers). Its values agree with TF.js's float32 inference to about
 * 1e-6 (tested), which is the rounding of float32, not a difference of model.
 *
 * Decoding is batched: a batch of latent vectors goes through one layer at a time with
 * the kernel transposed to [units][inputs], so the inner loop is a dot product over two
 * contiguous arrays. The last layer can compute only some outputs (one channel of a
 * multivariate window), which is all a column needs.
 */
import type { Activation, DenseLayerWeights } from './layers-format.js';

interface Layer {
  inputs: number;
  units: number;
  /** Kernel transposed: w[j·inputs + k] is the weight from input k to unit j. */
  w: Float64Array;
  b: Float64Array;
  act: Activation;
}

export class DenseDecoder {
  readonly inputs: number;
  readonly outputs: number;
  private readonly layers: Layer[];
  private readonly widest: number;
  private capacity = 0;
  private bufA = new Float64Array(0);
  private bufB = new Float64Array(0);

  constructor(layers: readonly DenseLayerWeights[]) {
    if (layers.length === 0) throw new Error('a decoder needs at least one layer');
    this.layers = layers.map((l) => {
      const w = new Float64Array(l.inputs * l.units);
      for (let k = 0; k < l.inputs; k++) for (let j = 0; j < l.units; j++) w[j * l.inputs + k] = l.kernel[k * l.units + j]!;
      return { inputs: l.inputs, units: l.units, w, b: Float64Array.from(l.bias), act: l.activation };
    });
    this.inputs = layers[0]!.inputs;
    this.outputs = layers[layers.length - 1]!.units;
    this.widest = Math.max(...this.layers.map((l) => Math.max(l.inputs, l.units)));
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.bufA = new Float64Array(n * this.widest);
    this.bufB = new Float64Array(n * this.widest);
  }

  /**
   * Decodes `n` latent vectors (z[i·inputs + k]) and writes, for each, the outputs listed in
   * `pick` to out[i·pick.length + p]. Every value is a fixed sequence of double operations.
   */
  decode(z: Float64Array, n: number, pick: Int32Array, out: Float64Array): void {
    this.ensure(n);
    const last = this.layers.length - 1;
    let src = z;
    let dst = this.bufA;
    for (let li = 0; li < last; li++) {
      const l = this.layers[li]!;
      dense(l, src, n, dst);
      src = dst;
      dst = dst === this.bufA ? this.bufB : this.bufA;
    }
    const l = this.layers[last]!;
    const { inputs, w, b, act } = l;
    const np = pick.length;
    const p4 = np - (np % 4);
    for (let i = 0; i < n; i++) {
      const xo = i * inputs;
      const oo = i * np;
      let p = 0;
      for (; p < p4; p += 4) {
        const j0 = pick[p]!;
        const j1 = pick[p + 1]!;
        const j2 = pick[p + 2]!;
        const j3 = pick[p + 3]!;
        const w0 = j0 * inputs;
        const w1 = j1 * inputs;
        const w2 = j2 * inputs;
        const w3 = j3 * inputs;
        let s0 = b[j0]!;
        let s1 = b[j1]!;
        let s2 = b[j2]!;
        let s3 = b[j3]!;
        for (let k = 0; k < inputs; k++) {
          const xk = src[xo + k]!;
          s0 += xk * w[w0 + k]!;
          s1 += xk * w[w1 + k]!;
          s2 += xk * w[w2 + k]!;
          s3 += xk * w[w3 + k]!;
        }
        out[oo + p] = activate(act, s0);
        out[oo + p + 1] = activate(act, s1);
        out[oo + p + 2] = activate(act, s2);
        out[oo + p + 3] = activate(act, s3);
      }
      for (; p < np; p++) {
        const j = pick[p]!;
        const wo = j * inputs;
        let s = b[j]!;
        for (let k = 0; k < inputs; k++) s += src[xo + k]! * w[wo + k]!;
        out[oo + p] = activate(act, s);
      }
    }
  }
}

function activate(act: Activation, s: number): number {
  switch (act) {
    case 'relu':
      return s > 0 ? s : 0;
    case 'tanh':
      return Math.tanh(s);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-s));
    default:
      return s;
  }
}

/**
 * One full layer over a batch: y[i·units + j] = act(b[j] + Σ_k x[i·inputs + k]·w[j·inputs + k]),
 * each sum taken in increasing k. Four units share each load of x (the sums stay separate,
 * so the result is the same as one unit at a time).
 */
function dense(l: Layer, x: Float64Array, n: number, y: Float64Array): void {
  const { inputs, units, w, b, act } = l;
  const j4 = units - (units % 4);
  for (let i = 0; i < n; i++) {
    const xo = i * inputs;
    const yo = i * units;
    let j = 0;
    for (; j < j4; j += 4) {
      const w0 = j * inputs;
      const w1 = w0 + inputs;
      const w2 = w1 + inputs;
      const w3 = w2 + inputs;
      let s0 = b[j]!;
      let s1 = b[j + 1]!;
      let s2 = b[j + 2]!;
      let s3 = b[j + 3]!;
      for (let k = 0; k < inputs; k++) {
        const xk = x[xo + k]!;
        s0 += xk * w[w0 + k]!;
        s1 += xk * w[w1 + k]!;
        s2 += xk * w[w2 + k]!;
        s3 += xk * w[w3 + k]!;
      }
      y[yo + j] = s0;
      y[yo + j + 1] = s1;
      y[yo + j + 2] = s2;
      y[yo + j + 3] = s3;
    }
    for (; j < units; j++) {
      const wo = j * inputs;
      let s = b[j]!;
      for (let k = 0; k < inputs; k++) s += x[xo + k]! * w[wo + k]!;
      y[yo + j] = s;
    }
    if (act === 'relu') for (let jj = 0; jj < units; jj++) y[yo + jj] = y[yo + jj]! > 0 ? y[yo + jj]! : 0;
    else if (act !== 'linear') for (let jj = 0; jj < units; jj++) y[yo + jj] = activate(act, y[yo + jj]!);
  }
}
