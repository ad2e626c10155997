/**
 * The seed of one entity of a fleet: a keyed permutation of the entity's index over the
 * 53-bit seed space. Entity `e` of a fleet with seed `s` is generated exactly as the same
 * scenario without entities would be with seed `entitySeed(s, e)`, so each entity has its
 * own random streams (D1 per entity), and two entities of one fleet never share a seed
 * (the map is a bijection for a fixed fleet seed).
 *
 * The permutation is a six-round unbalanced Feistel network on (high 21 bits, low 32 bits),
 * with Philox under the fleet seed's key as its round function: invertible by
 * construction, and no BigInt.
 */
import { philox4x32 } from './philox.js';
import { hash32 } from './hash.js';

const TWO32 = 4294967296;
const HIGH_MASK = 0x1fffff;
const ROUNDS = 6;
const ENTITY_STREAM = hash32('sys:entity.seed');
const scratch = new Uint32Array(4);

/** The seed (an integer in [0, 2^53)) entity `index` of a fleet seeded `seed` is generated with. */
export function entitySeed(seed: number, index: number): number {
  const k0 = seed % TWO32 >>> 0;
  const k1 = Math.floor(seed / TWO32) >>> 0;
  let hi = Math.floor(index / TWO32) & HIGH_MASK;
  let lo = index % TWO32 >>> 0;
  for (let r = 0; r < ROUNDS; r++) {
    if ((r & 1) === 0) hi = (hi ^ philox4x32(lo, r, ENTITY_STREAM, 0, k0, k1, scratch)[0]!) & HIGH_MASK;
    else lo = (lo ^ philox4x32(hi, r, ENTITY_STREAM, 0, k0, k1, scratch)[0]!) >>> 0;
  }
  return hi * TWO32 + lo;
}
