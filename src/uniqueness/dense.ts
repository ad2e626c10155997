/**
 * Dense uniqueness: when every key variable takes finitely many integer-like values in a
 * class (integers, categories, booleans, constants, rounded bounded ranges) and their
 * product fits a bitmap, a tuple packs exactly into one integer code (mixed radix). The
 * sequential meaning is then computed literally — rows in order, test-and-set on a bitmap
 * of taken codes — with memory bounded by the key's domain, not by the row count, and no
 * fingerprint confirmation needed because codes are exact.
 */
import type { DType, Distribution, Scenario, StochasticVariable } from '../model/types.js';
import { clampValue, columnLimits, type Limits } from '../model/limits.js';
import { domainSize } from './domain.js';

/** Largest domain handled densely: a 128 MiB bitmap per class. */
const MAX_DENSE_DOMAIN = 2 ** 30;

interface Digit {
  radix: number;
  /** Stored value → digit, or -1 if the value is outside the domain. */
  digit(v: number): number;
}

function digitOf(d: Distribution, v: StochasticVariable & { limits?: Limits }): Digit | undefined {
  const dtype: DType = v.dtype;
  if (dtype === 'string') {
    // Stored values are indices into the variable's dictionary.
    const n = v.categories?.length ?? 0;
    return { radix: n, digit: (x) => (x >= 0 && x < n ? x : -1) };
  }
  if (dtype === 'bool') return { radix: 2, digit: (x) => (x === 0 || x === 1 ? x : -1) };
  const range = (lo: number, hi: number): Digit | undefined => {
    // Limits clamp every stored value: draws from [lo, hi] are stored in [clamp(lo), clamp(hi)],
    // which limits may move outside the distribution's range (limits: [20, null] on 0…9).
    // Fractional limits (a float column) store values no integer digit holds: not dense.
    if (v.limits) {
      const l = columnLimits(dtype, v.limits);
      lo = clampValue(lo, l);
      hi = clampValue(hi, l);
      if (!Number.isInteger(lo) || !Number.isInteger(hi)) return undefined;
    }
    return { radix: hi - lo + 1, digit: (x) => (Number.isInteger(x) && x >= lo && x <= hi ? x - lo : -1) };
  };
  switch (d.dist) {
    case 'integer':
      return range(d.min, d.max);
    case 'constant':
    case 'categorical': {
      const values = (d.dist === 'constant' ? [d.value] : d.values).map((x) => (typeof x === 'boolean' ? (x ? 1 : 0) : Number(x)));
      const stored = [...new Set(values.map((x) => (dtype === 'float32' ? Math.fround(x) : dtype === 'int32' || dtype === 'int64' ? Math.round(x) : x)))];
      const index = new Map(stored.map((x, i) => [x, i]));
      return { radix: stored.length, digit: (x) => index.get(x) ?? -1 };
    }
    case 'bernoulli':
      return range(0, 1);
    case 'uniform':
      return dtype === 'int32' || dtype === 'int64' ? range(Math.round(d.min), Math.round(d.max)) : undefined;
    default:
      return undefined;
  }
}

export interface DenseEncoding {
  /** How many codes there are: the size of the bitmap. */
  codes: number;
  /** How many distinct tuples the class can draw: a string key's codes span every class's
   * categories, and a value of weight 0 (or a bernoulli's p of 0 or 1) has a code no row
   * takes, so exhaustion is decided by this count, not by the codes. */
  domain: number;
  /** The exact code of a tuple of stored values, or -1 if a value falls outside. */
  encode(tuple: ArrayLike<number>): number;
}

/** The dense encoding of the key for one class, or null when the key is not dense. */
export function denseEncoding(s: Scenario, cls: 'normal' | 'anomalous'): DenseEncoding | null {
  const names = s.uniqueness?.key ?? [];
  const digits: Digit[] = [];
  let domain = 1;
  for (const n of names) {
    const v = s.variables.find((x) => x.name === n);
    if (!v || v.type !== 'stochastic') return null;
    const dist = cls === 'anomalous' && v.anomalous ? v.anomalous : v.normal;
    const d = digitOf(dist, v);
    if (!d || d.radix < 1) return null;
    digits.push(d);
    domain *= Math.min(d.radix, domainSize(dist, v.dtype));
  }
  const codes = digits.reduce((a, d) => a * d.radix, 1);
  if (digits.length === 0 || codes > MAX_DENSE_DOMAIN) return null;
  return {
    codes,
    domain,
    encode(t) {
      let code = 0;
      for (let k = 0; k < digits.length; k++) {
        const g = digits[k]!.digit(t[k]!);
        if (g < 0) return -1;
        code = code * digits[k]!.radix + g;
      }
      return code;
    },
  };
}

/** The taken codes of one class. */
export class CodeBitmap {
  private readonly bits: Uint32Array;
  count = 0;
  constructor(readonly domain: number) {
    this.bits = new Uint32Array(Math.ceil(domain / 32));
  }
  has(code: number): boolean {
    return (this.bits[code >>> 5]! & (1 << (code & 31))) !== 0;
  }
  /** Marks a code taken; false if it already was. */
  take(code: number): boolean {
    const w = code >>> 5;
    const m = 1 << (code & 31);
    if (this.bits[w]! & m) return false;
    this.bits[w]! |= m;
    this.count++;
    return true;
  }
}
