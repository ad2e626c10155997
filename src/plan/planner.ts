/**
 * The planner: a pure function from a resolved scenario and options to the list of shards.
 * Shards are whole numbers of blocks (the last may be partial); their row ranges depend
 * only on the shard size, never on the worker count.
 */
import { BLOCK_ROWS, DEFAULT_SHARD_ROWS } from '../format.js';
import { isGrowthStable } from '../anomaly/events.js';
import { firstRow, type Scenario } from '../model/types.js';
import { checkRowCapacity } from '../variables/registry.js';
import { compareRects, cutRegion, fleetFileName, growthRegions } from './fleet.js';
import { rowTimeMs } from '../model/row-time.js';
import { spellDurationMs } from '../model/units.js';

export type OutputFormat = 'parquet' | 'arrow' | 'csv';

const FORMAT_EXTENSIONS: Record<OutputFormat, string> = { parquet: 'parquet', arrow: 'arrow', csv: 'csv' };

export { DEFAULT_SHARD_ROWS } from '../format.js';

export interface ShardPlan {
  index: number;
  rowStart: number;
  rowEnd: number;
  /** Path relative to the dataset directory. */
  file: string;
  /** Fleets only: the shard's entities [entityStart, entityEnd) (plan/fleet.ts). */
  entityStart?: number;
  entityEnd?: number;
}

/** Rows a shard holds: its row range, times its entities for a fleet shard. */
export function shardRowCount(s: Pick<ShardPlan, 'rowStart' | 'rowEnd' | 'entityStart' | 'entityEnd'>): number {
  return (s.entityStart === undefined ? 1 : s.entityEnd! - s.entityStart) * (s.rowEnd - s.rowStart);
}

/** What a fleet grew from: its size then, and the shards it had (kept file for file). */
export interface FleetGrowth {
  entities: number;
  rows: number;
  shards: ShardPlan[];
}

export interface GenerationPlan {
  scenario: Scenario;
  format: OutputFormat;
  blockRows: number;
  shardRows: number;
  growthStable: boolean;
  shards: ShardPlan[];
}

/** Rounds a requested shard size to whole blocks (at least one). */
function roundShardRows(requested: number): number {
  return Math.max(1, Math.round(requested / BLOCK_ROWS)) * BLOCK_ROWS;
}

export function shardFileName(index: number, format: OutputFormat): string {
  return `data/part-${String(index).padStart(5, '0')}.${FORMAT_EXTENSIONS[format]}`;
}

export function planGeneration(scenario: Scenario, options: { format?: OutputFormat; shardRows?: number; grownFrom?: FleetGrowth | undefined } = {}): GenerationPlan {
  const format = options.format ?? 'parquet';
  const shardRows = roundShardRows(options.shardRows ?? DEFAULT_SHARD_ROWS);
  const rows = scenario.timeline.rows;
  checkRowCapacity(scenario);
  const fleet = scenario.entities;
  if (fleet) {
    // Earlier shards stay as they were; growth adds rectangles (plan/fleet.ts).
    const kept = (options.grownFrom?.shards ?? []).map((s) => ({ entityStart: s.entityStart!, entityEnd: s.entityEnd!, rowStart: s.rowStart, rowEnd: s.rowEnd }));
    // A later stretch of the timeline (a test split) is planned in the timeline's own rows.
    const first = firstRow(scenario.timeline);
    const shift = (r: ReturnType<typeof growthRegions>[number]) => ({ ...r, rowStart: r.rowStart + first, rowEnd: r.rowEnd + first });
    const added = growthRegions(fleet.count, rows, options.grownFrom).map(shift).flatMap((r) => cutRegion(r, shardRows, fleet.order));
    const rects = [...kept, ...added].sort(compareRects(fleet.order));
    const shards = rects.map((r, index) => ({ index, ...r, file: fleetFileName(r, fleet.order, FORMAT_EXTENSIONS[format]) }));
    return { scenario, format, blockRows: BLOCK_ROWS, shardRows, growthStable: isGrowthStable(scenario.anomalies) && scenario.entities?.outages?.mode !== 'count', shards };
  }
  // A later stretch of the timeline (a test split) is planned in the timeline's own rows.
  const first = firstRow(scenario.timeline);
  const end = first + rows;
  const shards: ShardPlan[] = [];
  for (let index = 0, start = first; start < end; index++, start += shardRows) {
    shards.push({ index, rowStart: start, rowEnd: Math.min(end, start + shardRows), file: shardFileName(index, format) });
  }
  return { scenario, format, blockRows: BLOCK_ROWS, shardRows, growthStable: isGrowthStable(scenario.anomalies) && scenario.entities?.outages?.mode !== 'count', shards };
}

const n = (x: number): string => x.toLocaleString('en-US');

/** A human-readable rendering of a plan (what `--dry-run` prints). */
export function describePlan(plan: GenerationPlan): string {
  const s = plan.scenario;
  const jitterText = s.timeline.jitter ? `, jitter ±${s.timeline.jitter.ms} ms` : '';
  const lines = [
    `scenario   ${s.name} (seed ${s.seed})`,
    firstRow(s.timeline) > 0
      ? `timeline   ${s.timeline.rows.toLocaleString('en-US')} rows from row ${firstRow(s.timeline).toLocaleString('en-US')} (${new Date(rowTimeMs(s.timeline, firstRow(s.timeline))).toISOString()}) of the timeline from ${s.timeline.start}, step ${spellDurationMs(s.timeline.stepMs)}${jitterText}`
      : `timeline   ${s.timeline.rows.toLocaleString('en-US')} rows from ${s.timeline.start}, step ${spellDurationMs(s.timeline.stepMs)}${jitterText}`,
    `anomalies  ${s.anomalies.mode === 'none' ? 'none' : s.anomalies.mode === 'frequency' ? `frequency ${s.anomalies.frequency}, duration ${s.anomalies.duration.join('–')} rows` : `count ${s.anomalies.count}, duration ${s.anomalies.duration.join('–')} rows (not growth-stable)`}`,
    `variables  ${s.variables.map((v) => `${v.name}:${v.dtype}`).join(', ')}`,
    `format     ${plan.format}, ${plan.shards.length} shard(s) of up to ${plan.shardRows.toLocaleString('en-US')} rows (${plan.blockRows.toLocaleString('en-US')}-row blocks)`,
  ];
  const show = plan.shards.length <= 12 ? plan.shards : [...plan.shards.slice(0, 5), undefined, ...plan.shards.slice(-5)];
  if (s.entities) lines.splice(3, 0, `entities   ${s.entities.count.toLocaleString('en-US')} (key ${s.entities.key}, order ${s.entities.order}${s.entities.params.length ? `, per-entity ${s.entities.params.map((p) => p.path).join(', ')}` : ''}): ${plan.shards.reduce((a, sh) => a + shardRowCount(sh), 0).toLocaleString('en-US')} rows in all`);
  for (const sh of show) lines.push(sh ? `  ${sh.file}  ${sh.entityStart === undefined ? '' : `entities ${n(sh.entityStart)}–${n(sh.entityEnd! - 1)}, `}rows ${n(sh.rowStart)}–${n(sh.rowEnd - 1)}` : '  ...');
  return lines.join('\n');
}
