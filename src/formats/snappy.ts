/**
 * A Snappy compressor (the raw format Parquet's SNAPPY codec uses: a varint length, then
 * literals and back-references), greedy with a 2^14-entry hash table over 64 KiB
 * fragments, as the reference implementation does. Deterministic: the same input gives
 * the same bytes.
 */

const FRAGMENT = 65536;
const HASH_BITS = 14;
const table = new Int32Array(1 << HASH_BITS);

/** Worst-case compressed size of n bytes (the reference's MaxCompressedLength). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function hash(v: number): number {
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function emitLiteral(out: Uint8Array, op: number, src: Uint8Array, from: number, len: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = (n >>> 16) & 0xff;
    out[op++] = n >>> 24;
  }
  out.set(src.subarray(from, from + len), op);
  return op + len;
}

function emitCopyUpTo64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopyUpTo64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(out, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(out, op, offset, len);
}

/**
 * How many bytes from `ip` (before `to`) equal those from `candidate` (< ip), given that
 * the first `known` do: four bytes at a time (`words` views `src`), then byte by byte —
 * long runs (a fleet's key column) are compared a word per step, not a byte.
 */
export function matchLength(src: Uint8Array, words: DataView, candidate: number, ip: number, known: number, to: number): number {
  let matched = known;
  while (ip + matched + 4 <= to && words.getInt32(ip + matched, true) === words.getInt32(candidate + matched, true)) matched += 4;
  while (ip + matched < to && src[ip + matched] === src[candidate + matched]) matched++;
  return matched;
}

/** Compresses src[from, to) of one fragment (≤ 64 KiB) into out at op; returns the new op. */
function compressFragment(src: Uint8Array, from: number, to: number, out: Uint8Array, op: number): number {
  let lit = from;
  if (to - from >= 15) {
    table.fill(-1);
    const words = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const limit = to - 15;
    let ip = from + 1;
    let next = hash(load32(src, ip));
    for (;;) {
      let skip = 32;
      let candidate: number;
      let cur = ip;
      // Find a 4-byte match, stepping faster through incompressible input.
      do {
        ip = cur;
        const h = next;
        cur = ip + (skip++ >> 5);
        if (cur > limit) return lit < to ? emitLiteral(out, op, src, lit, to - lit) : op;
        next = hash(load32(src, cur));
        candidate = table[h]!;
        table[h] = ip;
      } while (candidate < 0 || load32(src, ip) !== load32(src, candidate));
      if (ip > lit) op = emitLiteral(out, op, src, lit, ip - lit);
      // Extend matches back to back.
      for (;;) {
        const base = ip;
        const matched = matchLength(src, words, candidate, ip, 4, to);
        ip += matched;
        op = emitCopy(out, op, base - candidate, matched);
        lit = ip;
        if (ip >= limit) return lit < to ? emitLiteral(out, op, src, lit, to - lit) : op;
        table[hash(load32(src, ip - 1))] = ip - 1;
        const h = hash(load32(src, ip));
        candidate = table[h]!;
        table[h] = ip;
        if (candidate < 0 || load32(src, ip) !== load32(src, candidate)) break;
      }
      next = hash(load32(src, ip + 1));
      ip++;
    }
  }
  return lit < to ? emitLiteral(out, op, src, lit, to - lit) : op;
}

/**
 * Snappy-compresses `src` into `out` (at least maxCompressedLength(src.length) bytes, or a
 * fresh buffer when omitted); returns the compressed bytes (a view of `out`).
 */
export function snappyCompress(src: Uint8Array, out?: Uint8Array): Uint8Array {
  const dst = out && out.length >= maxCompressedLength(src.length) ? out : new Uint8Array(maxCompressedLength(src.length));
  let op = 0;
  let n = src.length;
  while (n >= 128) {
    dst[op++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  dst[op++] = n;
  for (let from = 0; from < src.length; from += FRAGMENT) {
    op = compressFragment(src, from, Math.min(src.length, from + FRAGMENT), dst, op);
  }
  return dst.subarray(0, op);
}
