/**
 * Where `paranom eval` takes labels from: a paranom dataset (its `is_anomaly` column, and
 * its segment table for the event windows), a CSV or Parquet file with a label column, or
 * NAB-style windows JSON (`combined_windows.json`: time intervals keyed by file).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../dataset/manifest.js';
import { ParanomError } from '../errors.js';
import { readColumns } from './column-values.js';
import { readFleetLabels, readTableFleetLabels, type FleetLabels } from './fleet-labels.js';
import { marginNote } from './margin-note.js';
import { pickColumn, readBytes, readTableFile, usage } from './table-file.js';
import { parseTimestamp } from './timestamps.js';

/** Labels before joining: rows keyed by time and/or windows as inclusive time intervals. */
export interface LabelSource {
  /** What was read, for the report ("dataset /d (is_anomaly, 12 segments)"). */
  description: string;
  /** Label rows in ascending time; null when the source is windows only (NAB JSON). */
  times: Float64Array | null;
  flags: Uint8Array | null;
  /** Event windows as [from, to] times, ascending; null: the runs of the joined flags. */
  intervals: Array<[number, number]> | null;
  /** A fleet dataset's labels, entity by entity (then times, flags and intervals are null): joined by fleet-join. */
  fleet?: FleetLabels;
}

export const TIME_COLUMNS = ['timestamp', 'time', 'ts', 'datetime', 'date'];
const LABEL_COLUMNS = ['is_anomaly', 'label', 'anomaly', 'is_anomalous'];
const TIME = { name: 'timestamp', kind: 'time' } as const;
const FLAG = { name: 'is_anomaly', kind: 'label' } as const;

export interface LabelOptions {
  labelColumn?: string | undefined;
  timeColumn?: string | undefined;
  /** Key into a windows JSON (e.g. `realKnownCause/nyc_taxi.csv`). */
  key?: string | undefined;
  /** A labels file of many series: the column naming each row's entity (then it is scored as a fleet). */
  entityColumn?: string | undefined;
  /** For a dataset: windows from the segment table (default) or from runs of is_anomaly. */
  windows?: 'segments' | 'runs' | undefined;
}

function fromDataset(dir: string, o: LabelOptions): LabelSource {
  const m = readManifest(dir);
  if (m.part) throw usage(`${dir} holds part ${m.part.k} of ${m.part.n} of a split run; run 'paranom merge-manifests ${dir}' once every part is together`);
  // Every entity of a fleet shares the timestamps: its labels join on (entity, timestamp).
  if (m.entities) {
    const { labels, description } = readFleetLabels(dir, m, o.windows ?? 'segments');
    return { description, times: null, flags: null, intervals: null, fleet: labels };
  }
  // A test split's rows start later in the timeline (row_start counts from the timeline's start).
  const first = m.scenario.timeline.offset ?? 0;
  const times = new Float64Array(m.rows);
  const flags = new Uint8Array(m.rows);
  for (const s of m.shards) {
    // A shard the manifest lists and the disk lacks is a damaged dataset (exit 1, as verify says).
    if (!existsSync(join(dir, s.file))) throw new ParanomError('DATASET_INVALID', `${join(dir, s.file)}: a shard the manifest lists is missing; the dataset is not what its manifest says (run 'paranom verify ${dir}')`, { path: join(dir, s.file) });
    const t = readTableFile(join(dir, s.file), 'shard');
    const columns = readColumns(t, [TIME, FLAG], (rows) => {
      if (rows !== s.rows || s.row_start < first || s.row_start - first + s.rows > m.rows) throw new ParanomError('DATASET_INVALID', `${join(dir, s.file)} has ${rows} rows from row ${s.row_start}; the manifest says ${m.rows} rows from row ${first}, ${s.rows} in this shard`);
    });
    times.set(columns.arrays[0]!, s.row_start - first);
    flags.set(columns.arrays[1]!, s.row_start - first);
  }
  const segmentsPath = join(dir, m.anomalies.segments_file);
  if ((o.windows ?? 'segments') === 'runs') {
    return { description: `dataset ${dir} (is_anomaly; windows: runs of labelled rows)`, times, flags, intervals: null };
  }
  // Every dataset has one (empty without events): one gone is a changed dataset, and runs
  // of labelled rows in its place merge adjacent events, so the event scores would change.
  if (!existsSync(segmentsPath)) throw new ParanomError('DATASET_INVALID', `${segmentsPath}: the dataset's segment table (its event windows) is missing; restore it, or score windows as runs of labelled rows with --windows runs`, { path: segmentsPath });
  const seg = readColumns(readTableFile(segmentsPath, 'segment table'), [
    { name: 'start_time', kind: 'time' },
    { name: 'end_time', kind: 'time' },
  ]);
  const [from, to] = seg.arrays as [Float64Array, Float64Array];
  const intervals = Array.from(from, (f, i) => [f, to[i]!] as [number, number]).sort((a, b) => a[0] - b[0]);
  return { description: `dataset ${dir} (is_anomaly; windows: ${intervals.length} events of ${m.anomalies.segments_file}${marginNote(m)})`, times, flags, intervals };
}

function fromWindowsJson(path: string, o: LabelOptions): LabelSource {
  let doc: unknown;
  try {
    doc = JSON.parse(readBytes(path, 'labels file').toString('utf8'));
  } catch (err) {
    if (err instanceof ParanomError) throw err;
    throw usage(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw usage(`${path}: expected an object of windows keyed by file, as NAB's combined_windows.json`);
  const keys = Object.keys(doc);
  const key = o.key ?? (keys.length === 1 ? keys[0] : undefined);
  if (key === undefined) throw usage(`${path} holds windows for ${keys.length} files; choose one with --key (for example --key ${keys[0] ?? '<file>'})`);
  const list = (doc as Record<string, unknown>)[key];
  if (list === undefined) throw usage(`${path} has no key '${key}'${keys.length ? `; keys look like '${keys[0]}'` : ''}`);
  if (!Array.isArray(list)) throw usage(`${path}: '${key}' should be a list of [start, end] windows`);
  const intervals = list.map((w: unknown, k) => {
    if (!Array.isArray(w) || w.length !== 2) throw usage(`${path}: '${key}' window ${k} should be [start, end]`);
    const [a, b] = w.map((x) => (typeof x === 'number' ? x : parseTimestamp(String(x))));
    if (Number.isNaN(a) || Number.isNaN(b) || a! > b!) throw usage(`${path}: '${key}' window ${k} [${String(w[0])}, ${String(w[1])}] is not a pair of ascending timestamps`);
    return [a!, b!] as [number, number];
  });
  // Windows that share a moment would share rows: said here in the file's own terms, not later as row numbers.
  const order = intervals.map((_, k) => k).sort((x, y) => intervals[x]![0] - intervals[y]![0]);
  for (let q = 1; q < order.length; q++) {
    const [k, j] = [order[q - 1]!, order[q]!];
    const text = (i: number) => `window ${i} [${(list[i] as unknown[]).map(String).join(', ')}]`;
    if (intervals[j]![0] <= intervals[k]![1]) throw usage(`${path}: '${key}' ${text(j)} overlaps ${text(k)}; windows must be disjoint (merge the two into one window)`);
  }
  intervals.sort((x, y) => x[0] - y[0]);
  return { description: `windows JSON ${path} [${key}] (${intervals.length} windows)`, times: null, flags: null, intervals };
}

function fromTable(path: string, o: LabelOptions): LabelSource {
  const t = readTableFile(path, 'labels file');
  const timeCol = pickColumn(t, o.timeColumn, TIME_COLUMNS, 'time', '--time-column');
  const labelCol = pickColumn(t, o.labelColumn, LABEL_COLUMNS, 'label', '--label-column');
  if (o.entityColumn !== undefined) {
    if (!t.columns.includes(o.entityColumn)) throw usage(`${path} has no entity column '${o.entityColumn}' (named by --entity-column); its columns are: ${t.columns.join(', ')}`);
    const fleet = readTableFleetLabels(t, timeCol, labelCol, o.entityColumn);
    const n = fleet.entities.length.toLocaleString('en-US');
    return { description: `${path} (column ${labelCol}; ${n} ${n === '1' ? 'entity' : 'entities'} keyed by '${o.entityColumn}'; windows: runs of each entity's labelled rows)`, times: null, flags: null, intervals: null, fleet };
  }
  const { arrays } = readColumns(t, [
    { name: timeCol, kind: 'time' },
    { name: labelCol, kind: 'label' },
  ]);
  return { description: `${path} (column ${labelCol})`, times: arrays[0] as Float64Array, flags: arrays[1] as Uint8Array, intervals: null };
}

/** Reads labels from a dataset directory, a windows JSON, or a CSV/Parquet file. */
export function readLabels(path: string, o: LabelOptions = {}): LabelSource {
  // A directory is a dataset; without a manifest, readManifest says what it holds instead
  // (a split run's parts, splits, an unfinished run), as every command that takes one does.
  if (existsSync(path) && statSync(path).isDirectory()) return fromDataset(path, o);
  if (path.toLowerCase().endsWith('.json')) return fromWindowsJson(path, o);
  return fromTable(path, o);
}
