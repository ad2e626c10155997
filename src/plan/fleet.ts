/**
 * Shards of a fleet: rectangles of entities × a time range, each holding at most the shard
 * size in rows, so a worker's memory stays bounded by the shard size whatever the fleet.
 *
 * - `entity_time` (each entity's rows contiguous): an entity whose timeline is at least a
 *   shard long gets shards of its own, cut along time; shorter timelines are packed, whole,
 *   ⌊shard rows / rows⌋ entities to a shard.
 * - `time_entity` (rows interleaved by timestamp): every shard holds all entities of its
 *   region over ⌊shard rows / entities⌋ timestamps; a fleet larger than a shard is cut into
 *   entity ranges of one timestamp each.
 *
 * Growth only adds regions: more rows add [0, entities) × [old rows, rows), more entities
 * add [old entities, entities) × [0, rows); the shards already written stay as they are,
 * file for file. File names carry the rectangle's first entity and row in the order's
 * major-first order, so sorting names gives the layout's order.
 */
import type { EntityOrder } from '../model/entities.js';

/** A rectangle of a fleet dataset: entities [entityStart, entityEnd) × rows [rowStart, rowEnd). */
export interface FleetRect {
  entityStart: number;
  entityEnd: number;
  rowStart: number;
  rowEnd: number;
}

/** Rows a rectangle holds. */
function rectRows(r: FleetRect): number {
  return (r.entityEnd - r.entityStart) * (r.rowEnd - r.rowStart);
}

/** Cuts a region into shard rectangles of at most `shardRows` rows (at least one row or entity each). */
export function cutRegion(region: FleetRect, shardRows: number, order: EntityOrder): FleetRect[] {
  const out: FleetRect[] = [];
  const entities = region.entityEnd - region.entityStart;
  const rows = region.rowEnd - region.rowStart;
  if (entities <= 0 || rows <= 0) return out;
  if (order === 'entity_time') {
    if (rows >= shardRows) {
      for (let e = region.entityStart; e < region.entityEnd; e++) {
        for (let r = region.rowStart; r < region.rowEnd; r += shardRows) out.push({ entityStart: e, entityEnd: e + 1, rowStart: r, rowEnd: Math.min(region.rowEnd, r + shardRows) });
      }
    } else {
      const k = Math.max(1, Math.floor(shardRows / rows));
      for (let e = region.entityStart; e < region.entityEnd; e += k) out.push({ entityStart: e, entityEnd: Math.min(region.entityEnd, e + k), rowStart: region.rowStart, rowEnd: region.rowEnd });
    }
    return out;
  }
  if (entities <= shardRows) {
    const k = Math.max(1, Math.floor(shardRows / entities));
    for (let r = region.rowStart; r < region.rowEnd; r += k) out.push({ entityStart: region.entityStart, entityEnd: region.entityEnd, rowStart: r, rowEnd: Math.min(region.rowEnd, r + k) });
  } else {
    for (let r = region.rowStart; r < region.rowEnd; r++) {
      for (let e = region.entityStart; e < region.entityEnd; e += shardRows) out.push({ entityStart: e, entityEnd: Math.min(region.entityEnd, e + shardRows), rowStart: r, rowEnd: r + 1 });
    }
  }
  return out;
}

/**
 * The regions a fleet of `entities` × `rows` consists of when it grew from `from`
 * (absent: a fresh dataset, one region).
 */
export function growthRegions(entities: number, rows: number, from?: { entities: number; rows: number }): FleetRect[] {
  if (!from) return [{ entityStart: 0, entityEnd: entities, rowStart: 0, rowEnd: rows }];
  return [
    { entityStart: 0, entityEnd: from.entities, rowStart: from.rows, rowEnd: rows },
    { entityStart: from.entities, entityEnd: entities, rowStart: 0, rowEnd: rows },
  ].filter((r) => rectRows(r) > 0);
}

/** A fleet shard's file name: the rectangle's first entity and row, major first. */
export function fleetFileName(r: FleetRect, order: EntityOrder, ext: string): string {
  const e = `e${String(r.entityStart).padStart(10, '0')}`;
  const t = `r${String(r.rowStart).padStart(13, '0')}`;
  return `data/part-${order === 'entity_time' ? `${e}-${t}` : `${t}-${e}`}.${ext}`;
}

/** Orders rectangles as the layout writes them (entity-major or time-major). */
export function compareRects(order: EntityOrder): (a: FleetRect, b: FleetRect) => number {
  return order === 'entity_time' ? (a, b) => a.entityStart - b.entityStart || a.rowStart - b.rowStart : (a, b) => a.rowStart - b.rowStart || a.entityStart - b.entityStart;
}
