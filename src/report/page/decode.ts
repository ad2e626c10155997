/** Base64 → bytes. */
function decodeBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Base64 of little-endian float64 bytes → numbers. */
function decodeF64(b64: string): Float64Array {
  const bytes = decodeBytes(b64);
  return new Float64Array(bytes.buffer, 0, bytes.length / 8);
}

/** A packed overview's rows: base64 of LEB128 differences (the first from 0), by arithmetic so rows past 2^32 survive. */
function decodeRowDeltas(b64: string): Float64Array {
  const bytes = decodeBytes(b64);
  const out: number[] = [];
  let row = 0;
  let d = 0;
  let mul = 1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    d += (b & 127) * mul;
    if (b < 128) {
      row += d;
      out.push(row);
      d = 0;
      mul = 1;
    } else mul *= 128;
  }
  return Float64Array.from(out);
}

/** A packed overview's values: base64 of little-endian float32, each read as offset + value × scale. */
function decodeF32(b64: string, [offset, scale]: [number, number]): Float64Array {
  const bytes = decodeBytes(b64);
  const f = new Float32Array(bytes.buffer, 0, bytes.length / 4);
  const out = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = offset === 0 && scale === 1 ? f[i]! : offset + f[i]! * scale;
  return out;
}

/** Thousands-separated integer. */
function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A number in at most 6 significant digits. */
function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return n.toLocaleString('en-US');
  return Number(n.toPrecision(6)).toString();
}

/** ISO time of a row, without a trailing 'Z' for brevity when the step allows. */
function fmtTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A canvas sized for the device's pixel ratio; returns its 2-D context in CSS pixels. */
function hiDpiCanvas(width: number, height: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = el('canvas');
  const r = window.devicePixelRatio || 1;
  c.width = Math.round(width * r);
  c.height = Math.round(height * r);
  c.style.width = `${width}px`;
  c.style.height = `${height}px`;
  const ctx = c.getContext('2d')!;
  ctx.scale(r, r);
  return [c, ctx];
}

/** A series' overview points as numbers. */
interface DecodedSeries {
  meta: PageData.Series;
  x: Float64Array;
  y: Float64Array;
  tx: Float64Array | null;
  ty: Float64Array | null;
}

/** A series' overview points as numbers: float64 bytes, or packed (a wide report). */
function decodeSeries(s: PageData.Series): DecodedSeries {
  const p = s.packed;
  if (!p) return { meta: s, x: decodeF64(s.x), y: decodeF64(s.y), tx: s.twinX ? decodeF64(s.twinX) : null, ty: s.twinY ? decodeF64(s.twinY) : null };
  return { meta: s, x: decodeRowDeltas(s.x), y: decodeF32(s.y, p.y), tx: s.twinX ? decodeRowDeltas(s.twinX) : null, ty: s.twinY && p.twinY ? decodeF32(s.twinY, p.twinY) : null };
}
