/**
 * A fleet's predictions and their join with its labels on (entity, timestamp). The
 * predictions carry an entity column (the fleet's key column by default); their rows are
 * taken apart by entity and each entity is joined exactly as one series is (join.ts: every
 * rule of one series holds per entity, and a refusal names the entity before the row).
 * The joined entities are then laid one after another, in the fleet's order, each in its
 * scoring order: the rows of the fleet as one corpus, whose windows and alarm runs never
 * cross from one entity to the next.
 */
import { ParanomError } from '../errors.js';
import { readColumns } from './column-values.js';
import { groupByEntity, permute, type FleetLabels } from './fleet-labels.js';
import { joinOnTime, SCORE_COLUMNS, type PredictionSource } from './join.js';
import { TIME_COLUMNS } from './label-source.js';
import { pickColumn, readTableFile, usage } from './table-file.js';
import { withoutScoreless } from './scoreless-rows.js';
import type { RowWindow } from './windows.js';

/** A fleet's predictions: each row's time, value and entity (an index into the fleet's keys). */
export interface FleetPredictions {
  description: string;
  /** The column the entities were read from. */
  entityColumn: string;
  times: Float64Array;
  values: Float64Array;
  entity: Float64Array;
  where(row: number): string;
  /** Rows of the file without a score, left out (`--missing-scores skip`, scoreless-rows.ts). */
  scoreless: number;
}

/** Timestamp, score (or 0/1) and entity columns of a CSV, Parquet or Arrow file. */
export function readFleetPredictions(path: string, labels: FleetLabels, o: { scoreColumn?: string | undefined; timeColumn?: string | undefined; entityColumn?: string | undefined; onlyLabelled?: boolean | undefined; skipScoreless?: boolean | undefined } = {}): FleetPredictions {
  const t = readTableFile(path, 'predictions file');
  const timeCol = pickColumn(t, o.timeColumn, TIME_COLUMNS, 'time', '--time-column');
  const scoreCol = pickColumn(t, o.scoreColumn, SCORE_COLUMNS, 'score', '--score-column');
  const entityCol = o.entityColumn ?? labels.key;
  if (!t.columns.includes(entityCol)) {
    const how = o.entityColumn === undefined ? `the fleet's key column, which names each row's entity; name the predictions' entity column with --entity-column` : 'named by --entity-column';
    throw usage(`${path} has no entity column '${entityCol}' (${how}); its columns are: ${t.columns.join(', ')}`);
  }
  const { rows, arrays } = readColumns(t, [
    { name: timeCol, kind: 'time' },
    { name: scoreCol, kind: 'score', missingAllowed: o.skipScoreless === true },
    // With onlyLabelled, rows of an entity the labels lack are those of a spare entity, left out by the join.
    { name: entityCol, kind: 'key', keys: o.onlyLabelled ? labels.keys.as('spare') : labels.keys },
  ]);
  if (rows === 0) throw usage(`${path} has no rows`);
  const read = withoutScoreless(path, { times: arrays[0] as Float64Array, values: arrays[1] as Float64Array, rest: [arrays[2] as Float64Array] }, t.where);
  return { description: `${path} (column ${scoreCol}, entities in ${entityCol})`, entityColumn: entityCol, times: read.times, values: read.values, entity: read.rest[0]!, where: read.where, scoreless: read.scoreless };
}

/** One scored entity of the joined fleet: rows [start, start + rows) of the corpus, its windows as rows of its own. */
export interface JoinedEntity {
  index: number;
  name: string;
  start: number;
  rows: number;
  windows: RowWindow[];
}

export interface FleetJoined {
  /** Every scored row of the fleet, entity after entity: its label and its prediction value. */
  isAnomaly: Uint8Array;
  values: Float64Array;
  entities: JoinedEntity[];
  /** True when some entity's prediction rows were not in time order and were put in order. */
  reordered: boolean;
  windowsOutside: number;
  labelRowsUnscored: number;
  labelledRowsUnscored: number;
  predictionRowsUnlabelled: number;
  /** Entities without a prediction row: not scored (their label rows are counted as unscored). */
  entitiesUnscored: string[];
}

/** Aligns each entity's labels to its prediction rows, and lays the entities one after another. */
export function joinFleet(labels: FleetLabels, preds: FleetPredictions, o: { onlyLabelled?: boolean } = {}): FleetJoined {
  const E = labels.entities.length;
  // The prediction rows of each entity, in file order: views when the file is grouped by entity.
  // Index E: rows of entities the labels do not name (read only with onlyLabelled): unlabelled rows.
  const { start, order } = groupByEntity(preds.entity, E + 1);
  const [byTime, byValue] = order ? [permute(preds.times, order), permute(preds.values, order)] : [preds.times, preds.values];
  const fileRow = (k: number) => (order ? order[k]! : k);
  const parts: Array<{ entity: number; isAnomaly: Uint8Array; values: Float64Array; windows: RowWindow[] }> = [];
  const out: Omit<FleetJoined, 'isAnomaly' | 'values' | 'entities'> = { reordered: false, windowsOutside: 0, labelRowsUnscored: 0, labelledRowsUnscored: 0, predictionRowsUnlabelled: start[E + 1]! - start[E]!, entitiesUnscored: [] };
  for (let e = 0; e < E; e++) {
    const l = labels.entities[e]!;
    const [a, b] = [start[e]!, start[e + 1]!];
    if (a === b) {
      out.entitiesUnscored.push(labels.keys.names[e]!);
      out.labelRowsUnscored += l.times.length;
      for (let i = 0; i < l.flags.length; i++) out.labelledRowsUnscored += l.flags[i]!;
      continue;
    }
    const p: PredictionSource = { description: preds.description, times: byTime.subarray(a, b), values: byValue.subarray(a, b), where: (r) => preds.where(fileRow(a + r)) };
    let j;
    try {
      j = joinOnTime({ description: '', times: l.times, flags: l.flags, intervals: l.intervals }, p, o);
    } catch (err) {
      if (err instanceof ParanomError) throw new ParanomError(err.code, `${labels.key} ${labels.keys.names[e]!}: ${err.message}`, err.details);
      throw err;
    }
    parts.push({ entity: e, isAnomaly: j.labels.isAnomaly, values: j.values, windows: j.labels.windows });
    out.reordered ||= j.reordered;
    out.windowsOutside += j.windowsOutside;
    out.labelRowsUnscored += j.labelRowsUnscored;
    out.labelledRowsUnscored += j.labelledRowsUnscored;
    out.predictionRowsUnlabelled += j.predictionRowsUnlabelled;
  }
  const n = parts.reduce((a, q) => a + q.values.length, 0);
  const isAnomaly = new Uint8Array(n);
  const values = new Float64Array(n);
  const entities: JoinedEntity[] = [];
  let at = 0;
  for (const q of parts) {
    isAnomaly.set(q.isAnomaly, at);
    values.set(q.values, at);
    entities.push({ index: q.entity, name: labels.keys.names[q.entity]!, start: at, rows: q.values.length, windows: q.windows });
    at += q.values.length;
  }
  return { isAnomaly, values, entities, ...out };
}
