/**
 * `paranom preview`: a report of a scenario's first rows, generated in memory on this
 * thread (shard by shard into reused buffers) and reduced by the same builder as a
 * dataset's report; nothing is written but the page.
 */
import { seedKey } from '../random/counter.js';
import { endRow, firstRow, type Scenario } from '../model/types.js';
import { ParanomError } from '../errors.js';
import { entityIndex, entityKey, entityName, entityScenario } from '../fleet/entity.js';
import { hits, outagesOverlapping, type Outage } from '../fleet/outages.js';
import { applyOutages } from '../generate/outage-apply.js';
import { describeEvents } from '../anomaly/kinds/describe.js';
import { withOverrides } from '../reader/load.js';
import { eventsOverlapping, eventsStartingIn } from '../anomaly/events.js';
import { twinNameClashes, withCleanTwin } from '../anomaly/kinds/clean-twin.js';
import { cleanRowsOf, generateShard } from '../generate/shard.js';
import { segmentsOf } from '../generate/event-outcome.js';
import type { Segment } from '../anomaly/effect.js';
import type { Table } from 'apache-arrow';
import { ColumnArena, getInt64, type ValueColumn } from '../columns/columns.js';
import { prepareScenario } from '../variables/registry.js';
import { planGeneration } from '../plan/planner.js';
import { segmentTable } from '../dataset/segments.js';
import { anomalySummary, buildManifest, type Manifest } from '../dataset/manifest.js';
import { tallyEvents } from '../dataset/event-tally.js';
import { fromRowBase, ReportBuilder, type ReportLimits } from './build.js';
import { ChunkBuffers } from './arrow-chunks.js';
import type { Chunk } from './chunk.js';
import { latentPanels } from './latent.js';
import { eventRows } from './events.js';

/** Rows a preview generates unless told otherwise. */
const PREVIEW_ROWS = 100_000;

export interface PreviewOptions {
  /** Rows to generate (default: 100,000 or the scenario's row count, whichever is smaller). */
  rows?: number;
  limits?: ReportLimits;
  /** A fleet: the entity to show, by key (default: the first). */
  entity?: string | undefined;
  /** Replaces the page's title, and notes put first (a fleet dataset's report). */
  title?: string;
  notes?: string[];
  /**
   * A dataset's columns (a fleet's report): the page lists these, and draws a clean twin
   * only if the dataset holds it. Without them (a preview), every twin is drawn.
   */
  columns?: Manifest['columns'];
}

/**
 * A fleet scenario as one entity's (fleet/entity.ts), with a note saying which; any other
 * scenario as it is.
 */
function chosenEntity(scenario: Scenario, entity: string | undefined): { scenario: Scenario; index: number; notes: string[] } {
  const f = scenario.entities;
  if (!f) {
    if (entity !== undefined) throw new ParanomError('USAGE', `--entity ${entity}: this scenario has no entities (it is one series)`);
    return { scenario, index: 0, notes: [] };
  }
  const index = entity === undefined ? 0 : entityIndex(f, entity);
  if (index === undefined) throw new ParanomError('USAGE', `--entity ${entity}: no such entity; keys are ${f.names ? `names such as ${f.names.slice(0, 3).join(', ')}` : `0 to ${f.count - 1}`}`, { entity });
  const one = entityScenario(scenario, index);
  return {
    scenario: one,
    index,
    notes: [`Entity ${entityName(f, index)} (${f.key}, index ${index}) of ${f.count.toLocaleString('en-US')}: the scenario alone with its seed ${one.seed}${f.params.length ? ' and its per-entity parameters' : ''}${f.outages ? ', with the fleet outages that hit it (listed with the events, `entities` naming every entity each hit)' : ''}. Choose another with --entity.`],
  };
}

function numericOf(v: ValueColumn, out: Float64Array, n: number): void {
  const d = v.data;
  if (v.dtype === 'int64') for (let i = 0; i < n; i++) out[i] = getInt64(d as Int32Array, i);
  else for (let i = 0; i < n; i++) out[i] = d[i]!;
  if (v.valid) for (let i = 0; i < n; i++) if (!v.valid[i]) out[i] = NaN;
}

function codesOf(v: ValueColumn, out: Int32Array, n: number): void {
  // String columns hold their dictionary index, which is the category's index; bools 0/1.
  for (let i = 0; i < n; i++) out[i] = v.data[i]!;
  if (v.valid) for (let i = 0; i < n; i++) if (!v.valid[i]) out[i] = -1;
}

/** The outages of a fleet overlapping rows [from, to) that hit entity `index`. */
function entityOutages(fleet: Scenario, index: number, from: number, to: number): Outage[] {
  return outagesOverlapping(fleet, from, to).filter((o) => hits(fleet, o, index));
}

/** An outage as a segment (its effect is not measured, as in the dataset's segment table). */
function outageSegment(o: Outage): Segment {
  return { event: { ...o, id: o.label }, effect: { rms: NaN, max: NaN }, changedRows: o.end - o.start };
}

/**
 * One entity's segment table with the outages that hit it, in the columns of the fleet's
 * (its key first, `entities` for outages): its own events described with its scenario,
 * each outage as the dataset describes it, naming every entity it hit.
 */
function fleetSegmentTable(fleet: Scenario, one: Scenario, index: number, segments: readonly Segment[], outages: readonly Outage[]): Table {
  const f = fleet.entities!;
  const o = f.outages!;
  const describe = describeEvents(one, cleanRowsOf(one));
  const key = entityKey(f, index);
  const outage = (seg: Segment) => seg.event.id < 0;
  // Who an outage hit is drawn from its placement id, not from its label (the segment's id).
  const byLabel = new Map(outages.map((x) => [x.label, x]));
  const whoHit = (seg: Segment) => {
    const who: string[] = [];
    for (let e = 0; e < f.count; e++) if (hits(fleet, byLabel.get(seg.event.id)!, e)) who.push(entityName(f, e));
    return who;
  };
  const hit = segments.map((seg) => (outage(seg) ? whoHit(seg) : null));
  return segmentTable(one, segments, undefined, {
    key: f.key,
    names: f.names !== null,
    keys: segments.map((seg) => (outage(seg) ? null : key)),
    described: segments.map((seg, i) =>
      outage(seg) ? { variables: o.variables.join(','), params: JSON.stringify({ ...(o.kind === 'flat_line' ? {} : { amount: (seg.event as Outage).amount }), entities_hit: hit[i]!.length, scope: 'fleet' }) } : describe(seg.event),
    ),
    hit: hit.map((w) => (w ? w.join(',') : null)),
  });
}

/** The page data of a preview of `scenario` (resolved, as `loadScenario` returns it). */
export async function previewReport(fleetOrOne: Scenario, options: PreviewOptions = {}): Promise<PageData.Report> {
  const { scenario, index, notes: entityNotes } = chosenEntity(fleetOrOne, options.entity);
  const rows = options.rows ?? Math.min(PREVIEW_ROWS, scenario.timeline.rows);
  // The clean twin costs little at preview size and shows what each anomaly changed; a
  // dataset's report shows it only if the dataset holds it (its scenario has it then).
  const sized = withOverrides(scenario, { rows });
  const s = !options.columns && twinNameClashes({ ...sized, anomalies: { ...sized.anomalies, cleanTwin: true } }).length === 0 ? withCleanTwin(sized) : sized;
  await prepareScenario(s);
  const plan = planGeneration(s, {});
  // A fleet's test split: its rows are a later stretch of the timeline (run/splits.ts).
  const rowBase = firstRow(s.timeline);
  const own = segmentsOf(s, rowBase > 0 ? eventsOverlapping(s, rowBase, endRow(s.timeline)) : eventsStartingIn(s.anomalies, seedKey(s.seed), rows, 0, rows));
  // A fleet's outages change the entity's rows as the dataset's files hold them.
  const outages = fleetOrOne.entities?.outages ? entityOutages(withOverrides(fleetOrOne, { rows }), index, rowBase, endRow(s.timeline)) : [];
  const settled = outages.length > 0 ? { ...own, segments: [...own.segments, ...outages.map(outageSegment)].sort((a, b) => a.event.start - b.event.start) } : own;
  const segments = outages.length > 0 ? fleetSegmentTable(fleetOrOne, s, index, settled.segments, outages) : segmentTable(s, settled.segments, cleanRowsOf(s));
  const manifest = buildManifest({
    scenario: fromRowBase(s),
    format: plan.format,
    compression: 'snappy',
    shardRows: plan.shardRows,
    growthStable: plan.growthStable,
    shards: [],
    uniqueness: null,
    // Labelled rows are counted from the generated labels below (as a dataset counts its
    // shards'), so `label: changed` and `label_margin` are counted as written.
    anomalies: anomalySummary(s, tallyEvents(s, settled.segments, settled.dropped), 0),
  });
  const notes = [...(options.notes ?? [`A preview: the first ${rows.toLocaleString('en-US')} rows of ${scenario.timeline.rows.toLocaleString('en-US')}, generated in memory.`]), ...entityNotes];
  if (s.uniqueness) notes.push('Uniqueness retries are not applied in a preview: key variables show their first attempts.');
  if (s.anomalies.mode === 'count') notes.push('anomalies.count spreads events over the whole timeline, so a preview of fewer rows places them differently from the full dataset.');
  const latent = latentPanels(s, eventRows(segments, 2000, rowBase).events);
  const builder = new ReportBuilder({
    rowBase,
    title: options.title ?? `${s.name} — preview of ${rows.toLocaleString('en-US')} rows`,
    source: 'preview',
    manifest,
    ...(options.columns ? { columns: options.columns } : {}),
    segments,
    latent: latent.panels,
    notes: [...notes, ...latent.notes],
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const layout = builder.layout;
  const arena = new ColumnArena();
  const bufs = new ChunkBuffers();
  const numericNames = new Set(layout.numericColumns);
  const categoricalNames = new Set(layout.categorical.map((c) => c.name));
  let labelled = 0;
  for (const shard of plan.shards) {
    const g = generateShard(s, shard.rowStart, shard.rowEnd, undefined, arena);
    const hit = outages.filter((o) => o.start < shard.rowEnd && o.end > shard.rowStart);
    if (hit.length > 0) applyOutages(fleetOrOne, s, g, shard.rowStart, shard.rowEnd, hit);
    const n = g.rows;
    for (let i = 0; i < n; i++) labelled += g.isAnomaly[i]!;
    const chunk: Chunk = { rowStart: g.rowStart - rowBase, rows: n, isAnomaly: g.isAnomaly, numeric: new Map(), categorical: new Map() };
    for (const v of g.values) {
      if (numericNames.has(v.name)) numericOf(v, chunk.numeric.set(v.name, bufs.numeric(v.name, n)).get(v.name)!, n);
      else if (categoricalNames.has(v.name)) codesOf(v, chunk.categorical.set(v.name, bufs.codes(v.name, n)).get(v.name)!, n);
    }
    builder.add(chunk);
  }
  // The builder reads the manifest's summary only when it finishes.
  manifest.anomalies = anomalySummary(s, tallyEvents(s, settled.segments, settled.dropped), labelled);
  return builder.finish();
}
