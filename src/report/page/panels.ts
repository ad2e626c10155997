/** Distributions (normal against anomalous) and latent projections, drawn on plain canvases. */

const NORMAL = '#1f4e9c';
const ANOMALOUS = '#d62728';

function axisText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, align: CanvasTextAlign = 'center'): void {
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = align;
  ctx.fillText(text, x, y);
}

function sum(a: number[]): number {
  return a.reduce((s, v) => s + v, 0);
}

/** Share of each class per bin (each class sums to 1), as overlaid step bars. */
function drawHistogram(d: Extract<PageData.Distribution, { type: 'numeric' }>, W: number, H: number): HTMLCanvasElement {
  const [c, ctx] = hiDpiCanvas(W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const pad = { l: 8, r: 8, t: 8, b: 22 };
  const n = d.normal.length;
  const tn = sum(d.normal) || 1;
  const ta = sum(d.anomalous) || 1;
  const share = (v: number[], t: number) => v.map((x) => x / t);
  const sn = share(d.normal, tn);
  const sa = share(d.anomalous, ta);
  const top = Math.max(1e-12, ...sn, ...sa);
  const bw = (W - pad.l - pad.r) / Math.max(1, n);
  const y = (v: number) => H - pad.b - (v / top) * (H - pad.t - pad.b);
  for (const [s, colour] of [[sn, NORMAL], [sa, ANOMALOUS]] as const) {
    ctx.fillStyle = colour + '55';
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(pad.l, H - pad.b);
    s.forEach((v, i) => {
      ctx.fillRect(pad.l + i * bw, y(v), bw, H - pad.b - y(v));
      ctx.lineTo(pad.l + i * bw, y(v));
      ctx.lineTo(pad.l + (i + 1) * bw, y(v));
    });
    ctx.lineTo(pad.l + n * bw, H - pad.b);
    ctx.stroke();
  }
  ctx.strokeStyle = '#999';
  ctx.beginPath();
  ctx.moveTo(pad.l, H - pad.b + 0.5);
  ctx.lineTo(W - pad.r, H - pad.b + 0.5);
  ctx.stroke();
  for (const k of [0, 0.5, 1]) axisText(ctx, fmtNum(d.lo + k * n * d.width), pad.l + k * n * bw, H - 6, k === 0 ? 'left' : k === 1 ? 'right' : 'center');
  return c;
}

/** `text` cut (with an ellipsis) to at most `width` pixels in the context's font. */
function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  const chars = [...text];
  let n = chars.length;
  while (n > 1 && ctx.measureText(chars.slice(0, n - 1).join('') + '…').width > width) n--;
  return chars.slice(0, n - 1).join('') + '…';
}

/** Share of each category per class, as paired horizontal bars. */
function drawCategories(d: Extract<PageData.Distribution, { type: 'categorical' }>, W: number): HTMLCanvasElement {
  const row = 22;
  const H = 8 + d.categories.length * row;
  const [c, ctx] = hiDpiCanvas(W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const tn = sum(d.normal) || 1;
  const ta = sum(d.anomalous) || 1;
  const label = 90;
  const share = (i: number) => `${(100 * (d.normal[i]! / tn)).toFixed(1)}% / ${(100 * (d.anomalous[i]! / ta)).toFixed(1)}%`;
  // Room for the widest share text ("100.0% / 100.0%"), so no figure is cut at the edge.
  ctx.font = '11px system-ui, sans-serif';
  const text = Math.max(0, ...d.categories.map((_, i) => ctx.measureText(share(i)).width));
  const bar = Math.max(40, W - label - Math.ceil(text) - 10);
  d.categories.forEach((cat, i) => {
    const y0 = 4 + i * row;
    // An empty category is shown as "" rather than as nothing; a long one cut to its column.
    axisText(ctx, cat === '' ? '""' : fitText(ctx, cat, label - 10), label - 6, y0 + 14, 'right');
    const n = d.normal[i]! / tn;
    const a = d.anomalous[i]! / ta;
    ctx.fillStyle = NORMAL;
    ctx.fillRect(label, y0 + 2, Math.max(n * bar, n > 0 ? 1 : 0), 8);
    ctx.fillStyle = ANOMALOUS;
    ctx.fillRect(label, y0 + 11, Math.max(a * bar, a > 0 ? 1 : 0), 8);
    axisText(ctx, share(i), label + bar + 4, y0 + 14, 'left');
  });
  return c;
}

/** Each variable's figure, its caption at once and its canvas when near the window (lazy.ts). */
function renderDistributions(report: PageData.Report, host: HTMLElement): void {
  const figures = report.distributions.map((d) => {
    const box = el('figure', { class: 'dist', 'data-variable': d.name });
    const n = sum(d.normal);
    const a = sum(d.anomalous);
    // A numeric histogram counts NaN and ±Infinity (allow_non_finite) with the nulls: no bin
    // can hold them, and the caption says so rather than calling an infinity missing.
    const apart = d.type === 'numeric' ? 'missing or not finite (null, NaN, ±Infinity)' : 'missing';
    box.append(el('figcaption', {}, `${d.name}: ${fmtInt(n)} normal, ${fmtInt(a)} anomalous values` + (d.nulls[0] + d.nulls[1] > 0 ? `, ${fmtInt(d.nulls[0] + d.nulls[1])} ${apart}` : '')));
    // Until drawn, the room the canvas will take.
    const room = el('div', { style: `width:420px;height:${d.type === 'numeric' ? 150 : 8 + 22 * d.categories.length}px` });
    box.append(room);
    host.append(box);
    return { box, room, drawn: false };
  });
  whenNear(
    figures.map((f) => f.box),
    (i, yes) => {
      const f = figures[i]!;
      if (!yes || f.drawn) return;
      const d = report.distributions[i]!;
      f.room.replaceWith(d.type === 'numeric' ? drawHistogram(d, 420, 150) : drawCategories(d, 420));
      f.drawn = true;
    },
  );
}

/** Radial projection of latent codes: rings for the bands, dots for the codes drawn. */
function drawLatent(p: PageData.Latent, S: number): HTMLCanvasElement {
  const [c, ctx] = hiDpiCanvas(S, S);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, S, S);
  const normal = decodeF64(p.normal);
  const anomalous = decodeF64(p.anomalous);
  const moves = p.moves ? decodeF64(p.moves) : new Float64Array(0);
  let reach = Math.max(p.outlier[1], p.codes.max);
  for (const a of [normal, anomalous, moves]) for (let i = 0; i < a.length; i++) reach = Math.max(reach, Math.abs(a[i]!));
  const k = (S / 2 - 10) / reach;
  const cx = S / 2;
  const ring = (r0: number, r1: number, fill: string) => {
    ctx.fillStyle = fill;
    ctx.beginPath();
    ctx.arc(cx, cx, r1 * k, 0, 2 * Math.PI);
    ctx.arc(cx, cx, r0 * k, 0, 2 * Math.PI, true);
    ctx.fill();
  };
  if (p.inner) ring(p.inner[0], p.inner[1], NORMAL + '22');
  ring(p.outlier[0], p.outlier[1], ANOMALOUS + '22');
  ctx.setLineDash([4, 4]);
  ctx.strokeStyle = '#555';
  for (const [r, name] of [[p.codes.median, 'median'], [p.codes.q99, 'q99'], [p.codes.max, 'max']] as const) {
    ctx.beginPath();
    ctx.arc(cx, cx, r * k, 0, 2 * Math.PI);
    ctx.stroke();
    axisText(ctx, `training ${name}`, cx + r * k * 0.7071 + 2, cx - r * k * 0.7071 - 2, 'left');
  }
  ctx.setLineDash([]);
  for (const [a, colour] of [[normal, NORMAL], [anomalous, ANOMALOUS]] as const) {
    ctx.fillStyle = colour;
    for (let i = 0; i + 1 < a.length; i += 2) ctx.fillRect(cx + a[i]! * k - 1, cx - a[i + 1]! * k - 1, 2.5, 2.5);
  }
  // Learned events: from the context's radius (hollow) to the radius moved to (filled); the
  // angle is only the event's order (directions are not recorded).
  const n = moves.length / 2;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * (i + 0.5)) / n;
    const [c0, s0] = [Math.cos(t), Math.sin(t)];
    const from = moves[2 * i]! * k;
    const to = moves[2 * i + 1]! * k;
    ctx.strokeStyle = ANOMALOUS;
    ctx.beginPath();
    ctx.moveTo(cx + c0 * from, cx - s0 * from);
    ctx.lineTo(cx + c0 * to, cx - s0 * to);
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(cx + c0 * from, cx - s0 * from, 2.5, 0, 2 * Math.PI);
    ctx.strokeStyle = NORMAL;
    ctx.stroke();
    ctx.fillStyle = ANOMALOUS;
    ctx.fillRect(cx + c0 * to - 1.5, cx - s0 * to - 1.5, 3, 3);
  }
  return c;
}

function renderLatent(report: PageData.Report, host: HTMLElement): void {
  for (const p of report.latent) {
    const box = el('figure', { class: 'latent', 'data-variable': p.variable });
    const dims = `${p.dims} active dimension${p.dims === 1 ? '' : 's'}, ${p.measure} radius`;
    const text = p.inner
      ? `${p.variable}: latent codes (${dims}). Blue band: normal region, radius ${fmtNum(p.inner[0])}–${fmtNum(p.inner[1])}; red band: outlier region, ${fmtNum(p.outlier[0])}–${fmtNum(p.outlier[1])}; dashed: training codes' radius quantiles. Dots: codes drawn for normal windows (blue) and anomalous windows (red), each at its radius in the direction of its first two principal coordinates.`
      : `${p.variable} (${dims}): each learned event's code moved from its real context's radius (blue circle) to a radius in the outlier band ${fmtNum(p.outlier[0])}–${fmtNum(p.outlier[1])} (red), as the segment table records; events are placed round the circle in order (only radii are data). Dashed: training codes' radius quantiles.`;
    box.append(el('figcaption', {}, text));
    box.append(drawLatent(p, 380));
    host.append(box);
  }
}
