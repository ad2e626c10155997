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

class SeriesCharts {
  private readonly charts: uPlot[] = [];
  private readonly series: DecodedSeries[];
  private readonly windows: DecodedWindow[];
  private readonly rows: number;
  private readonly startMs: number;
  private readonly stepMs: number;
  /** A jittered timeline: each drawn row's offset (ms) from the grid; empty without jitter. */
  private readonly offsets = new Map<number, number>();
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
    const j = report.time.jitter;
    if (j) {
      const rows = decodeF64(j.rows);
      const offsets = decodeF64(j.offsets);
      rows.forEach((r, i) => this.offsets.set(r, offsets[i]!));
      for (const w of report.exact) if (w.jitter) decodeF64(w.jitter).forEach((o, i) => this.offsets.set(w.from + i, o));
    }
    this.current = { from: 0, to: this.rows, resolution: report.allExact ? 'exact' : 'overview' };
    this.build();
  }

  /** Seconds (uPlot's time unit) of a row's timestamp; rows may be fractional (a view's bounds, on the grid). */
  private t(row: number): number {
    return this.rowTime(row) / 1000;
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
        // Time-axis ticks and labels in UTC, as the table and range line write times (uPlot's
        // default is the browser's zone: an axis hours off the times beside it).
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: yRange } },
        series: [
          // The legend names a row's time as the event table and the files do: UTC, to the millisecond.
          { label: 'time', value: (_u: uPlot, v: number | null) => (v === null ? '--' : fmtTime(Math.round(v * 1000))) },
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

  /**
   * What chart `i` draws of its series in the current data: times (epoch ms) and values
   * (null: a gap). Rows where only the twin has a point are left out.
   */
  drawn(i: number): { ms: number[]; values: Array<number | null> } {
    const d = this.charts[i]!.data;
    const ys = d[d.length - 1]!;
    const out: { ms: number[]; values: Array<number | null> } = { ms: [], values: [] };
    for (let k = 0; k < ys.length; k++) {
      if (ys[k] === undefined) continue;
      out.ms.push(Math.round(d[0]![k]! * 1000));
      out.values.push(ys[k]!);
    }
    return out;
  }

  /** Events shaded on each chart at its last draw. */
  shaded(): number[] {
    return this.charts.map((c) => Number(c.root.dataset['shaded'] ?? 0));
  }

  /** Epoch ms of a row: the time it holds in the files (jitter included) for a row the page draws, else on the grid. */
  rowTime(row: number): number {
    return this.startMs + row * this.stepMs + (this.offsets.get(row) ?? 0);
  }
}
