/**
 * The data a report page carries (one JSON document inlined in the HTML): written by
 * `src/report/build.ts`, read by the page's script (`src/report/page/*.ts`). Ambient, so
 * the Node side and the browser side, compiled separately, share one definition.
 *
 * Arrays of numbers are base64 of little-endian Float64Array bytes (NaN for a missing
 * value): exact, and about 11 characters a value. A wide report packs its overview
 * (`Series.packed`) to stay within its byte budget.
 */
declare namespace PageData {
  /** Base64 of a Float64Array's bytes. */
  type F64 = string;

  interface Report {
    title: string;
    /** 'dataset' (read from shards) or 'preview' (generated in memory). */
    source: 'dataset' | 'preview';
    summary: Summary;
    /**
     * Row r is at startMs + r·stepMs, plus with a jittered timeline the row's offset: those
     * of overview points and event bounds in `jitter`, those of exact rows in their window.
     */
    time: { startMs: number; stepMs: number; rows: number; jitter?: Jitter };
    /** Numeric variables, one chart each. */
    series: Series[];
    /** Rows per overview bucket (1 when every row is in the overview). */
    bucketRows: number;
    /** Windows of exact rows: [from, to) with every series' values. */
    exact: ExactWindow[];
    /** True when `exact` covers every row. */
    allExact: boolean;
    events: EventRow[];
    /** Events in the dataset (events.length may be smaller: the table is capped). */
    eventCount: number;
    /**
     * Events past those listed: their anomalous rows per bucket of rows / buckets rows
     * (null when every event is listed), shaded so the timeline past the last listed event
     * does not look clear.
     */
    unlisted: { buckets: number; rows: F64 } | null;
    /** Extra segment-table columns (for example effect measures), in table order. */
    eventColumns: string[];
    /** Colour per anomaly kind. */
    kinds: Record<string, string>;
    distributions: Distribution[];
    latent: Latent[];
    /** What the reader should know about how this page was reduced. */
    notes: string[];
  }

  interface Summary {
    scenario: string;
    seed: number;
    rows: number;
    shards: number | null;
    format: string | null;
    scenarioHash: string;
    engineVersion: string;
    formatVersion: number;
    anomalyMode: string;
    requested: Record<string, number | number[]>;
    realised: { events: number; anomalous_rows: number; fraction: number; truncated_events: number };
    columns: Array<{ name: string; type: string }>;
  }

  /** A jittered timeline's offsets (ms) from the grid, for page rows `rows` (sorted); `ms` bounds them. */
  interface Jitter {
    ms: number;
    rows: F64;
    offsets: F64;
  }

  interface Series {
    name: string;
    dtype: string;
    /** The clean twin's column name, when the dataset has one. */
    twin: string | null;
    /**
     * Overview points (M4: first, min, max, last of each bucket, in row order). Float64
     * bytes, or with `packed`: x base64 of LEB128 differences of the rows (the first from
     * 0), y base64 of little-endian float32, each read as offset + value × scale.
     */
    x: F64;
    y: F64;
    twinX: F64 | null;
    twinY: F64 | null;
    /** Present when the overview is packed: [offset, scale] of y and of twinY. */
    packed?: { y: [number, number]; twinY: [number, number] | null };
  }

  interface ExactWindow {
    from: number;
    to: number;
    /** Values by column name (series and twins), to − from each. */
    values: Record<string, F64>;
    /** With a jittered timeline: each row's offset (ms) from the grid, to − from of them. */
    jitter?: F64;
  }

  interface EventRow {
    id: number;
    kind: string;
    start: number;
    /** Exclusive. */
    end: number;
    duration: number;
    truncated: boolean;
    variables: string;
    params: string | null;
    /** Values of `eventColumns`, in that order. */
    extra: Array<number | string | boolean | null>;
  }

  type Distribution =
    | { name: string; type: 'numeric'; lo: number; width: number; normal: number[]; anomalous: number[]; nulls: [number, number] }
    | { name: string; type: 'categorical'; categories: string[]; normal: number[]; anomalous: number[]; nulls: [number, number] };

  interface Latent {
    /** A vae variable (or group), or a learned kind ('learned: <model>'). */
    variable: string;
    measure: string;
    dims: number;
    /** Radii (whitened, active dimensions) bounding the normal band (null for learned kinds) and the outlier band. */
    inner: [number, number] | null;
    outlier: [number, number];
    /** Radius quantiles of the training codes. */
    codes: { median: number; q99: number; max: number };
    /** Drawn codes in the radial projection: x, y pairs; normal and anomalous windows. */
    normal: F64;
    anomalous: F64;
    /** Learned events: radius moved from, radius moved to (pairs), as the segment table records them. */
    moves: F64 | null;
  }
}
