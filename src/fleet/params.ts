/**
 * Per-entity parameters (random effects): a numeric parameter written as
 * `{ per_entity: { dist: normal, mean: 20, sd: 3 } }` takes one value per entity, drawn
 * from its own counter-based stream at the entity's index — a pure function of (fleet
 * seed, parameter path, entity index), so growing the fleet or adding a parameter changes
 * no value already drawn (D1, D3, D4).
 */
import { fillRowUniforms, RowDraws, rowUniform, seedKey } from '../random/counter.js';
import { hash32 } from '../random/hash.js';
import { compileSampler } from '../distribution/sampler.js';
import { compileBlockKernel } from '../distribution/block.js';
import type { Entities, EntityParam } from '../model/entities.js';

/** Stream of a parameter's draws: its path, in the engine's own domain. */
export function paramStream(path: string): number {
  return hash32(`sys:entity.param:${path}`);
}

/** The value of one per-entity parameter for entity `index` of a fleet seeded `seed`. */
function drawEntityParam(seed: number, p: Pick<EntityParam, 'dist' | 'stream'>, index: number): number {
  const key = seedKey(seed);
  return compileSampler(p.dist, 'float64', null)(rowUniform(key, p.stream, index, 0, 0), new RowDraws(key, p.stream).at(index, 0));
}

/** The values of one parameter for entities [from, to), as drawEntityParam gives them one by one. */
export function drawEntityParamRange(seed: number, p: Pick<EntityParam, 'dist' | 'stream'>, from: number, to: number): Float64Array {
  const key = seedKey(seed);
  const u = new Float64Array(to - from);
  fillRowUniforms(key, p.stream, 0, 0, from, to - from, u);
  // A block kernel where the distribution has one: the sampler's bits (distribution/block.ts)
  // for the whole range at once. Validation draws every entity's value, and each worker a
  // shard's entities; one sampler call (and draw cursor) per entity cost more than the draws.
  const kernel = compileBlockKernel(p.dist, 'float64', null);
  if (kernel) {
    const values = new Float64Array(u.length);
    kernel(u, 0, u.length, values, 0);
    return values;
  }
  const sample = compileSampler(p.dist, 'float64', null);
  const more = new RowDraws(key, p.stream);
  for (let i = 0; i < u.length; i++) u[i] = sample(u[i]!, more.at(from + i, 0));
  return u;
}

/** Every per-entity parameter of entity `index`, in declared order. */
export function drawEntityParams(seed: number, f: Entities, index: number): Array<{ param: EntityParam; value: number }> {
  return f.params.map((param) => ({ param, value: drawEntityParam(seed, param, index) }));
}

/**
 * `target` with the value at `path` replaced, copying only the objects and arrays along
 * the path (the rest is shared: an entity's scenario costs a few small copies, not a clone).
 */
export function withValueAt<T>(target: T, path: ReadonlyArray<string | number>, value: unknown, from = 0): T {
  // An index into the path, not `[k, ...rest]`: a fleet shard builds hundreds of entities,
  // and the rest pattern made a new array (through the iterator protocol) at every level.
  if (from === path.length) return value as T;
  const k = path[from]!;
  const copy = (Array.isArray(target) ? [...target] : { ...(target as object) }) as Record<string | number, unknown>;
  copy[k] = withValueAt(copy[k], path, value, from + 1);
  return copy as T;
}
