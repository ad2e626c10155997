/**
 * The counter layout (D1): every uniform is a pure function of
 * (seed, stream, row, attempt, draw), and the block path equals the per-row path.
 */
import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../src/random/philox.js';
import {
  fillRowUniforms,
  MAX_ATTEMPTS,
  MAX_DRAWS,
  RowDraws,
  rowUniform,
  seedKey,
  wordsToUniform,
  type SeedKey,
} from '../src/random/counter.js';

const TWO32 = 2 ** 32;
const KEY = seedKey(20240917);
const STREAM = 0x5eed1234;

function perRow(key: SeedKey, stream: number, attempt: number, draw: number, rowStart: number, count: number): number[] {
  const r: number[] = [];
  for (let i = 0; i < count; i++) r.push(rowUniform(key, stream, rowStart + i, attempt, draw));
  return r;
}

function block(key: SeedKey, stream: number, attempt: number, draw: number, rowStart: number, count: number): Float64Array {
  // Sentinels around the range catch writes outside out[0..count).
  const out = new Float64Array(count + 2).fill(-1);
  fillRowUniforms(key, stream, attempt, draw, rowStart, count, out);
  expect(out[count], 'fillRowUniforms wrote past count').toBe(-1);
  expect(out[count + 1], 'fillRowUniforms wrote past count').toBe(-1);
  return out.subarray(0, count);
}

describe('wordsToUniform', () => {
  it('maps the extremes to 0 and the largest double below 1', () => {
    expect(wordsToUniform(0, 0)).toBe(0);
    expect(wordsToUniform(0xffffffff, 0xffffffff)).toBe(1 - 2 ** -53);
    expect(wordsToUniform(0xffffffff, 0xffffffff)).toBeLessThan(1);
  });

  it('uses the top 27 bits of hi and the top 26 bits of lo (53 bits in all)', () => {
    expect(wordsToUniform(0x80000000, 0)).toBe(0.5);
    expect(wordsToUniform(0x1f, 0x3f)).toBe(0); // low bits are discarded
    expect(wordsToUniform(0x20, 0)).toBe(2 ** -27);
    expect(wordsToUniform(0, 0x40)).toBe(2 ** -53);
  });
});

describe('seedKey', () => {
  it('splits the seed into low and high 32-bit words', () => {
    expect(seedKey(0)).toEqual({ k0: 0, k1: 0 });
    expect(seedKey(0xffffffff)).toEqual({ k0: 0xffffffff, k1: 0 });
    expect(seedKey(TWO32)).toEqual({ k0: 0, k1: 1 });
    expect(seedKey(TWO32 + 5)).toEqual({ k0: 5, k1: 1 });
    expect(seedKey(7 * TWO32 + 0x89abcdef)).toEqual({ k0: 0x89abcdef, k1: 7 });
    expect(seedKey(Number.MAX_SAFE_INTEGER)).toEqual({ k0: 0xffffffff, k1: 0x1fffff });
  });

  it('seeds that agree in their low 32 bits still give different streams', () => {
    const a = perRow(seedKey(5), STREAM, 0, 0, 0, 64);
    const b = perRow(seedKey(TWO32 + 5), STREAM, 0, 0, 0, 64);
    const c = perRow(seedKey(2 * TWO32 + 5), STREAM, 0, 0, 0, 64);
    expect(a.filter((x, i) => x === b[i])).toEqual([]);
    expect(b.filter((x, i) => x === c[i])).toEqual([]);
  });
});

describe('rowUniform', () => {
  it('follows the documented counter layout', () => {
    const out = new Uint32Array(4);
    const cases: Array<[number, number, number, number]> = [
      // row, attempt, draw, stream
      [0, 0, 0, STREAM],
      [1, 0, 0, STREAM],
      [12345, 3, 7, 0xffffffff],
      [2 * TWO32 + 9, 1, 255, 1], // pair = 2^32 + 4: high counter word in use
      [Number.MAX_SAFE_INTEGER - 1, MAX_ATTEMPTS - 1, MAX_DRAWS - 1, 0],
    ];
    const key = seedKey(3 * TWO32 + 77);
    for (const [row, attempt, draw, stream] of cases) {
      const pair = Math.floor(row / 2);
      philox4x32(pair % TWO32, Math.floor(pair / TWO32), stream, attempt * 256 + draw, key.k0, key.k1, out);
      const want = row % 2 === 0 ? wordsToUniform(out[0]!, out[1]!) : wordsToUniform(out[2]!, out[3]!);
      expect(rowUniform(key, stream, row, attempt, draw), `row ${row}`).toBe(want);
    }
  });

  it('pins a few values (changing them changes every dataset: D6)', () => {
    const key = seedKey(42);
    const out = new Uint32Array(4);
    philox4x32(0, 0, 7, 0, 42, 0, out);
    expect(rowUniform(key, 7, 0, 0, 0)).toBe(wordsToUniform(out[0]!, out[1]!));
    expect(rowUniform(key, 7, 1, 0, 0)).toBe(wordsToUniform(out[2]!, out[3]!));
    expect(rowUniform(key, 7, 0, 0, 0)).not.toBe(rowUniform(key, 7, 1, 0, 0));
  });

  it('is a pure function of its coordinates', () => {
    const a = rowUniform(KEY, STREAM, 1001, 2, 3);
    // Interleave unrelated calls; no state may leak between them.
    rowUniform(KEY, STREAM + 1, 1000, 0, 0);
    fillRowUniforms(KEY, STREAM, 2, 3, 990, 40, new Float64Array(40));
    expect(rowUniform(KEY, STREAM, 1001, 2, 3)).toBe(a);
  });

  it('yields uniforms in [0, 1) with a plausible mean', () => {
    const n = 100_000;
    const u = block(KEY, STREAM, 0, 0, 0, n);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (const x of u) {
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // sd of the mean is sqrt(1/12/n) ≈ 9.1e-4; allow 5 of them.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeGreaterThan(1 - 1e-3);
  });
});

describe('different coordinates give different values', () => {
  const n = 2000;
  const base = perRow(KEY, STREAM, 0, 0, 0, n);
  const shared = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    const s = new Set(Array.from(a));
    return Array.from(b).filter((x) => s.has(x)).length;
  };

  it('rows within a stream are distinct (even and odd rows of a pair too)', () => {
    expect(new Set(base).size).toBe(n);
  });

  it.each([
    ['stream', () => perRow(KEY, STREAM + 1, 0, 0, 0, n)],
    ['stream (high bit)', () => perRow(KEY, (STREAM ^ 0x80000000) >>> 0, 0, 0, 0, n)],
    ['attempt', () => perRow(KEY, STREAM, 1, 0, 0, n)],
    ['draw', () => perRow(KEY, STREAM, 0, 1, 0, n)],
    ['seed', () => perRow(seedKey(20240918), STREAM, 0, 0, 0, n)],
    ['seed (high word)', () => perRow(seedKey(20240917 + TWO32), STREAM, 0, 0, 0, n)],
  ])('changing the %s', (_name, other) => {
    // 53-bit values: a chance collision among 2000×2000 pairs has probability ~4e-10.
    expect(shared(base, other())).toBe(0);
  });

  it('attempt and draw occupy separate fields of the counter', () => {
    // (attempt 1, draw 0) must not alias (attempt 0, draw 255) or anything else nearby.
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 3; attempt++) {
      for (const draw of [0, 1, 254, 255]) seen.add(rowUniform(KEY, STREAM, 77, attempt, draw));
    }
    expect(seen.size).toBe(12);
    expect(MAX_DRAWS).toBe(256);
    expect(MAX_ATTEMPTS).toBe(2 ** 24);
  });
});

describe('fillRowUniforms', () => {
  const starts = [0, 1, 2, 7, 1000, 1001, TWO32 * 2 - 3, TWO32 * 2 - 2, 2 ** 40 + 1];
  const counts = [0, 1, 2, 3, 4, 17, 64, 257];

  it.each(starts)('equals rowUniform per row from row %d for odd and even counts', (start) => {
    for (const count of counts) {
      for (const [attempt, draw] of [
        [0, 0],
        [5, 3],
      ] as const) {
        const got = Array.from(block(KEY, STREAM, attempt, draw, start, count));
        expect(got, `start ${start} count ${count} attempt ${attempt} draw ${draw}`).toEqual(
          perRow(KEY, STREAM, attempt, draw, start, count),
        );
      }
    }
  });

  it('does not depend on how a range is split into calls', () => {
    const whole = Array.from(block(KEY, STREAM, 0, 0, 101, 500));
    const parts: number[] = [];
    let row = 101;
    for (const len of [1, 2, 3, 50, 77, 100, 267]) {
      parts.push(...block(KEY, STREAM, 0, 0, row, len));
      row += len;
    }
    expect(row).toBe(601);
    expect(parts).toEqual(whole);
  });

  it('writes nothing for count 0', () => {
    const out = new Float64Array(2).fill(-1);
    fillRowUniforms(KEY, STREAM, 0, 0, 3, 0, out);
    expect(Array.from(out)).toEqual([-1, -1]);
  });
});

describe('RowDraws', () => {
  it('returns the draws of the row and attempt it is positioned at', () => {
    const d = new RowDraws(KEY, STREAM);
    expect(d.at(41, 2)).toBe(d);
    for (let draw = 0; draw < 6; draw++) expect(d.uniform(draw)).toBe(rowUniform(KEY, STREAM, 41, 2, draw));
    d.at(42, 0);
    expect(d.uniform(1)).toBe(rowUniform(KEY, STREAM, 42, 0, 1));
    expect(d.uniform(1)).not.toBe(rowUniform(KEY, STREAM, 41, 2, 1));
  });
});
