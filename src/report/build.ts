/**
 * Builds a report's page data from a stream of chunks: the M4 overview of every numeric
 * column, exact rows in planned windows, normal-against-anomalous distributions, the
 * event table and the manifest summary. Memory is fixed by the bucket count, the exact
 * budget and the histogram size, never by the dataset's row count.
 */
import type { Table } from 'apache-arrow';
import type { Manifest } from '../dataset/manifest.js';
import type { Chunk } from './chunk.js';
import { eventRows, kindColours, unlistedRows } from './events.js';
import { planExact } from './exact.js';
import { reportLayout, type ReportLayout } from './layout.js';
import { Reduction } from './reduction.js';
import { f32Relative, f64, rowDeltas } from './encode.js';
import { DATA_BYTES, exactBytes, planOverview, type OverviewPlan } from './overview-budget.js';
import { drawnRows, rowOffsets, windowOffsets } from './times.js';
import { firstRow, type Scenario } from '../model/types.js';

/**
 * A scenario over a later stretch of its timeline (a test split) as a report draws it: its
 * timeline starting at the dataset's first row, so rows count from 0 and times are right.
 */
export function fromRowBase(s: Scenario): Scenario {
  const t = s.timeline;
  const first = firstRow(t);
  if (first === 0) return s;
  const startMs = t.startMs + first * t.stepMs;
  const { offset: _, ...timeline } = t;
  return { ...s, timeline: { ...timeline, startMs, start: new Date(startMs).toISOString() } };
}

/** How much a report keeps. The defaults keep a report under about 10 MB, however many columns. */
export interface ReportLimits {
  /** Overview buckets per column (each gives up to 4 points), at most. */
  buckets?: number;
  /** Inlined bytes of the overview and exact rows together: the overview takes what exact rows leave, more columns fewer buckets each. */
  dataBytes?: number;
  /** Exact values (rows × numeric columns) kept in all windows together. */
  exactValues?: number;
  /** Events listed in the table. */
  maxEvents?: number;
}

const DEFAULT_LIMITS: Required<ReportLimits> = { buckets: 2000, dataBytes: DATA_BYTES, exactValues: 400_000, maxEvents: 20_000 };

export interface ReportInput {
  title: string;
  source: PageData.Report['source'];
  manifest: Manifest;
  /**
   * The columns the page lists, when not the manifest's: a fleet's report generates one
   * entity, and lists the dataset's columns (its key among them, no twin it does not hold).
   */
  columns?: Manifest['columns'];
  /** The segment table. */
  segments: Table;
  /** The timeline row of the dataset's first row (a test split's); the segment table's rows are the timeline's. */
  rowBase?: number;
  latent?: PageData.Latent[];
  notes?: string[];
  limits?: ReportLimits;
}

function summaryOf(m: Manifest, source: PageData.Report['source'], columns: Manifest['columns']): PageData.Summary {
  return {
    scenario: m.scenario.name,
    seed: m.seed,
    rows: m.rows,
    shards: source === 'dataset' ? m.shards.length : null,
    format: source === 'dataset' ? m.format : null,
    scenarioHash: m.scenario_hash,
    engineVersion: m.engine_version,
    formatVersion: m.format_version,
    anomalyMode: m.anomalies.mode,
    requested: m.anomalies.requested as Record<string, number | number[]>,
    realised: m.anomalies.realised,
    columns: columns.map((c) => ({ name: c.name, type: String(c.type) })),
  };
}

/** Accumulates chunks (in any order of disjoint row ranges) into a report. */
export class ReportBuilder {
  readonly layout: ReportLayout;
  /** The reduction every chunk goes into; `spec` lets other threads reduce rows for it. */
  readonly reduction: Reduction;
  private readonly allExact: boolean;
  private readonly overview: OverviewPlan;
  private readonly eventsCovered: number;
  private readonly limits: Required<ReportLimits>;
  private readonly table: ReturnType<typeof eventRows>;

  constructor(private readonly input: ReportInput) {
    this.limits = { ...DEFAULT_LIMITS, ...input.limits };
    const m = input.manifest;
    this.layout = reportLayout(m);
    this.table = eventRows(input.segments, this.limits.maxEvents, input.rowBase ?? 0);
    const plan = planExact({ rows: m.rows, columns: this.layout.numericColumns, events: this.table.events, budget: this.limits.exactValues });
    this.allExact = plan.all;
    this.eventsCovered = plan.eventsCovered;
    const columns = this.layout.numericColumns.length;
    const exactRows = plan.ranges.reduce((n, [from, to]) => n + to - from, 0);
    this.overview = planOverview(m.rows, columns, this.limits.buckets, this.limits.dataBytes - exactBytes(exactRows * columns));
    this.reduction = new Reduction({ layout: this.layout, rows: m.rows, buckets: this.overview.buckets, exact: plan.ranges });
  }

  add(c: Chunk): void {
    this.reduction.add(c);
  }

  finish(): PageData.Report {
    const m = this.input.manifest;
    const { buckets, packed } = this.overview;
    const pointRows: Float64Array[] = [];
    const series: PageData.Series[] = this.layout.series.map((s) => {
      const p = this.reduction.m4.get(s.name)!.points();
      const t = s.twin ? this.reduction.m4.get(s.twin)!.points() : null;
      pointRows.push(p.x, ...(t ? [t.x] : []));
      if (!packed) return { name: s.name, dtype: s.dtype, twin: s.twin, x: f64(p.x), y: f64(p.y), twinX: t ? f64(t.x) : null, twinY: t ? f64(t.y) : null };
      const y = f32Relative(p.y);
      const ty = t ? f32Relative(t.y) : null;
      return {
        name: s.name,
        dtype: s.dtype,
        twin: s.twin,
        x: rowDeltas(p.x),
        y: y.y,
        twinX: t ? rowDeltas(t.x) : null,
        twinY: ty ? ty.y : null,
        packed: { y: [y.offset, y.scale], twinY: ty ? [ty.offset, ty.scale] : null },
      };
    });
    const distributions: PageData.Distribution[] = [
      ...this.layout.series.map((s) => ({ name: s.name, type: 'numeric' as const, ...this.reduction.hist.get(s.name)!.result() })),
      ...this.layout.categorical.map((c) => {
        const k = this.reduction.cats.get(c.name)!;
        return { name: c.name, type: 'categorical' as const, categories: c.categories, normal: k.normal, anomalous: k.anomalous, nulls: k.nulls };
      }),
    ];
    const { events, count, columns } = this.table;
    const bucketRows = m.rows / buckets;
    const notes = [...(this.input.notes ?? [])];
    if (this.allExact) notes.push(`Every row is in the page: zooming shows exact rows anywhere.`);
    else {
      const tiles = this.reduction.exact.length;
      notes.push(
        `The overview is an M4 downsample (first, min, max and last of each of ${buckets.toLocaleString('en-US')} buckets of about ${Math.round(bucketRows).toLocaleString('en-US')} rows per column), computed while streaming every row.` +
          (packed ? ` With ${this.layout.numericColumns.length.toLocaleString('en-US')} numeric columns it carries its values as float32 (as stored where they are float32 or small integers, else to within 1/16,000,000 of the column's range)${buckets < Math.min(this.limits.buckets, m.rows) ? ` and ${buckets.toLocaleString('en-US')} buckets a column instead of ${Math.min(this.limits.buckets, m.rows).toLocaleString('en-US')}` : ''}, so the page stays small; exact rows keep every value as stored.` : ''),
        `Exact rows are in the page around ${this.eventsCovered.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} events and in ${tiles.toLocaleString('en-US')} window(s) in all (including evenly spaced tiles of normal rows); zoomed elsewhere, the charts show the overview's min/max envelope.`,
      );
    }
    if (count > events.length) notes.push(`The event table lists the first ${events.length.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} events; the charts shade the rest by overview bucket, in grey.`);
    const unlisted = unlistedRows(this.input.segments, this.limits.maxEvents, this.input.rowBase ?? 0, m.rows, buckets);
    const jitter = m.scenario.timeline.jitter;
    const rowBase = this.input.rowBase ?? 0;
    return {
      title: this.input.title,
      source: this.input.source,
      summary: summaryOf(m, this.input.source, this.input.columns ?? m.columns),
      time: { startMs: m.scenario.timeline.startMs, stepMs: m.scenario.timeline.stepMs, rows: m.rows, ...(jitter ? { jitter: rowOffsets(jitter, rowBase, drawnRows(pointRows, events)) } : {}) },
      series,
      bucketRows: this.allExact ? 1 : bucketRows,
      exact: this.reduction.exact.map((w) => ({
        from: w.from,
        to: w.to,
        values: Object.fromEntries([...w.values].map(([k, v]) => [k, f64(v)])),
        ...(jitter ? { jitter: windowOffsets(jitter, rowBase, w.from, w.to) } : {}),
      })),
      allExact: this.allExact,
      events,
      eventCount: count,
      unlisted: unlisted ? { buckets: unlisted.length, rows: f64(unlisted) } : null,
      eventColumns: columns,
      kinds: kindColours(events.map((e) => e.kind)),
      distributions,
      latent: this.input.latent ?? [],
      notes,
    };
  }
}
