/**
 * The fast paths of generation against the plain-JS reference, bit for bit:
 * the WebAssembly Philox kernel (words and block uniforms) against philox.ts/counter.ts on
 * many random counters and rows, the committed .wasm bytes against philox.wat and
 * kernels.wat, the exp and log1p kernels against Math.exp and Math.log1p, and the
 * stochastic block kernels against the scalar per-row path (`storedValue`, which uniqueness
 * and `valueAt` use).
 */
import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../src/random/philox.js';
import { fillRowUniforms, fillRowUniformsJs, rowUniform, seedKey } from '../src/random/counter.js';
import { wasmAffine, wasmCentralNormals, wasmPairUniforms, wasmPhiloxAvailable, wasmPhiloxWords, WASM_MAX_PAIRS } from '../src/random/philox-wasm.js';
import { normalQuantile, openUniform } from '../src/random/normal-quantile.js';
import { PHILOX_WASM_BASE64 } from '../src/random/philox-wasm-bytes.js';
import { compilePhiloxWat, compileWat } from '../scripts/compile-philox-wasm.js';
import { KERNELS_WASM_BASE64 } from '../src/distribution/kernels-wasm-bytes.js';
import { wasmExponentials, wasmExps, wasmKernelsAvailable, wasmNormalTails } from '../src/distribution/kernels-wasm.js';
import { compileSampler } from '../src/distribution/sampler.js';
import { compileBlockKernel } from '../src/distribution/block.js';
import { compileStochastic, fillStochastic, storedValue } from '../src/variables/stochastic.js';
import { allocColumn, getInt64 } from '../src/columns/columns.js';
import { scenarioFrom } from './helpers.js';
import type { StochasticVariable } from '../src/model/types.js';

/** xorshift32: reproducible test inputs without Math.random. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

describe('WebAssembly Philox kernel', () => {
  it('is available on this runtime (SIMD)', () => {
    expect(wasmPhiloxAvailable).toBe(true);
  });

  it('the committed bytes are what wabt makes of philox.wat', async () => {
    const compiled = await compilePhiloxWat();
    expect(Buffer.from(compiled).toString('base64'), 'run `npm run build:wasm` after editing philox.wat').toBe(PHILOX_WASM_BASE64);
  });

  it('gives the words of plain-JS philox4x32 for 100k random counters and keys (7 and 10 rounds)', () => {
    const next = rng(0x5eed);
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const c = [next(), next(), next(), next(), next(), next()] as const;
      const rounds = i % 10 === 0 ? 7 : 10;
      philox4x32(...c, a, rounds);
      wasmPhiloxWords(...c, b, rounds);
      if (a.join() !== b.join()) bad++;
    }
    expect(bad).toBe(0);
  });

  it('block uniforms equal the plain-JS block path on 2,000 random (key, stream, attempt, draw, rows)', () => {
    const next = rng(0xb10c);
    const a = new Float64Array(3 * WASM_MAX_PAIRS + 7);
    const b = new Float64Array(a.length);
    const starts = (i: number): number => {
      switch (i % 5) {
        case 0:
          return next() * 2048 + (next() & 2047); // anywhere below 2^43
        case 1:
          return 2 ** 33 - (next() % 300); // a pair counter crossing 2^32
        case 2:
          return 2 ** 53 - 1 - (next() % 100_000); // the top of the row range
        case 3:
          return next() % 1000;
        default:
          return 2 * (next() % 100_000) + 1; // odd first rows
      }
    };
    let bad = '';
    for (let i = 0; i < 2000 && !bad; i++) {
      const key = seedKey((next() * 2097152 + (next() & 0x1fffff)) % 2 ** 53);
      const stream = next();
      const attempt = next() % 64;
      const draw = next() % 256;
      let row = starts(i);
      const count = i < 12 ? a.length : next() % 700;
      row = Math.min(row, 2 ** 53 - count);
      a.fill(-1);
      b.fill(-1);
      fillRowUniforms(key, stream, attempt, draw, row, count, a);
      fillRowUniformsJs(key, stream, attempt, draw, row, count, b);
      for (let k = 0; k < a.length; k++) {
        if (!Object.is(a[k], b[k])) {
          bad = `case ${i}: row ${row} count ${count} index ${k}: ${a[k]} vs ${b[k]}`;
          break;
        }
      }
    }
    expect(bad).toBe('');
  });

  it('pair uniforms are the per-row uniforms of the even and the odd row', () => {
    const key = seedKey(20240917);
    const pair = 2 ** 32 - 3;
    const u = Array.from(wasmPairUniforms(key.k0, key.k1, 0xabcdef, 5 * 256 + 3, pair, 9));
    const want: number[] = [];
    for (let j = 0; j < 9; j++) want.push(rowUniform(key, 0xabcdef, 2 * (pair + j), 5, 3), rowUniform(key, 0xabcdef, 2 * (pair + j) + 1, 5, 3));
    expect(u).toEqual(want);
  });
});

describe('WebAssembly central normal quantiles', () => {
  it('equal mean + sd·normalQuantile(openUniform(u)) on 1M uniforms; NaN and a listed tail exactly outside the central region', () => {
    const next = rng(31337);
    const n = 65_536;
    const u = new Float64Array(n);
    let bad = '';
    for (let round = 0; round < 16 && !bad; round++) {
      for (let i = 0; i < n; i++) u[i] = round === 0 && i < 64 ? [0, 2 ** -53, 0.075, 0.925, 1 - 2 ** -53][i % 5]! + (i >> 3) * 2 ** -53 * (i & 1 ? -1 : 1) : (next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53;
      for (let i = 0; i < n; i++) u[i] = Math.min(Math.max(u[i]!, 0), 1 - 2 ** -53);
      const mean = round === 1 ? 0 : (next() / 2 ** 32 - 0.5) * 1e3;
      const sd = round === 1 ? 1 : (next() / 2 ** 32) * 50 + 1e-9;
      const { values: y, tails } = wasmCentralNormals(u, 0, n - round, mean, sd);
      const wantTails: number[] = [];
      for (let i = 0; i < n - round; i++) {
        const p = openUniform(u[i]!);
        const central = Math.abs(p - 0.5) <= 0.425;
        if (!central) wantTails.push(i);
        const want = mean + sd * normalQuantile(p);
        if (central ? !Object.is(y[i], want) : !Number.isNaN(y[i])) {
          bad = `u = ${u[i]}: ${y[i]} vs ${want} (central ${central})`;
          break;
        }
      }
      if (!bad && Array.from(tails).join() !== wantTails.join()) bad = `round ${round}: tail indices differ (${tails.length} vs ${wantTails.length})`;
    }
    expect(bad).toBe('');
  });
});

describe('WebAssembly exp and log1p kernels', () => {
  it('are available, and the committed bytes are what wabt makes of kernels.wat', async () => {
    expect(wasmKernelsAvailable).toBe(true);
    const compiled = await compileWat('kernels');
    expect(Buffer.from(compiled).toString('base64'), 'run `npm run build:wasm` after editing kernels.wat').toBe(KERNELS_WASM_BASE64);
  });

  /** Uniforms in [0, 1): random ones, and those next to the code's thresholds. */
  function uniforms(seed: number, n: number): Float64Array {
    const next = rng(seed);
    const u = new Float64Array(n);
    const near = [0, 2 ** -53, 2 ** -30, 2 ** -29, 2 ** -28, 1 - Math.SQRT1_2, 0.29289, 0.5, 1 - 2 ** -21, 1 - 2 ** -53];
    for (let i = 0; i < n; i++) {
      const random = (next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53;
      // One in 8: a near-threshold value moved by a few ulps, or 1 − 2^-k (log1p's |f| < 2^-20 case).
      const pick = next() % 8 === 0 ? (next() % 2 === 0 ? near[next() % near.length]! * (1 + ((next() % 9) - 4) * 2 ** -52) : 1 - 2 ** -(1 + (next() % 52))) : random;
      u[i] = Math.min(Math.max(pick, 0), 1 - 2 ** -53);
    }
    return u;
  }

  it('−log1p(−u)·inv equals the JS expression bit for bit on 2M uniforms (the tails listed, then computed in JS)', () => {
    const n = 65_536;
    let bad = '';
    let tailCount = 0;
    for (let round = 0; round < 32 && !bad; round++) {
      const u = uniforms(round + 1, n);
      const inv = round === 0 ? 1 : 1 / [0.37, 1e-6, 3, 1e8][round % 4]!;
      const from = round % 3;
      const len = n - from - (round % 2);
      const { values, tails } = wasmExponentials(u, from, len, inv);
      tailCount += tails.length;
      const isTail = new Set(tails);
      for (let i = 0; i < len && !bad; i++) {
        const want = -Math.log1p(-u[from + i]!) * inv;
        if (!isTail.has(i) && !Object.is(values[i], want)) bad = `u = ${u[from + i]}, inv ${inv}: ${values[i]} vs ${want}`;
      }
    }
    expect(bad).toBe('');
    expect(tailCount).toBeGreaterThan(0);
    // On plain random uniforms the tails are rare (what makes the kernel worth it).
    const next = rng(5);
    const random = Float64Array.from({ length: n }, () => (next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53);
    expect(wasmExponentials(random, 0, n, 1).tails.length).toBeLessThan(n * 0.001);
  });

  it('the normal tails equal mean + sd·normalQuantile(openUniform(u)) bit for bit on 2M uniforms (those left listed, then computed in JS)', () => {
    const n = 65_536;
    const next = rng(1234);
    let bad = '';
    let left = 0;
    for (let round = 0; round < 32 && !bad; round++) {
      const u = uniforms(round + 200, n);
      // p next to powers of two (log's |f| < 2^-20 case) and in the far tails (r > 5)
      for (let i = 0; i < 2000; i++) {
        const x = 2 ** -(4 + (next() % 49)) * (1 + ((next() % 64) - 32) * 2 ** -30);
        u[next() % n] = next() % 2 === 0 ? x : 1 - x;
      }
      for (let i = 0; i < n; i++) u[i] = Math.min(Math.max(u[i]!, 0), 1 - 2 ** -53);
      const mean = round % 4 === 0 ? 0 : (next() / 2 ** 32 - 0.5) * 1e3;
      const sd = round % 4 === 0 ? 1 : (next() / 2 ** 32) * 50 + 1e-9;
      const len = n - (round % 3);
      const { values, tails } = wasmCentralNormals(u, 0, len, mean, sd);
      const rest = wasmNormalTails(tails.length, mean, sd);
      left += rest.length;
      const isLeft = new Set(rest);
      for (let i = 0; i < len && !bad; i++) {
        const want = mean + sd * normalQuantile(openUniform(u[i]!));
        if (!isLeft.has(i) && !Object.is(values[i], want)) bad = `u = ${u[i]}, mean ${mean}, sd ${sd}: ${values[i]} vs ${want}`;
      }
      for (const i of rest) if (!(i >= 0 && i < len && Math.abs(openUniform(u[i]!) - 0.5) > 0.425)) bad = `listed ${i}, not a tail`;
    }
    expect(bad).toBe('');
    expect(left).toBeGreaterThan(0);
    // On plain random uniforms next to nothing is left for JS.
    const random = Float64Array.from({ length: n }, () => (next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53);
    expect(wasmNormalTails(wasmCentralNormals(random, 0, n, 0, 1).tails.length, 0, 1).length).toBeLessThan(n * 0.001);
  });

  it('exp of the normals equals Math.exp bit for bit on 2M values (the tails listed, then computed in JS)', () => {
    const n = 65_536;
    const next = rng(99);
    let bad = '';
    let tailCount = 0;
    const special = [0, -0, 1, -1, 2 ** -28, -(2 ** -29), 0.5 * Math.LN2, 1.5 * Math.LN2, -1.5 * Math.LN2, 511.9, -511.9, 512, -600, 700, 750, -750, Infinity, -Infinity, NaN];
    for (let round = 0; round < 32 && !bad; round++) {
      const u = uniforms(round + 100, n);
      // normals of all scales: 0 (all within 0.5·ln2 or so) up to ±700 (the tails beyond 512)
      const sd = [1e-9, 0.2, 1, 3, 50, 200][round % 6]!;
      const mean = round % 5 === 0 ? 0 : (next() / 2 ** 32 - 0.5) * 20;
      const len = n - (round % 2);
      const { values: x, tails: normalTails } = wasmCentralNormals(u, 0, len, mean, sd);
      for (const i of normalTails) x[i] = mean + sd * normalQuantile(openUniform(u[i]!));
      if (round === 0) special.forEach((v, i) => (x[i] = v * (i % 2 ? 1 + 2 ** -52 : 1)));
      const input = Float64Array.from(x.subarray(0, len));
      const { values, tails } = wasmExps(len);
      tailCount += tails.length;
      const isTail = new Set(tails);
      for (let i = 0; i < len && !bad; i++) {
        const want = Math.exp(input[i]!);
        if (!isTail.has(i) && !Object.is(values[i], want)) bad = `x = ${input[i]}: ${values[i]} vs ${want}`;
      }
      if (round === 0 && !bad) {
        for (let i = 0; i < special.length; i++) if (Math.abs(input[i]!) < 2 ** -28 || !(Math.abs(input[i]!) < 512) || input[i] === 1) expect(isTail.has(i), `x = ${input[i]}`).toBe(true);
      }
    }
    expect(bad).toBe('');
    expect(tailCount).toBeGreaterThan(0);
  });
});

describe('WebAssembly uniform kernel', () => {
  it('equals min + u·span on 1M uniforms, bit for bit, with odd lengths and negative, tiny and huge spans', () => {
    const next = rng(2718);
    const n = 65_536;
    const u = new Float64Array(n);
    let bad = '';
    for (let round = 0; round < 16 && !bad; round++) {
      for (let i = 0; i < n; i++) u[i] = round === 0 && i < 8 ? [0, 2 ** -53, 0.5, 1 - 2 ** -53][i % 4]! : (next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53;
      const min = round === 1 ? -0 : (next() / 2 ** 32 - 0.5) * 10 ** ((round % 7) * 3 - 6);
      const span = round === 2 ? -3.5 : (next() / 2 ** 32) * 10 ** ((round % 5) * 4 - 8);
      const from = round % 3;
      const y = wasmAffine(u, from, n - from - round, min, span);
      for (let i = 0; i < n - from - round; i++) {
        if (!Object.is(y[i], min + u[from + i]! * span)) {
          bad = `round ${round}, u = ${u[from + i]}: ${y[i]} vs ${min + u[from + i]! * span}`;
          break;
        }
      }
    }
    expect(bad).toBe('');
  });
});

describe('stochastic block kernels', () => {
  const dists = [
    { dist: 'uniform', min: -3, max: 1e6 },
    { dist: 'normal', mean: 5, sd: 0.01 },
    { dist: 'lognormal', mu: -1, sigma: 2 },
    { dist: 'exponential', rate: 0.37 },
    { dist: 'bernoulli', p: 0.3 },
    { dist: 'categorical', values: [0.5, 2, 7.25, 9], weights: [0.1, 0, 0.6, 0.3] },
    { dist: 'constant', value: 2.5 },
  ] as const;

  /** u values on and next to the categorical boundaries, the extremes, and random ones. */
  function probes(): Float64Array {
    const next = rng(77);
    const v: number[] = [0, 2 ** -53, 0.5, 1 - 2 ** -53];
    // Categorical boundaries, and the edges of AS 241's central region (|p − 0.5| = 0.425).
    for (const c of [0.1, 0.7, 0.1 + 0.6, 0.1 + 0 + 0.6, 1, 0.075, 0.925, 0.5]) for (let k = -4; k <= 4; k++) v.push(c + k * 2 ** -53);
    for (let k = 0; k < 1024; k++) v.push(k / 1024, k / 1024 - 2 ** -53);
    while (v.length < 20_000) v.push((next() * 2097152 + (next() & 0x1fffff)) / 2 ** 53);
    return Float64Array.from(v.filter((x) => x >= 0 && x < 1));
  }

  it.each(dists.map((d) => [d.dist, d] as const))('%s: the kernel equals the sampler on boundary and random uniforms', (_n, d) => {
    const u = probes();
    for (const dtype of ['float64', 'float32'] as const) {
      const kernel = compileBlockKernel(d as never, dtype, null)!;
      const sampler = compileSampler(d as never, dtype, null);
      expect(kernel).not.toBeNull();
      const out = allocColumn(dtype, u.length + 3) as Float64Array | Float32Array;
      kernel(u, 0, u.length, out, 3);
      const want = allocColumn(dtype, u.length + 3) as Float64Array | Float32Array;
      for (let i = 0; i < u.length; i++) want[3 + i] = sampler(u[i]!, { uniform: () => 0.5 });
      expect(Buffer.from(out.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  it('string categories: the kernel equals the sampler', () => {
    const u = probes();
    const d = { dist: 'categorical', values: ['x', 'y', 'z', 'w'], weights: [0.25, 0.25, 0, 0.5] } as const;
    const cats = ['w', 'x', 'y', 'z'];
    const kernel = compileBlockKernel(d as never, 'string', cats)!;
    const sampler = compileSampler(d as never, 'string', cats);
    const out = new Int32Array(u.length);
    kernel(u, 0, u.length, out, 0);
    for (let i = 0; i < u.length; i++) if (out[i] !== sampler(u[i]!, { uniform: () => 0.5 })) throw new Error(`u = ${u[i]}`);
  });

  it('whole variables: fill (block kernels, runs of anomalous rows) equals storedValue row by row', () => {
    const s = scenarioFrom({
      seed: 9,
      timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows: 100_000 },
      variables: {
        a: { normal: { dist: 'normal', mean: 1, sd: 2 }, anomalous: { dist: 'lognormal', mu: 0, sigma: 1 } },
        b: { dtype: 'float32', normal: { dist: 'exponential', rate: 3 }, anomalous: { dist: 'uniform', min: 5, max: 6 } },
        c: { normal: { dist: 'categorical', values: ['p', 'q', 'r'], weights: [1, 2, 3] }, anomalous: { dist: 'constant', value: 's' } },
        d: { normal: { dist: 'bernoulli', p: 0.25 } },
        e: { normal: { dist: 'poisson', lambda: 4 }, anomalous: { dist: 'poisson', lambda: 60 } },
        f: { normal: { dist: 'integer', min: -5, max: 5 } },
        g: { dtype: 'float64', normal: { dist: 'categorical', values: [1, 2.5], weights: [0.5, 0.5] } },
      },
    });
    const key = seedKey(s.seed);
    const next = rng(4242);
    const count = 65_536;
    const u = new Float64Array(count);
    for (const rowStart of [0, 1, 2 ** 32 - 11, 7_777_777]) {
      const anomalous = new Uint8Array(count);
      for (let i = 0; i < count; ) {
        const len = 1 + (next() % 400);
        if (next() % 3 === 0) anomalous.fill(1, i, Math.min(count, i + len));
        i += len + 1;
      }
      for (const v of s.variables as StochasticVariable[]) {
        const c = compileStochastic(v, key);
        const out = allocColumn(v.dtype, count + 5);
        fillStochastic(c, key, s.seed, rowStart, count, anomalous, u, out, 5);
        for (let i = 0; i < count; i++) {
          const want = storedValue(c, key, s.seed, rowStart + i, 0, anomalous[i] === 1);
          const got = v.dtype === 'int64' ? getInt64(out as Int32Array, 5 + i) : out[5 + i]!;
          if (!Object.is(got, v.dtype === 'float32' ? Math.fround(want) : want)) throw new Error(`${v.name} row ${rowStart + i}: ${got} vs ${want}`);
        }
      }
    }
  });
});
