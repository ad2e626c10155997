/** Base64 of little-endian float64 bytes → numbers. */
function decodeF64(b64: string): Float64Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer, 0, bytes.length / 8);
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
