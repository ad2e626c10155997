/**
 * The series charts: one uPlot chart per numeric variable (with its clean twin), x-axes
 * kept in step, anomaly events shaded by kind. Data follows the view: the M4 overview by
 * default, exact rows where the page holds them (every row, or windows around events and
 * a few tiles) once the view is narrow enough for rows to matter.
 */

interface DecodedSeries {
  meta: PageData.Series;
  x: Float64Array;
  y: Float64Array;
  tx: Float64Array | null;
  ty: Float64Array | null;
}

interface DecodedWindow {
  from: number;
  to: number;
  values: Map<string, Float64Array>;
}

/** What the charts show: rows [from, to) and from where the values come. */
interface ViewState {
  from: number;
  to: number;
  resolution: 'exact' | 'overview' | 'mixed';
}

const MIN_VIEW_ROWS = 4;
/** Height in CSS pixels of the event strip along the top of each chart. */
const EVENT_STRIP = 5;

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';

/**
 * Y tick increments, 1, 2, 2.5 and 5 × 10^k over the whole range of doubles, subnormals to
 * 1e308 (uPlot's own stop at 10^±32, leaving an axis without labels for values such as 1e300).
 */
const Y_INCRS: number[] = [];
for (let e = -323; e <= 308; e++) for (const m of [1, 2, 2.5, 5]) if (Number.isFinite(Number(`${m}e${e}`)) && Number(`${m}e${e}`) > 0) Y_INCRS.push(Number(`${m}e${e}`));

/**
 * Time-axis tick steps in seconds: uPlot's own (from 1 ms to a century), then 200 to 2,000
 * years. uPlot's stop at 100 years, so a timeline spanning more than about 2,500 years (a
 * million daily rows) had no tick step that fits the chart width, and no time labels at all.
 */
const X_INCRS: number[] = (() => {
  const [m, h, d] = [60, 3600, 86400];
  const [mo, y] = [30 * d, 365 * d];
  const subSecond = [-3, -2, -1].flatMap((e) => [1, 2, 2.5, 5].map((k) => Number(`${k}e${e}`)));
  return [...subSecond, 1, 5, 10, 15, 30, m, 5 * m, 10 * m, 15 * m, 30 * m, h, 2 * h, 3 * h, 4 * h, 6 * h, 8 * h, 12 * h, ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15].map((k) => k * d), mo, 2 * mo, 3 * mo, 4 * mo, 6 * mo, ...[1, 2, 5, 10, 25, 50, 100, 200, 500, 1000, 2000].map((k) => k * y)];
})();

/**
 * Time-axis labels: uPlot's own table (tick step, label, then the label where the year,
 * month, day, hour, minute or second rolls over), with four-digit years where uPlot writes
 * two ("1/1/25" reads as 2025 on a timeline of 1925; spans past a century are allowed).
 */
const X_VALUES: Array<Array<string | number | null>> = (() => {
  const [m, h, d] = [60, 3600, 86400];
  const y = 365 * d;
  const [md, mdy, hmm] = ['\n{M}/{D}', '\n{M}/{D}/{YYYY}', '{h}:{mm}{aa}'];
  const _ = null;
  return [
    [y, '{YYYY}', _, _, _, _, _, _, 1],
    [28 * d, '{MMM}', '\n{YYYY}', _, _, _, _, _, 1],
    [d, '{M}/{D}', '\n{YYYY}', _, _, _, _, _, 1],
    [h, '{h}{aa}', mdy, _, md, _, _, _, 1],
    [m, hmm, mdy, _, md, _, _, _, 1],
    [1, ':{ss}', `${mdy} ${hmm}`, _, `${md} ${hmm}`, _, `\n${hmm}`, _, 1],
    [1e-3, ':{ss}.{fff}', `${mdy} ${hmm}`, _, `${md} ${hmm}`, _, `\n${hmm}`, _, 1],
  ];
})();

/** Ticks at whole multiples of the increment (uPlot's rounds to the increment's decimals, which 1e-300 has none of). */
function ySplits(_u: uPlot, _axis: number, min: number, max: number, incr: number): number[] {
  const k0 = Math.ceil(min / incr);
  const k1 = Math.floor(max / incr);
  const out: number[] = [];
  if (!Number.isFinite(k0) || !Number.isFinite(k1) || k1 - k0 > 1000) return out;
  for (let k = k0; k <= k1; k++) out.push(k * incr || 0);
  return out;
}

/**
 * The y range: uPlot's own (the data's, padded by a tenth), but a padded end past the largest
 * double is left unpadded — values near 1.8e308 padded to Infinity left the axis without
 * ticks and the line drawn along the bottom.
 */
function yRange(_u: uPlot, min: number, max: number): [number, number] {
  const [a, b] = uPlot.rangeNum(min, max, 0.1, true);
  return [Number.isFinite(a) ? a : min, Number.isFinite(b) ? b : max];
}

/** Decimals that write the multiples of `incr` exactly (2.5 → 1, 0.05 → 2). */
function decimalsOf(incr: number): number {
  let d = 0;
  while (d < 20 && Math.abs(Math.round(incr * 10 ** d) - incr * 10 ** d) > 1e-9 * incr * 10 ** d) d++;
  return d;
}

/**
 * Tick labels: grouped digits for everyday magnitudes; otherwise exponents with as many
 * digits as neighbouring ticks need to differ (1e15 ± 2,000 keeps its last digits).
 */
function yValues(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  const top = splits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (top < 1e9 && incr >= 1e-4) {
    const dec = decimalsOf(incr);
    return splits.map((v) => v.toLocaleString('en-US', { minimumFractionDigits: dec, maximumFractionDigits: dec }));
  }
  const digits = Math.min(17, Math.max(1, Math.ceil(Math.log10(top / incr) - 1e-9) + 1));
  return splits.map((v) => (v === 0 ? '0' : v.toExponential(digits - 1).replace(/\.?0+e/, 'e')));
}

const measure = document.createElement('canvas').getContext('2d')!;

/** The y axis as wide as its longest label (at least 64 px, so most charts line up). */
function yAxisSize(_u: uPlot, values: string[] | null): number {
  if (!values) return 64;
  measure.font = AXIS_FONT;
  return Math.max(64, Math.ceil(values.reduce((w, v) => Math.max(w, measure.measureText(v).width), 0)) + 20);
}

class SeriesCharts {
  private readonly charts: uPlot[] = [];
  private readonly series: DecodedSeries[];
  private readonly windows: DecodedWindow[];
  private readonly rows: number;
  private readonly startMs: number;
  private readonly stepMs: number;
  private syncing = false;
  private current: ViewState;
  private readonly listeners: Array<(v: ViewState) => void> = [];
  private lastMode = '';

  constructor(
    private readonly report: PageData.Report,
    private readonly host: HTMLElement,
  ) {
    this.rows = report.time.rows;
    this.startMs = report.time.startMs;
    this.stepMs = report.time.stepMs;
    this.series = report.series.map((s) => ({
      meta: s,
      x: decodeF64(s.x),
      y: decodeF64(s.y),
      tx: s.twinX ? decodeF64(s.twinX) : null,
      ty: s.twinY ? decodeF64(s.twinY) : null,
    }));
    this.windows = report.exact.map((w) => ({ from: w.from, to: w.to, values: new Map(Object.entries(w.values).map(([k, v]) => [k, decodeF64(v)])) }));
    this.current = { from: 0, to: this.rows, resolution: report.allExact ? 'exact' : 'overview' };
    this.build();
  }

  /** Seconds (uPlot's time unit) of a row's timestamp; rows may be fractional. */
  private t(row: number): number {
    return (this.startMs + row * this.stepMs) / 1000;
  }

  private row(t: number): number {
    return (t * 1000 - this.startMs) / this.stepMs;
  }

  private width(): number {
    return Math.max(400, this.host.clientWidth - 8);
  }

  private build(): void {
    const kinds = this.report.kinds;
    const events = this.report.events;
    for (const s of this.series) {
      const box = el('div', { class: 'chart', 'data-series': s.meta.name });
      this.host.append(box);
      const shade = (u: uPlot) => {
        const { top, height } = u.bbox;
        const ctx = u.ctx;
        const min = u.scales['x']!.min!;
        const max = u.scales['x']!.max!;
        const r = window.devicePixelRatio || 1;
        let n = 0;
        ctx.save();
        for (const e of events) {
          const a = this.t(e.start);
          const b = this.t(e.end);
          if (b < min || a > max) continue;
          const p0 = u.valToPos(Math.max(a, min), 'x', true);
          const p1 = u.valToPos(Math.min(b, max), 'x', true);
          ctx.fillStyle = (kinds[e.kind] ?? '#d62728') + '55';
          ctx.fillRect(p0, top, Math.max(p1 - p0, r), height);
          n++;
        }
        ctx.restore();
        u.root.dataset['shaded'] = String(n);
      };
      // A strip of each event's kind colour along the top of the plot, drawn over the series:
      // at the whole-timeline view a short event's shade is a pixel column that a dense
      // series covers, and the strip keeps it in sight.
      const mark = (u: uPlot) => {
        const { top } = u.bbox;
        const min = u.scales['x']!.min!;
        const max = u.scales['x']!.max!;
        const r = window.devicePixelRatio || 1;
        const ctx = u.ctx;
        ctx.save();
        for (const e of events) {
          const a = this.t(e.start);
          const b = this.t(e.end);
          if (b < min || a > max) continue;
          const p0 = Math.floor(u.valToPos(Math.max(a, min), 'x', true));
          const p1 = Math.ceil(u.valToPos(Math.min(b, max), 'x', true));
          ctx.fillStyle = kinds[e.kind] ?? '#d62728';
          ctx.fillRect(p0, top, Math.max(p1 - p0, r), EVENT_STRIP * r);
        }
        ctx.restore();
      };
      const opts: UPlotOptions = {
        width: this.width(),
        height: 190,
        title: s.meta.name + (s.meta.twin ? `  (dashed: ${s.meta.twin}, without anomalies)` : ''),
        scales: { x: { time: true }, y: { range: yRange } },
        series: [
          { label: 'time' },
          // The twin first, so the series itself is drawn over it.
          ...(s.meta.twin ? [{ label: s.meta.twin, stroke: '#8a8a8a', width: 1, dash: [5, 4], points: { show: false } }] : []),
          // uPlot's own rule for points: drawn only where rows lie far apart (zoomed to single
          // rows), so a lone row — a one-row dataset, a value between dropped ones — is seen.
          { label: s.meta.name, stroke: '#1f4e9c', width: 1 },
        ],
        axes: [{ incrs: X_INCRS, values: X_VALUES }, { size: yAxisSize, font: AXIS_FONT, incrs: Y_INCRS, splits: ySplits, values: yValues }],
        cursor: { sync: { key: 'paranom-x' }, drag: { x: true, y: false } },
        legend: { show: true, live: true },
        hooks: {
          drawClear: [shade],
          draw: [mark],
          setScale: [
            (u: uPlot, key: string) => {
              if (key !== 'x' || this.syncing) return;
              const sc = u.scales['x']!;
              this.setView(this.row(sc.min!), this.row(sc.max!));
            },
          ] as unknown as Array<(u: uPlot) => void>,
        },
      };
      const chart = new uPlot(opts, this.dataFor(s, 0, this.rows), box);
      this.wheelAndPan(chart);
      this.charts.push(chart);
    }
    window.addEventListener('resize', () => {
      for (const c of this.charts) c.setSize({ width: this.width(), height: 190 });
    });
    this.lastMode = this.modeKey(0, this.rows);
    this.applyScale(0, this.rows);
  }

  /** Wheel zooms around the cursor; shift+wheel and dragging with shift pan. Double-click resets. */
  private wheelAndPan(u: uPlot): void {
    u.over.addEventListener(
      'wheel',
      (ev: WheelEvent) => {
        ev.preventDefault();
        const { from, to } = this.current;
        const span = to - from;
        if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
          const d = ((ev.shiftKey ? ev.deltaY : ev.deltaX) / 500) * span;
          this.setView(from + d, to + d);
          return;
        }
        const rect = u.over.getBoundingClientRect();
        const at = this.row(u.posToVal(ev.clientX - rect.left, 'x'));
        const f = ev.deltaY < 0 ? 0.8 : 1.25;
        this.setView(at - (at - from) * f, at + (to - at) * f);
      },
      { passive: false },
    );
    let drag: { x: number; from: number; to: number } | null = null;
    u.over.addEventListener('mousedown', (ev: MouseEvent) => {
      if (!ev.shiftKey) return;
      ev.stopPropagation();
      drag = { x: ev.clientX, from: this.current.from, to: this.current.to };
    }, true);
    window.addEventListener('mousemove', (ev: MouseEvent) => {
      if (!drag) return;
      const d = ((drag.x - ev.clientX) / u.bbox.width) * (window.devicePixelRatio || 1) * (drag.to - drag.from);
      this.setView(drag.from + d, drag.to + d);
    });
    window.addEventListener('mouseup', () => (drag = null));
    u.over.addEventListener('dblclick', () => this.setView(0, this.rows));
  }

  /** Windows of exact rows intersecting [from, to). */
  private windowsIn(from: number, to: number): DecodedWindow[] {
    return this.windows.filter((w) => w.to > from && w.from < to);
  }

  /** Exact rows are drawn when the view is within 64 overview buckets (and always when every row is in the page). */
  private exactWanted(from: number, to: number): boolean {
    return this.report.allExact || to - from <= 64 * this.report.bucketRows;
  }

  private modeKey(from: number, to: number): string {
    if (this.report.allExact) return 'all';
    if (!this.exactWanted(from, to)) return 'overview';
    return 'w:' + this.windowsIn(from, to).map((w) => w.from).join(',');
  }

  /** Chart data for rows [from, to): overview points outside exact windows, exact rows inside. */
  private dataFor(s: DecodedSeries, from: number, to: number): UPlotData {
    const twin = s.meta.twin;
    const wins = this.report.allExact ? this.windows : this.exactWanted(from, to) ? this.windowsIn(from, to) : [];
    const inWin = (r: number) => wins.some((w) => r >= w.from && r < w.to);
    const pts = new Map<number, [number | null | undefined, number | null | undefined]>();
    const put = (r: number, k: 0 | 1, v: number) => {
      let p = pts.get(r);
      if (!p) pts.set(r, (p = [undefined, undefined]));
      // NaN and ±Infinity (allow_non_finite) are gaps: one infinite value would stretch the
      // y axis past every finite one and leave the chart blank, labels and all.
      p[k] = Number.isFinite(v) ? v : null;
    };
    if (!this.report.allExact) {
      for (let i = 0; i < s.x.length; i++) if (!inWin(s.x[i]!)) put(s.x[i]!, 0, s.y[i]!);
      if (s.tx && s.ty) for (let i = 0; i < s.tx.length; i++) if (!inWin(s.tx[i]!)) put(s.tx[i]!, 1, s.ty[i]!);
    }
    for (const w of wins) {
      const v = w.values.get(s.meta.name)!;
      const tv = twin ? w.values.get(twin) : undefined;
      for (let r = w.from; r < w.to; r++) {
        put(r, 0, v[r - w.from]!);
        if (tv) put(r, 1, tv[r - w.from]!);
      }
    }
    const rows = [...pts.keys()].sort((a, b) => a - b);
    const xs = rows.map((r) => this.t(r));
    const ys = rows.map((r) => pts.get(r)![0]);
    if (!twin) return [xs, ys];
    return [xs, rows.map((r) => pts.get(r)![1]), ys];
  }

  /** Shows rows [from, to) on every chart, clamped to the timeline. */
  setView(from: number, to: number): void {
    // A range that is not one (NaN, ±Infinity from a script or a wheel far past the end)
    // shows the whole timeline rather than leaving the charts and the range line blank.
    if (!Number.isFinite(from) || !Number.isFinite(to)) {
      from = 0;
      to = this.rows;
    }
    let span = Math.max(MIN_VIEW_ROWS, Math.min(this.rows, to - from));
    if (this.rows < MIN_VIEW_ROWS) span = this.rows;
    let a = Math.max(0, Math.min(from, this.rows - span));
    if (!Number.isFinite(a)) a = 0;
    this.applyScale(a, a + span);
  }

  private applyScale(from: number, to: number): void {
    const mode = this.modeKey(from, to);
    this.syncing = true;
    try {
      if (mode !== this.lastMode) {
        this.charts.forEach((c, i) => c.setData(this.dataFor(this.series[i]!, from, to), false));
        this.lastMode = mode;
      }
      for (const c of this.charts) c.setScale('x', { min: this.t(from), max: this.t(to) });
    } finally {
      this.syncing = false;
    }
    const exact = mode === 'all' || (mode.startsWith('w:') && this.windowsIn(from, to).some((w) => w.from <= from && w.to >= to));
    this.current = { from, to, resolution: exact ? 'exact' : mode === 'overview' ? 'overview' : 'mixed' };
    for (const l of this.listeners) l(this.current);
  }

  view(): ViewState {
    return { ...this.current };
  }

  onView(l: (v: ViewState) => void): void {
    this.listeners.push(l);
    l(this.current);
  }

  /** Events shaded on each chart at its last draw. */
  shaded(): number[] {
    return this.charts.map((c) => Number(c.root.dataset['shaded'] ?? 0));
  }

  rowTime(row: number): number {
    return this.startMs + row * this.stepMs;
  }
}
