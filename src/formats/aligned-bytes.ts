/**
 * Byte arrays aligned for direct (O_DIRECT) writes: their start at a multiple of
 * DIRECT_ALIGN, with room past the asked length for a padded last block. WebAssembly
 * memory is page-aligned, so each is one.
 */

/** Alignment of direct writes: address, offset and length (4 KiB covers 512 B and 4 KiB disks). */
export const DIRECT_ALIGN = 4096;
const WASM_PAGE = 65536;

/** Buffers from `alignedBytes`: their address is a multiple of DIRECT_ALIGN. */
const aligned = new WeakSet<object>();

/** The part of the WebAssembly global used here (the project's `lib` has no wasm types). */
interface WasmMemoryApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
}

/**
 * A zeroed byte array of at least `n` bytes whose start is aligned for direct writes, with
 * room past `n` for the padded last block (WebAssembly memory is page-aligned).
 */
export function alignedBytes(n: number): Uint8Array<ArrayBuffer> {
  const pages = Math.max(1, Math.ceil((n + DIRECT_ALIGN) / WASM_PAGE));
  try {
    const buffer = new (globalThis as unknown as { WebAssembly: WasmMemoryApi }).WebAssembly.Memory({ initial: pages }).buffer;
    aligned.add(buffer);
    return new Uint8Array(buffer);
  } catch {
    // Past WebAssembly's 4 GiB, or no memory for it: an ordinary array, written buffered.
    return new Uint8Array(n);
  }
}

/** True when `bytes` starts at an aligned address with room for its padded last block. */
export function isAligned(bytes: Uint8Array): boolean {
  return aligned.has(bytes.buffer) && bytes.byteOffset % DIRECT_ALIGN === 0 && bytes.byteOffset + padded(bytes.length) <= bytes.buffer.byteLength;
}

/** `n` rounded up to whole blocks of DIRECT_ALIGN. */
export const padded = (n: number): number => Math.ceil(n / DIRECT_ALIGN) * DIRECT_ALIGN;
