/**
 * Philox4x32 known-answer tests and the 32-bit multiply-high primitive.
 *
 * The vectors come from ../shared/data/random123/philox4x32.kat (read relative to the
 * repo root, which is vitest's cwd) plus the six philox4x32 lines of Random123's own
 * kat_vectors file, pinned inline below so the canonical vectors are checked even if the
 * shared file changes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulhi32, philox4x32, PRNG_ID } from '../src/random/philox.js';

const KAT_PATH = resolve(process.cwd(), '../shared/data/random123/philox4x32.kat');

interface Kat {
  line: number;
  text: string;
  rounds: number;
  input: number[]; // ctr0..3, key0..1
  expected: number[]; // out0..3
}

function hexWord(s: string, where: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(s)) throw new Error(`${where}: '${s}' is not an 8-digit hex word`);
  return parseInt(s, 16) >>> 0;
}

/** Parses the Random123 format: `name rounds ctr0 ctr1 ctr2 ctr3 key0 key1 out0 out1 out2 out3`. */
function parseKat(text: string, source: string): Kat[] {
  const out: Kat[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const t = l.split(/\s+/);
    if (t.length !== 12) throw new Error(`${where}: expected 12 fields, found ${t.length}: ${l}`);
    if (t[0] !== 'philox4x32') throw new Error(`${where}: unexpected generator name '${t[0]}'`);
    const rounds = Number(t[1]);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`${where}: bad round count '${t[1]}'`);
    out.push({
      line: i + 1,
      text: l,
      rounds,
      input: t.slice(2, 8).map((w) => hexWord(w, where)),
      expected: t.slice(8, 12).map((w) => hexWord(w, where)),
    });
  });
  return out;
}

function loadSharedKat(): Kat[] {
  if (!existsSync(KAT_PATH)) {
    throw new Error(
      `known-answer file not found: ${KAT_PATH} (expected ../shared/data/random123/philox4x32.kat relative to the repo root; run vitest from the repo root)`,
    );
  }
  return parseKat(readFileSync(KAT_PATH, 'utf8'), KAT_PATH);
}

/** The philox4x32 lines of Random123's kat_vectors (Salmon et al.). */
const RANDOM123_KAT = `
philox4x32 7 00000000 00000000 00000000 00000000 00000000 00000000 5f6fb709 0d893f64 4f121f81 4f730a48
philox4x32 7 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 5207ddc2 45165e59 4d8ee751 8c52f662
philox4x32 7 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 4dfccaba 190a87f0 c47362ba b6b5242a
philox4x32 10 00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8
philox4x32 10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd
philox4x32 10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1
`;

const hex = (ws: ArrayLike<number>): string =>
  Array.from(ws, (w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');

function run(k: Kat): Uint32Array {
  const [c0, c1, c2, c3, k0, k1] = k.input as [number, number, number, number, number, number];
  return philox4x32(c0, c1, c2, c3, k0, k1, new Uint32Array(4), k.rounds);
}

describe('Philox4x32 known answers', () => {
  const shared = loadSharedKat();

  it('the shared KAT file has both 7-round and 10-round vectors', () => {
    expect(shared.length).toBeGreaterThanOrEqual(20);
    expect(shared.some((k) => k.rounds === 7)).toBe(true);
    expect(shared.some((k) => k.rounds === 10)).toBe(true);
  });

  it.each(shared.map((k) => [`line ${k.line}: ${k.text.slice(0, 70)}`, k] as const))('%s', (_name, k) => {
    expect(hex(run(k))).toBe(hex(k.expected));
  });

  it.each(parseKat(RANDOM123_KAT, 'Random123 kat_vectors').map((k) => [k.text.slice(0, 70), k] as const))(
    'Random123: %s',
    (_name, k) => {
      expect(hex(run(k))).toBe(hex(k.expected));
    },
  );

  it('defaults to 10 rounds, writes into and returns the given buffer, and accepts signed inputs', () => {
    const out = new Uint32Array(4);
    const r = philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(r).toBe(out);
    expect(hex(out)).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
    // -1 | 0 is the same 32-bit word as 0xffffffff.
    philox4x32(-1, -1, -1, -1, -1, -1, out);
    expect(hex(out)).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
  });

  it('records the algorithm id', () => {
    expect(PRNG_ID).toBe('philox4x32-10');
  });
});

describe('mulhi32', () => {
  const big = (a: number, b: number): number => Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n);

  it('matches BigInt products at the edges', () => {
    const edge = [0, 1, 2, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
    for (const a of edge) for (const b of edge) expect(mulhi32(a, b), `${a} * ${b}`).toBe(big(a, b));
  });

  it('matches BigInt products for 200k random pairs', () => {
    // xorshift32 keeps the inputs reproducible without Math.random.
    let s = 0x9e3779b9;
    const next = (): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return s >>> 0;
    };
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < 200_000; i++) {
      const a = next();
      // Mix in narrow operands so carries out of the middle limbs are exercised too.
      const b = i % 4 === 0 ? next() & 0xffff0000 : i % 4 === 1 ? next() | 0xffff : next();
      const got = mulhi32(a, b);
      if (got !== big(a, b)) {
        if (mismatches++ === 0) first = `${a} * ${b}: got ${got}, want ${big(a, b)}`;
      }
    }
    expect(first).toBe('');
    expect(mismatches).toBe(0);
  });

  it('always returns an unsigned 32-bit integer', () => {
    expect(mulhi32(0xffffffff, 0xffffffff)).toBe(0xfffffffe);
    expect(mulhi32(0x80000000, 2)).toBe(1);
  });
});
