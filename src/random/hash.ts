/**
 * Stable 32-bit hashes used to derive stream identifiers from names (D1, D4): a variable's
 * stream depends on its name only, never on its position in the scenario.
 */

/** Names hashed so far: a fleet compiles its variables and kinds again for every entity. */
const known = new Map<string, number>();
/** Names kept at most (then forgotten all at once): the names of a scenario are few. */
const KNOWN_MAX = 4096;
const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes of `text`, followed by a murmur3 finaliser for avalanche. */
export function hash32(text: string): number {
  let h = known.get(text);
  if (h === undefined) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(text, (h = fnv32(text)));
  }
  return h;
}

function fnv32(text: string): number {
  const bytes = encoder.encode(text);
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Stream id of a user variable. The "var:" domain keeps user names apart from system streams. */
export function variableStream(name: string): number {
  return hash32(`var:${name}`);
}

/** Stream id of an engine-internal purpose (anomaly placement, kinds, ...). */
export function systemStream(purpose: string): number {
  return hash32(`sys:${purpose}`);
}
