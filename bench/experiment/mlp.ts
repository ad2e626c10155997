/**
 * A small seeded multilayer perceptron in plain TypeScript: inputs → one tanh hidden
 * layer → one output, trained by Adam on minibatches. With `logistic` loss the output is
 * a probability (binary cross-entropy); with `squared` loss it is a regression (next-value
 * forecast). Deterministic for a seed: same initial weights, same batch order.
 */

/** mulberry32: a tiny seeded generator for weights and batch order (not for data). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MlpOptions {
  hidden: number;
  loss: 'logistic' | 'squared';
  steps: number;
  batch: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  seed: number;
}

export class Mlp {
  readonly w1: Float64Array; // hidden × inputs
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  b2 = 0;

  constructor(readonly inputs: number, readonly options: MlpOptions) {
    const rand = seededRandom(options.seed);
    const h = options.hidden;
    const limit1 = Math.sqrt(6 / (inputs + h));
    const limit2 = Math.sqrt(6 / (h + 1));
    this.w1 = Float64Array.from({ length: h * inputs }, () => (2 * rand() - 1) * limit1);
    this.b1 = new Float64Array(h);
    this.w2 = Float64Array.from({ length: h }, () => (2 * rand() - 1) * limit2);
  }

  /** Forward pass of one row; fills `act` with the hidden activations; returns the raw output. */
  private forward(x: Float64Array, off: number, act: Float64Array): number {
    const { inputs, w1, b1, w2 } = this;
    let out = this.b2;
    for (let j = 0; j < act.length; j++) {
      let z = b1[j]!;
      const row = j * inputs;
      for (let k = 0; k < inputs; k++) z += w1[row + k]! * x[off + k]!;
      const a = Math.tanh(z);
      act[j] = a;
      out += w2[j]! * a;
    }
    return out;
  }

  /** Outputs for `n` rows of `x` (row-major, `inputs` wide): probabilities or forecasts. */
  predict(x: Float64Array, n: number): Float64Array {
    const act = new Float64Array(this.options.hidden);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = this.forward(x, i * this.inputs, act);
      out[i] = this.options.loss === 'logistic' ? 1 / (1 + Math.exp(-o)) : o;
    }
    return out;
  }

  /** Trains on `n` rows of `x` with targets `y`; a fixed number of minibatch steps. */
  fit(x: Float64Array, y: Float64Array, n: number): void {
    const { inputs, options } = this;
    const h = options.hidden;
    const params = [this.w1, this.b1, this.w2];
    const b2 = new Float64Array(1);
    const grads = [new Float64Array(h * inputs), new Float64Array(h), new Float64Array(h)];
    const g2 = new Float64Array(1);
    const m = [...params, b2].map((p) => new Float64Array(p.length));
    const v = [...params, b2].map((p) => new Float64Array(p.length));
    const act = new Float64Array(h);
    const rand = seededRandom(options.seed ^ 0x9e3779b9);
    const beta1 = 0.9;
    const beta2 = 0.999;
    for (let step = 1; step <= options.steps; step++) {
      for (const g of grads) g.fill(0);
      g2[0] = 0;
      for (let b = 0; b < options.batch; b++) {
        const i = Math.floor(rand() * n);
        const off = i * inputs;
        const o = this.forward(x, off, act);
        // d loss / d output: sigmoid − y for cross-entropy, output − y for squared error.
        const d = (options.loss === 'logistic' ? 1 / (1 + Math.exp(-o)) : o) - y[i]!;
        g2[0] += d;
        for (let j = 0; j < h; j++) {
          grads[2]![j]! += d * act[j]!;
          const dz = d * this.w2[j]! * (1 - act[j]! * act[j]!);
          if (dz === 0) continue;
          grads[1]![j]! += dz;
          const row = j * inputs;
          const g = grads[0]!;
          for (let k = 0; k < inputs; k++) g[row + k]! += dz * x[off + k]!;
        }
      }
      b2[0] = this.b2;
      const all = [...params, b2];
      const allGrads = [...grads, g2];
      const lr = options.learningRate * Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
      all.forEach((p, t) => {
        const g = allGrads[t]!;
        const decay = t === 0 || t === 2 ? options.l2 : 0;
        for (let k = 0; k < p.length; k++) {
          const gk = g[k]! / options.batch + decay * p[k]!;
          m[t]![k] = beta1 * m[t]![k]! + (1 - beta1) * gk;
          v[t]![k] = beta2 * v[t]![k]! + (1 - beta2) * gk * gk;
          p[k]! -= (lr * m[t]![k]!) / (Math.sqrt(v[t]![k]!) + 1e-8);
        }
      });
      this.b2 = b2[0]!;
    }
  }
}
