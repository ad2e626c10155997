/**
 * Per-entity parameters (random effects): a numeric parameter written as
 * `{ per_entity: { dist: normal, mean: 20, sd: 3 } }` takes one value per entity, drawn
 * from its own counter-based stream at the entity's index — a pure function of (fleet
 * seed, parameter path, entity index), so growing the fleet or adding a parameter changes
 * no value already drawn (D1, D3, D4).
 */
import { RowDraws, rowUniform, seedKey } from '../random/counter.js';
import { hash32 } from '../random/hash.js';
import { compileSampler } from '../distribution/sampler.js';
import type { Entities, EntityParam } from '../model/entities.js';

/** Stream of a parameter's draws: its path, in the engine's own domain. */
export function paramStream(path: string): number {
  return hash32(`sys:entity.param:${path}`);
}

/** The value of one per-entity parameter for entity `index` of a fleet seeded `seed`. */
export function drawEntityParam(seed: number, p: EntityParam, index: number): number {
  const key = seedKey(seed);
  return compileSampler(p.dist, 'float64', null)(rowUniform(key, p.stream, index, 0, 0), new RowDraws(key, p.stream).at(index, 0));
}

/** Every per-entity parameter of entity `index`, in declared order. */
export function drawEntityParams(seed: number, f: Entities, index: number): Array<{ param: EntityParam; value: number }> {
  return f.params.map((param) => ({ param, value: drawEntityParam(seed, param, index) }));
}

/** Sets the value at a path of plain objects and arrays. */
export function setAt(target: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  let o = target as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) o = o[path[i]!] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
}
