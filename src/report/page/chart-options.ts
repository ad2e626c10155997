/**
 * A series chart's uPlot options: anomaly events shaded by kind with a strip of their
 * colour along the top, the time axis in UTC, y-axis labels for any magnitude, and x-scale
 * changes handed to the charts so every chart keeps the same view.
 */

/** Height in CSS pixels of the event strip along the top of each chart. */
const EVENT_STRIP = 5;
/** The colour of events past those the page lists, shaded by overview bucket. */
const UNLISTED = '#555555';

/** What a chart's options need of the page around it. */
interface ChartContext {
  report: PageData.Report;
  /** CSS pixels. */
  width: number;
  /** Seconds (uPlot's time unit) of a row. */
  t(row: number): number;
  /** Buckets of events past those listed, clipped to the x range [min, max] (seconds). */
  unlistedSpans(min: number, max: number): Array<[number, number]>;
  /** The chart's x scale moved to [min, max] seconds. */
  scaled(min: number, max: number): void;
}

function chartOptions(meta: PageData.Series, c: ChartContext): UPlotOptions {
  const kinds = c.report.kinds;
  const events = c.report.events;
  const shade = (u: uPlot) => {
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    const min = u.scales['x']!.min!;
    const max = u.scales['x']!.max!;
    const r = window.devicePixelRatio || 1;
    let n = 0;
    ctx.save();
    for (const e of events) {
      const a = c.t(e.start);
      const b = c.t(e.end);
      if (b < min || a > max) continue;
      const p0 = u.valToPos(Math.max(a, min), 'x', true);
      const p1 = u.valToPos(Math.min(b, max), 'x', true);
      ctx.fillStyle = (kinds[e.kind] ?? '#d62728') + '55';
      ctx.fillRect(p0, top, Math.max(p1 - p0, r), height);
      n++;
    }
    ctx.fillStyle = UNLISTED + '55';
    for (const [a, b] of c.unlistedSpans(min, max)) ctx.fillRect(u.valToPos(a, 'x', true), top, Math.max(u.valToPos(b, 'x', true) - u.valToPos(a, 'x', true), r), height);
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
      const a = c.t(e.start);
      const b = c.t(e.end);
      if (b < min || a > max) continue;
      const p0 = Math.floor(u.valToPos(Math.max(a, min), 'x', true));
      const p1 = Math.ceil(u.valToPos(Math.min(b, max), 'x', true));
      ctx.fillStyle = kinds[e.kind] ?? '#d62728';
      ctx.fillRect(p0, top, Math.max(p1 - p0, r), EVENT_STRIP * r);
    }
    ctx.fillStyle = UNLISTED;
    for (const [a, b] of c.unlistedSpans(min, max)) {
      const p0 = Math.floor(u.valToPos(a, 'x', true));
      ctx.fillRect(p0, top, Math.max(Math.ceil(u.valToPos(b, 'x', true)) - p0, r), EVENT_STRIP * r);
    }
    ctx.restore();
  };
  return {
    width: c.width,
    height: 190,
    title: meta.name + (meta.twin ? `  (dashed: ${meta.twin}, without anomalies)` : ''),
    // Time-axis ticks and labels in UTC, as the table and range line write times (uPlot's
    // default is the browser's zone: an axis hours off the times beside it).
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: yRange } },
    series: [
      // The legend names a row's time as the event table and the files do: UTC, to the millisecond.
      { label: 'time', value: (_u: uPlot, v: number | null) => (v === null ? '--' : fmtTime(Math.round(v * 1000))) },
      // The twin first, so the series itself is drawn over it.
      ...(meta.twin ? [{ label: meta.twin, stroke: '#8a8a8a', width: 1, dash: [5, 4], points: { show: false } }] : []),
      // uPlot's own rule for points: drawn only where rows lie far apart (zoomed to single
      // rows), so a lone row — a one-row dataset, a value between dropped ones — is seen.
      { label: meta.name, stroke: '#1f4e9c', width: 1 },
    ],
    axes: [{ incrs: X_INCRS, values: X_VALUES }, { size: yAxisSize, font: AXIS_FONT, incrs: Y_INCRS, splits: ySplits, values: yValues }],
    cursor: { sync: { key: 'paranom-x' }, drag: { x: true, y: false } },
    legend: { show: true, live: true },
    hooks: {
      drawClear: [shade],
      draw: [mark],
      setScale: [
        (u: uPlot, key: string) => {
          if (key !== 'x') return;
          const sc = u.scales['x']!;
          c.scaled(sc.min!, sc.max!);
        },
      ] as unknown as Array<(u: uPlot) => void>,
    },
  };
}
