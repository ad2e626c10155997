/**
 * The segment table (anomalies.parquet, or the same table built in memory for a preview)
 * as event rows for the page. Columns beyond the ones paranom has always written (effect
 * measures, for example) are carried as they are, so the table shows whatever the
 * dataset recorded.
 */
import type { Table } from 'apache-arrow';

const KNOWN = new Set(['id', 'kind', 'start_row', 'end_row', 'start_time', 'end_time', 'duration_rows', 'rows', 'truncated', 'variables', 'params']);

/** Kind colours: fixed for the built-in kinds, so reports of different datasets agree. */
const PALETTE: Record<string, string> = {
  definition: '#d62728',
  spike: '#e6550d',
  level_shift: '#9467bd',
  variance: '#17becf',
  trend: '#8c564b',
  amplitude: '#e377c2',
  frequency: '#2ca02c',
  flat_line: '#7f7f7f',
  dropout: '#bcbd22',
  noise: '#1f77b4',
  learned: '#b5179e',
};
const EXTRA = ['#ff7f0e', '#393b79', '#637939', '#843c39', '#7b4173', '#3182bd', '#31a354', '#756bb1'];

function plain(v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.getTime();
  return String(v);
}

/** Event rows of a segment table, at most `limit` of them (in table order: by start). */
export function eventRows(table: Table, limit: number, rowBase = 0): { events: PageData.EventRow[]; count: number; columns: string[] } {
  const names = table.schema.fields.map((f) => f.name);
  const extra = names.filter((n) => !KNOWN.has(n));
  const col = (name: string) => table.getChild(name);
  const id = col('id');
  const kind = col('kind');
  const start = col('start_row');
  const end = col('end_row');
  const duration = col('duration_rows');
  const truncated = col('truncated');
  const variables = col('variables');
  const params = col('params');
  const extras = extra.map((n) => col(n)!);
  const n = Math.min(table.numRows, limit);
  const events: PageData.EventRow[] = [];
  for (let i = 0; i < n; i++) {
    // Rows from the dataset's first row; an event running into a test split starts at its row
    // 0, and one listed for the label margin it runs in with has no row there (end = start).
    const s = Math.max(0, Number(start!.get(i)) - rowBase);
    events.push({
      id: Number(id!.get(i)),
      kind: String(kind!.get(i)),
      start: s,
      end: Math.max(s, Number(end!.get(i)) + 1 - rowBase),
      duration: Number(duration!.get(i)),
      truncated: Boolean(truncated!.get(i)),
      variables: String(variables?.get(i) ?? ''),
      params: params ? ((params.get(i) as string | null) ?? null) : null,
      extra: extras.map((c) => plain(c.get(i))),
    });
  }
  return { events, count: table.numRows, columns: extra };
}

/** A colour for each kind present. */
export function kindColours(kinds: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  let k = 0;
  for (const kind of [...new Set(kinds)].sort()) out[kind] = PALETTE[kind] ?? EXTRA[k++ % EXTRA.length]!;
  return out;
}

/**
 * Anomalous rows of the events past the first `limit` (those the page does not list), per
 * bucket of `rows / buckets` rows: the charts shade where they are, so a timeline with more
 * events than the page lists does not look clear of anomalies past the last listed one.
 * Null when every event is listed.
 */
export function unlistedRows(table: Table, limit: number, rowBase: number, rows: number, buckets: number): Float64Array | null {
  if (table.numRows <= limit || rows <= 0) return null;
  const out = new Float64Array(buckets);
  const start = table.getChild('start_row')!;
  const end = table.getChild('end_row')!;
  const per = rows / buckets;
  for (let i = limit; i < table.numRows; i++) {
    const a = Math.max(0, Number(start.get(i)) - rowBase);
    const b = Math.min(rows, Number(end.get(i)) + 1 - rowBase);
    for (let k = Math.floor(a / per); k < buckets && k * per < b; k++) out[k]! += Math.min(b, (k + 1) * per) - Math.max(a, k * per);
  }
  return out;
}
