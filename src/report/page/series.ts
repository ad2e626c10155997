/**
 * The series charts: one uPlot chart per numeric variable (with its clean twin), x-axes
 * kept in step, anomaly events shaded by kind. Data follows the view: the M4 overview by
 * default, exact rows where the page holds them (every row, or windows around events and
 * a few tiles) once the view is narrow enough for rows to matter.
 *
 * A wide dataset has hundreds of charts: drawing (and decoding) them all at load took
 * seconds, and every zoom redrew them all. The first few are drawn at load, each further
 * one when it comes within a screen of the window (lazy.ts). A view change redraws the
 * charts near the window at once, and any other when it comes near.
 */

interface DecodedWindow {
  from: number;
  to: number;
  /** Values by column, decoded from `raw` when first drawn. */
  values: Map<string, Float64Array>;
  raw: Record<string, string>;
}

/** What the charts show: rows [from, to) and from where the values come. */
interface ViewState {
  from: number;
  to: number;
  resolution: 'exact' | 'overview' | 'mixed';
}

/** One variable's place on the page: its box, and its chart once drawn. */
interface Slot {
  meta: PageData.Series;
  box: HTMLElement;
  series: DecodedSeries | null;
  chart: uPlot | null;
  /** Within a screen of the window (as the IntersectionObserver last said). */
  near: boolean;
  /** The data mode and view the chart last drew. */
  mode: string;
  from: number;
  to: number;
}

const MIN_VIEW_ROWS = 4;

class SeriesCharts {
  private readonly slots: Slot[];
  private readonly windows: DecodedWindow[];
  private readonly rows: number;
  private readonly startMs: number;
  private readonly stepMs: number;
  /** A jittered timeline: each drawn row's offset (ms) from the grid; empty without jitter. */
  private readonly offsets = new Map<number, number>();
  /** Buckets [from, to) (rows) holding events past those the page lists. */
  private readonly unlisted: Array<[number, number]> = [];
  private syncing = false;
  private current: ViewState;
  private readonly listeners: Array<(v: ViewState) => void> = [];
  /** The first drawn chart's height: the room kept for a chart not yet drawn. */
  private chartHeight = 0;

  constructor(
    private readonly report: PageData.Report,
    private readonly host: HTMLElement,
  ) {
    this.rows = report.time.rows;
    this.startMs = report.time.startMs;
    this.stepMs = report.time.stepMs;
    this.windows = report.exact.map((w) => ({ from: w.from, to: w.to, values: new Map(), raw: w.values }));
    const j = report.time.jitter;
    if (j) {
      const rows = decodeF64(j.rows);
      const offsets = decodeF64(j.offsets);
      rows.forEach((r, i) => this.offsets.set(r, offsets[i]!));
      for (const w of report.exact) if (w.jitter) decodeF64(w.jitter).forEach((o, i) => this.offsets.set(w.from + i, o));
    }
    if (report.unlisted) {
      const per = this.rows / report.unlisted.buckets;
      decodeF64(report.unlisted.rows).forEach((n, k) => n > 0 && this.unlisted.push([k * per, (k + 1) * per]));
    }
    const mode = this.modeKey(0, this.rows);
    this.current = { from: 0, to: this.rows, resolution: report.allExact ? 'exact' : 'overview' };
    this.slots = report.series.map((meta) => {
      // A box is a `.chart` once its chart is drawn; until then it keeps the room of one.
      const box = el('div', { class: 'chart-slot', 'data-series': meta.name });
      this.host.append(box);
      return { meta, box, series: null, chart: null, near: true, mode, from: 0, to: this.rows };
    });
    whenNear(
      this.slots.map((s) => s.box),
      (i, yes) => {
        const slot = this.slots[i]!;
        slot.near = yes;
        if (yes) this.draw(slot);
      },
    );
    for (const slot of this.slots) if (!slot.chart) slot.box.style.minHeight = `${this.chartHeight}px`;
    window.addEventListener('resize', () => {
      this.widthPx = 0;
      for (const s of this.slots) s.chart?.setSize({ width: this.width(), height: 190 });
    });
    this.applyScale(0, this.rows);
  }

  /** Draws a slot's chart if not yet drawn, and brings it to the current view. */
  private draw(slot: Slot): uPlot {
    if (!slot.chart) {
      slot.series = decodeSeries(slot.meta);
      this.syncing = true;
      try {
        slot.chart = new uPlot(this.options(slot.series), this.dataFor(slot.series, this.current.from, this.current.to), slot.box);
      } finally {
        this.syncing = false;
      }
      slot.box.classList.add('chart');
      slot.mode = this.modeKey(this.current.from, this.current.to);
      slot.from = NaN;
      this.wheelAndPan(slot.chart);
      if (this.chartHeight === 0) this.chartHeight = slot.box.offsetHeight;
    }
    this.sync(slot);
    return slot.chart;
  }

  /** Brings a drawn chart to the current view (its data first when the mode changed), drawing at once. */
  private sync(slot: Slot): void {
    const u = slot.chart;
    const { from, to } = this.current;
    if (!u || (slot.from === from && slot.to === to)) return;
    const mode = this.modeKey(from, to);
    this.syncing = true;
    try {
      u.batch(() => {
        if (mode !== slot.mode) u.setData(this.dataFor(slot.series!, from, to), false);
        u.setScale('x', { min: this.t(from), max: this.t(to) });
      });
    } finally {
      this.syncing = false;
    }
    slot.mode = mode;
    slot.from = from;
    slot.to = to;
  }

  /** Seconds (uPlot's time unit) of a row's timestamp; rows may be fractional (a view's bounds, on the grid). */
  private t(row: number): number {
    return this.rowTime(row) / 1000;
  }

  private row(t: number): number {
    return (t * 1000 - this.startMs) / this.stepMs;
  }

  /** Chart width: read once (each read after drawing a chart lays the page out again) and on resize. */
  private widthPx = 0;
  private width(): number {
    if (this.widthPx === 0) this.widthPx = Math.max(400, this.host.clientWidth - 8);
    return this.widthPx;
  }

  /** uPlot options of a series' chart, the view kept in step with the others. */
  private options(s: DecodedSeries): UPlotOptions {
    return chartOptions(s.meta, {
      report: this.report,
      width: this.width(),
      t: (row) => this.t(row),
      unlistedSpans: (min, max) => this.spans(this.unlisted, min, max),
      scaled: (min, max) => {
        if (!this.syncing) this.setView(this.row(min), this.row(max));
      },
    });
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

  /** Row ranges as times (seconds) clipped to [min, max], those that intersect it. */
  private spans(ranges: Array<[number, number]>, min: number, max: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const [from, to] of ranges) {
      const [a, b] = [this.t(from), this.t(to)];
      if (b >= min && a <= max) out.push([Math.max(a, min), Math.min(b, max)]);
    }
    return out;
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

  /** A window's values of a column, decoded on first use. */
  private exactValues(w: DecodedWindow, column: string): Float64Array | undefined {
    let v = w.values.get(column);
    if (!v && w.raw[column] !== undefined) w.values.set(column, (v = decodeF64(w.raw[column]!)));
    return v;
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
      const v = this.exactValues(w, s.meta.name)!;
      const tv = twin ? this.exactValues(w, twin) : undefined;
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
    const exact = mode === 'all' || (mode.startsWith('w:') && this.windowsIn(from, to).some((w) => w.from <= from && w.to >= to));
    this.current = { from, to, resolution: exact ? 'exact' : mode === 'overview' ? 'overview' : 'mixed' };
    // Charts away from the window catch up when they come near (or when a script asks).
    for (const s of this.slots) if (s.near) this.sync(s);
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
    const d = this.draw(this.slots[i]!).data;
    const ys = d[d.length - 1]!;
    const out: { ms: number[]; values: Array<number | null> } = { ms: [], values: [] };
    for (let k = 0; k < ys.length; k++) {
      if (ys[k] === undefined) continue;
      out.ms.push(Math.round(d[0]![k]! * 1000));
      out.values.push(ys[k]!);
    }
    return out;
  }

  /** Events shaded on each drawn chart, in page order, brought to the current view first. */
  shaded(): number[] {
    return this.slots.filter((s) => s.chart).map((s) => Number(this.draw(s).root.dataset['shaded'] ?? 0));
  }

  /** Epoch ms of a row: the time it holds in the files (jitter included) for a row the page draws, else on the grid. */
  rowTime(row: number): number {
    return this.startMs + row * this.stepMs + (this.offsets.get(row) ?? 0);
  }
}
