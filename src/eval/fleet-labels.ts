/**
 * A fleet dataset's labels (many series in one dataset, keyed by an entity column): each
 * entity's rows (timestamp, is_anomaly) and its event windows, taken apart by entity so
 * that each is joined and scored as the series it is. Entity events are windows of their
 * entity. A fleet-wide outage (a segment row with a null key, `params` holding `scope:
 * fleet`, its `entities` column listing the keys it hit) is a window of each entity it
 * hit, over the same times; where it shares rows with one of the entity's own events the
 * two are one window, as their rows are one run of anomalous rows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../dataset/manifest.js';
import { ParanomError } from '../errors.js';
import { readColumns, type KeyIndex } from './column-values.js';
import { readTableFile, type Cells, type TableFile } from './table-file.js';
import { marginNote } from './margin-note.js';

/** One entity's label rows (file order within the entity) and its windows as [from, to] times, ascending; null: runs of its joined flags. */
export interface EntityLabels {
  times: Float64Array;
  flags: Uint8Array;
  intervals: Array<[number, number]> | null;
}

/** A fleet's labels: its key column, its entities in the fleet's order, and each one's labels. */
export interface FleetLabels {
  key: string;
  keys: EntityKeys;
  entities: EntityLabels[];
}

/**
 * The fleet's entity keys (entities.parquet's order) and the index of a key as a cell
 * holds it: text as it is, an integer key as its digits (an int32 column, a CSV's text, a
 * 64-bit integer). Rows of one entity come in runs, so the last cell's answer is kept.
 * `open` keys are learnt as they come (a labels file names its own entities, in order of
 * first appearance); `spare`, a key not among them is given index `names.length` (rows
 * that `--only-labelled` leaves out), not refused.
 */
export class EntityKeys implements KeyIndex {
  private readonly at = new Map<string, number>();
  private last: unknown = undefined;
  private lastIndex = Number.NaN;
  readonly names: string[];

  constructor(names: readonly string[], private readonly whose = 'the dataset', private readonly mode: 'closed' | 'open' | 'spare' = 'closed') {
    this.names = [...names];
    this.names.forEach((n, i) => this.at.set(n, i));
  }

  /** The same keys, closed, or with a spare index for keys not among them. */
  as(mode: 'closed' | 'spare'): EntityKeys {
    return new EntityKeys(this.names, this.whose, mode);
  }

  index(cell: unknown): number {
    if (cell === this.last && cell !== undefined) return this.lastIndex;
    const text = keyText(cell);
    let i = text === undefined ? undefined : this.at.get(text);
    if (i === undefined && text !== undefined && this.mode !== 'closed') {
      i = this.names.length;
      if (this.mode === 'open') {
        this.names.push(text);
        this.at.set(text, i);
      }
    }
    this.last = cell;
    this.lastIndex = i ?? Number.NaN;
    return this.lastIndex;
  }

  problem(cell: unknown): string {
    if (keyText(cell) === undefined) return 'names no entity (an empty or non-key cell)';
    const shown = this.names.slice(0, 5).join(', ') + (this.names.length > 5 ? `, … ${this.names[this.names.length - 1]}` : '');
    return `is not an entity of ${this.whose} (its ${this.names.length.toLocaleString('en-US')} entities: ${shown})`;
  }
}

function keyText(cell: unknown): string | undefined {
  if (typeof cell === 'string') return cell === '' ? undefined : cell;
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : undefined;
  if (typeof cell === 'bigint') return String(cell);
  return undefined;
}

/**
 * Rows grouped by entity, each entity's rows in their order: where entity e's rows start
 * (`start[e]`, `start[E]` the total), and the rows in that order (row `order[k]` is the
 * k-th), or null when the rows are grouped already (a fleet written entity by entity), so
 * each entity's rows are a view of the arrays as read.
 */
export function groupByEntity(owner: Float64Array, entities: number): { start: Float64Array; order: Float64Array | null } {
  const start = new Float64Array(entities + 1);
  let grouped = true;
  for (let i = 0; i < owner.length; i++) {
    start[owner[i]! + 1]!++;
    if (i > 0 && owner[i]! < owner[i - 1]!) grouped = false;
  }
  for (let e = 0; e < entities; e++) start[e + 1] = start[e + 1]! + start[e]!;
  if (grouped) return { start, order: null };
  const order = new Float64Array(owner.length);
  const next = start.slice(0, entities);
  for (let i = 0; i < owner.length; i++) order[next[owner[i]!]!++] = i;
  return { start, order };
}

/** `a` in the order `order` gives (a new array). */
export function permute<A extends Float64Array | Uint8Array>(a: A, order: Float64Array): A {
  const out = new (a.constructor as new (n: number) => A)(order.length);
  for (let k = 0; k < order.length; k++) out[k] = a[order[k]!]!;
  return out;
}

/** The named columns' cells, whole: for the small tables (entities, segments). */
function cellsOf(t: TableFile, names: readonly string[]): unknown[][] {
  const out: unknown[][] = names.map(() => []);
  t.scan(names, (cells: Cells[]) => cells.forEach((c, k) => {
    for (let i = 0; i < c.length; i++) out[k]!.push(c[i]);
  }));
  return out;
}

function damaged(path: string, why: string): ParanomError {
  return new ParanomError('DATASET_INVALID', `${path}: ${why}; the dataset is not what its manifest says (run 'paranom verify' on it)`, { path });
}

/** Label rows taken apart by entity (`owner`: each row's entity index), each entity's rows in file order. */
function byEntity(times: Float64Array, flags: Uint8Array, owner: Float64Array, count: number): EntityLabels[] {
  const { start, order } = groupByEntity(owner, count);
  const [t, y] = order ? [permute(times, order), permute(flags, order)] : [times, flags];
  return Array.from({ length: count }, (_, e) => ({ times: t.subarray(start[e]!, start[e + 1]!), flags: y.subarray(start[e]!, start[e + 1]!), intervals: null }));
}

/**
 * The labels of many series in one table (a CSV or Parquet labels file with an entity
 * column): its entities in order of first appearance, each one's windows the runs of its
 * labelled rows, as for one series read from a labels file.
 */
export function readTableFleetLabels(t: TableFile, time: string, label: string, entity: string): FleetLabels {
  const open = new EntityKeys([], `the labels ${t.path}`, 'open');
  const { arrays } = readColumns(t, [
    { name: time, kind: 'time' },
    { name: label, kind: 'label' },
    { name: entity, kind: 'key', keys: open },
  ]);
  const [times, flags, owner] = arrays as [Float64Array, Uint8Array, Float64Array];
  return { key: entity, keys: open.as('closed'), entities: byEntity(times, flags, owner, open.names.length) };
}

/** The labels of fleet dataset `dir` (manifest `m`), windows from its segment table or (`runs`) from runs of each entity's labelled rows. */
export function readFleetLabels(dir: string, m: Manifest, windows: 'segments' | 'runs'): { labels: FleetLabels; description: string } {
  const f = m.entities!;
  const entitiesPath = join(dir, f.entities_file);
  if (!existsSync(entitiesPath)) throw damaged(entitiesPath, 'the fleet\'s entity table is missing');
  const names = cellsOf(readTableFile(entitiesPath, 'entity table'), [f.key])[0]!.map((c) => keyText(c) ?? '');
  const keys = new EntityKeys(names);
  // Every row with its entity, then the rows taken apart by entity (stable: each entity's rows in file order).
  const times = new Float64Array(m.rows);
  const flags = new Uint8Array(m.rows);
  const owner = new Float64Array(m.rows);
  let at = 0;
  for (const s of m.shards) {
    const path = join(dir, s.file);
    if (!existsSync(path)) throw damaged(path, 'a shard the manifest lists is missing');
    const columns = readColumns(readTableFile(path, 'shard'), [
      { name: 'timestamp', kind: 'time' },
      { name: 'is_anomaly', kind: 'label' },
      { name: f.key, kind: 'key', keys },
    ], (rows) => {
      if (rows !== s.rows || at + rows > m.rows) throw damaged(path, `${rows} rows where the manifest lists ${s.rows}`);
    });
    times.set(columns.arrays[0]!, at);
    flags.set(columns.arrays[1]!, at);
    owner.set(columns.arrays[2]!, at);
    at += s.rows;
  }
  const labels = { key: f.key, keys, entities: byEntity(times, flags, owner.subarray(0, at), names.length) };
  const whose = `${names.length.toLocaleString('en-US')} entities keyed by '${f.key}'`;
  if (windows === 'runs') return { labels, description: `fleet dataset ${dir} (${whose}; is_anomaly; windows: runs of each entity's labelled rows)` };
  const segmentsPath = join(dir, m.anomalies.segments_file);
  // As for one series: a table gone is a changed dataset (runs would merge adjacent events).
  if (!existsSync(segmentsPath)) throw new ParanomError('DATASET_INVALID', `${segmentsPath}: the dataset's segment table (its event windows) is missing; restore it, or score windows as runs of labelled rows with --windows runs`, { path: segmentsPath });
  const { events, outages, hits } = fleetIntervals(readTableFile(segmentsPath, 'segment table'), f.key, keys, labels.entities, segmentsPath);
  const outageText = outages > 0 ? `, ${outages} fleet outage${outages === 1 ? '' : 's'} as ${hits} windows of the entities hit` : '';
  return { labels, description: `fleet dataset ${dir} (${whose}; is_anomaly; windows: ${events} entity events${outageText}, of ${m.anomalies.segments_file}${marginNote(m)})` };
}

/** Each entity's windows from the segment table: its own events and the outages that hit it, overlapping ones merged. */
function fleetIntervals(t: TableFile, key: string, keys: EntityKeys, entities: EntityLabels[], path: string): { events: number; outages: number; hits: number } {
  const hasHits = t.columns.includes('entities');
  const [owner, from, to, hit] = cellsOf(t, [key, 'start_time', 'end_time', ...(hasHits ? ['entities'] : [])]);
  const lists: Array<Array<[number, number]>> = entities.map(() => []);
  let events = 0;
  let outages = 0;
  let hits = 0;
  for (let r = 0; r < owner!.length; r++) {
    const span: [number, number] = [Number(from![r]), Number(to![r])];
    if (!(span[0] <= span[1])) throw damaged(path, `segment row ${r} has no time span`);
    if (owner![r] === null || owner![r] === undefined) {
      // An outage may hit no entity (each is hit with the outage's share): then it is no window.
      if (typeof hit?.[r] !== 'string') throw damaged(path, `segment row ${r} has no entity and no list of the entities it hit`);
      const list = hit[r] === '' ? [] : (hit[r] as string).split(',');
      outages++;
      for (const name of list) {
        const e = keys.index(name);
        if (Number.isNaN(e)) throw damaged(path, `segment row ${r} lists '${name}', not an entity of the fleet`);
        lists[e]!.push(span);
        hits++;
      }
      continue;
    }
    const e = keys.index(owner![r]);
    if (Number.isNaN(e)) throw damaged(path, `segment row ${r} is of '${String(owner![r])}', not an entity of the fleet`);
    lists[e]!.push(span);
    events++;
  }
  lists.forEach((list, e) => {
    list.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const w of list) {
      const last = merged[merged.length - 1];
      if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
      else merged.push([w[0], w[1]]);
    }
    entities[e]!.intervals = merged;
  });
  return { events, outages, hits };
}
