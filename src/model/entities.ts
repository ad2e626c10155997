/**
 * The resolved `entities:` section: a fleet of many series in one dataset. Each entity is
 * the scenario's timeline of variables generated with its own seed (random/entity-seed.ts)
 * and its own drawn parameters; the key column names it in every row.
 */
import type { Distribution } from './distribution.js';

/** Row order of a fleet dataset (see docs/architecture.md, "Fleets"). */
export type EntityOrder = 'entity_time' | 'time_entity';
export const ENTITY_ORDERS: readonly EntityOrder[] = ['entity_time', 'time_entity'];

/** A numeric parameter drawn once per entity (`{ per_entity: { dist: ... } }`). */
export interface EntityParam {
  /** Where the parameter is in the scenario file, e.g. `variables.cpu.normal.mean`. */
  path: string;
  /** Its distribution over entities. */
  dist: Distribution;
  /** Stream of its draws: a hash of the path, so adding a parameter changes no other. */
  stream: number;
  /** Where the drawn value goes in the resolved scenario (one place, or both ends of a range). */
  targets: Array<Array<string | number>>;
  /** The smallest and largest values validated (those drawn over the fleet when it was checked). */
  checked: [number, number];
}

/**
 * Fleet-wide events (`anomalies.outages`): each hits a share of the entities at once, at
 * the same rows (fleet/outages.ts).
 */
export interface Outages {
  /** Placement over the timeline, as one series' events are placed (frequency or count). */
  mode: 'frequency' | 'count';
  frequency: number;
  count: number;
  duration: [number, number];
  /** Probability that an outage hits a given entity. */
  share: number;
  /** flat_line holds each target at its value where the outage starts; level_shift and spike add an amount drawn per outage. */
  kind: 'flat_line' | 'level_shift' | 'spike';
  /** level_shift's shift or spike's magnitude, [min, max] drawn uniformly per outage. */
  amount: [number, number];
  /** The variables an outage acts on. */
  variables: string[];
}

export interface Entities {
  /** Name of the key column. */
  key: string;
  /** Number of entities. */
  count: number;
  /** The entities' names (a string key column); null: the key is the entity index (int32). */
  names: string[] | null;
  /** Names read from a file (one per line), as the scenario names it, and its hash. */
  source?: { file: string; sha256: string };
  order: EntityOrder;
  /**
   * With `uniqueness`: the rows each datum must differ from — those of its own entity
   * (each entity resolved exactly as alone). Absent without uniqueness.
   */
  uniquenessScope?: 'entity';
  /** Per-entity parameters, in the order the scenario declares them. */
  params: EntityParam[];
  /** Fleet-wide events; absent without `anomalies.outages`. */
  outages?: Outages;
  /**
   * `anomalies.count_per: fleet`: `anomalies.count` events over the whole fleet, each
   * entity taking the ones a draw per event assigns it (fleet/count-split.ts); absent: the
   * count is per entity.
   */
  countPer?: 'fleet';
}

/** Largest fleet: the key is an int32 and entity ranges stay exact. */
export const MAX_ENTITIES = 2 ** 31 - 1;
