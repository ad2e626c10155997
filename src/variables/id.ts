/**
 * `type: id` — identifiers unique by construction: row i gets min + π(i), where π is a
 * keyed permutation of [0, max − min + 1) (a 4-round Feistel network on the smallest even
 * bit width that covers the range, with cycle-walking back into it). Distinct rows always
 * get distinct ids, with no retries and no memory; the permutation depends on the seed
 * and the variable's name only, so ids are stable under growth and layout (D1–D4).
 */
import { ParanomError } from '../errors.js';
import { join } from '../model/checker.js';
import type { IdVariable } from '../model/types.js';
import { philox4x32 } from '../random/philox.js';
import { putInt64 } from '../columns/columns.js';
import type { CompiledVariable, VariableKind } from './kind.js';

/** Largest id range: ids are exact integers in doubles. */
const MAX_SPAN = 2 ** 53;

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A keyed permutation of [0, size). */
export function makePermutation(size: number, k: Uint32Array): (x: number) => number {
  let bits = Math.max(2, Math.ceil(Math.log2(size)));
  if (bits % 2 === 1) bits++;
  const half = bits / 2;
  const hm = 2 ** half;
  const mask = half >= 32 ? 0xffffffff : hm - 1;
  const f = (x: number, r: number) => (mix32((x ^ k[r]!) + Math.imul(r + 1, 0x9e3779b9)) & mask) >>> 0;
  const enc = (x: number) => {
    let l = Math.floor(x / hm);
    let rr = x - l * hm;
    for (let r = 0; r < 4; r++) {
      const t = (l ^ f(rr, r)) >>> 0;
      l = rr;
      rr = t;
    }
    return l * hm + rr;
  };
  return (x) => {
    let y = enc(x);
    while (y >= size) y = enc(y);
    return y;
  };
}

export const idKind: VariableKind<IdVariable> = {
  keys: ['dtype', 'min', 'max'],
  validate(c, { name, stream, path, raw }) {
    const min = raw['min'] === undefined ? 0 : c.number(raw['min'], join(path, 'min'), { integer: true });
    const max = raw['max'] === undefined ? (min ?? 0) + MAX_SPAN - 1 : c.number(raw['max'], join(path, 'max'), { integer: true });
    const dtype = raw['dtype'] ?? 'int64';
    if (dtype !== 'int64' && dtype !== 'int32') return c.fail(join(path, 'dtype'), `an id column is int64 or int32, got ${String(dtype)}`);
    if (min === undefined || max === undefined) return undefined;
    if (!Number.isSafeInteger(max) || max < min) return c.fail(join(path, 'max'), `must be an integer >= min (${min}) and below 2^53, got ${max}`);
    if (max - min + 1 > MAX_SPAN) return c.fail(join(path, 'max'), `the range may hold at most 2^53 ids, got ${max - min + 1}`);
    if (dtype === 'int32' && (min < -(2 ** 31) || max > 2 ** 31 - 1)) return c.fail(join(path, 'dtype'), `ids from ${min} to ${max} do not fit an int32 column`);
    return { name, type: 'id', dtype, stream, normal: null, anomalous: null, categories: null, min, max };
  },
  maxRows: (v) => v.max - v.min + 1,
  compile(v, { key, scenario }): CompiledVariable {
    const size = v.max - v.min + 1;
    const rounds = philox4x32(0, 0, v.stream, 0, key.k0, key.k1, new Uint32Array(4));
    const perm = makePermutation(size, rounds);
    const at = (row: number) => {
      if (row >= size) {
        // Planning refuses such a timeline (maxRows); this guards direct library use.
        throw new ParanomError('ID_RANGE_EXHAUSTED', `id variable '${v.name}' has ${size} ids (${v.min} to ${v.max}) and cannot number row ${row} of ${scenario.timeline.rows}; widen its range`);
      }
      return v.min + perm(row);
    };
    return {
      variable: v,
      fill(block, out) {
        for (let i = 0; i < block.count; i++) {
          const id = at(block.rowStart + i);
          if (v.dtype === 'int64') putInt64(out as Int32Array, block.offset + i, id);
          else out[block.offset + i] = id;
        }
      },
    };
  },
};
