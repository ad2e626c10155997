/**
 * One entity of a fleet as a scenario of its own: the fleet's scenario without `entities`,
 * seeded with the entity's seed (random/entity-seed.ts) and with its drawn parameters put
 * in place. Generating an entity is generating that scenario — which is what "an entity
 * alone" means, and what `paranom generate --entity` writes.
 */
import type { Scenario } from '../model/types.js';
import type { Entities } from '../model/entities.js';
import { entitySeed } from '../random/entity-seed.js';
import { drawEntityParamRange, drawEntityParams, withValueAt } from './params.js';
import { entityCount } from './count-split.js';

/** The fleet of a scenario; throws for a one-series scenario (a caller's bug). */
export function fleetOf(s: Scenario): Entities {
  if (!s.entities) throw new Error('unreachable: not a fleet scenario');
  return s.entities;
}

/** The key of entity `index`: its name, or its index for a counted fleet. */
export function entityName(f: Entities, index: number): string {
  return f.names ? f.names[index]! : String(index);
}

/** An entity's value in a key column: its name, or its index where the fleet has no names. */
export function entityKey(f: Entities, index: number): string | number {
  return f.names ? entityName(f, index) : index;
}

/** The index of the entity a name or index (as text) picks, or undefined. */
export function entityIndex(f: Entities, name: string): number | undefined {
  if (f.names) {
    const i = f.names.indexOf(name);
    return i >= 0 ? i : undefined;
  }
  const i = Number(name);
  return /^\d+$/.test(name) && i < f.count ? i : undefined;
}

/** An entity's plan under `count_per: fleet`: its share of the fleet's events. */
function ownCount(s: Scenario, f: Entities, index: number): Scenario['anomalies'] {
  const a = s.anomalies;
  if (a.mode !== 'count') return a;
  const count = entityCount(s, f, index);
  // Zero events stays a count plan: the columns (nullable targets, twins) stay the fleet's.
  return { ...a, count };
}

/** The scenario without its fleet (the template every entity is generated from). */
function withoutEntities(s: Scenario): Scenario {
  const { entities: _fleet, ...rest } = s;
  return rest;
}

/**
 * Entity `index` of a fleet scenario as a one-series scenario: the entity's seed and its
 * drawn parameters. Its rows are the entity's rows of the fleet, value for value.
 */
export function entityScenario(s: Scenario, index: number): Scenario {
  const f = fleetOf(s);
  const drawn = drawEntityParams(s.seed, f, index);
  return withParams(s, f, withoutEntities(s), index, (k) => drawn[k]!.value);
}

/** The template with entity `index`'s seed, plan and parameters (`value(k)`: parameter k's value). */
function withParams(s: Scenario, f: Entities, template: Scenario, index: number, value: (k: number) => number): Scenario {
  let out: Scenario = { ...template, seed: entitySeed(s.seed, index), ...(f.countPer ? { anomalies: ownCount(s, f, index) } : {}) };
  for (let k = 0; k < f.params.length; k++) for (const t of f.params[k]!.targets) out = withValueAt(out, t, value(k));
  return out;
}

/**
 * The scenarios of entities [from, to), as `entityScenario` gives them one by one: the
 * template and each parameter's values for the whole range are made once (a fleet shard
 * builds hundreds of entities), each entity then costs its few copies along the paths.
 */
export function entityScenarios(s: Scenario, from: number, to: number): (index: number) => Scenario {
  const f = fleetOf(s);
  const template = withoutEntities(s);
  const values = f.params.map((p) => drawEntityParamRange(s.seed, p, from, to));
  return (index) => {
    if (index < from || index >= to) throw new Error(`unreachable: entity ${index} outside [${from}, ${to})`);
    return withParams(s, f, template, index, (k) => values[k]![index - from]!);
  };
}
