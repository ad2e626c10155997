/**
 * A fleet with more entities: a counted fleet simply counts further; a fleet named by a
 * `source` file takes the names the file now has after the ones the dataset already has
 * (which must be unchanged, in the same order); a fleet named by an inline list cannot
 * know new names.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { inputPath } from '../model/input-path.js';
import type { Scenario } from '../model/types.js';
import { fleetOf } from './entity.js';
import { nameProblem, namesOfText } from './validate.js';
import { drawEntityParamRange } from './params.js';

/**
 * The new entities' per-entity values must lie within the range validated when the fleet
 * was checked (its extremes then): outside it, the scenario was never validated.
 */
function checkNewDraws(s: Scenario, from: number, to: number): void {
  for (const p of fleetOf(s).params) {
    const values = drawEntityParamRange(s.seed, p, from, to);
    const i = values.findIndex((v) => v < p.checked[0] || v > p.checked[1]);
    if (i >= 0) {
      throw new ParanomError('USAGE', `--entities ${to}: entity ${from + i} draws ${values[i]} for ${p.path}, outside the values validated for this fleet (${p.checked[0]} … ${p.checked[1]}); generate the fleet with ${to} entities instead, which validates every draw`, { entity: from + i, path: p.path });
    }
  }
}

/** The fleet scenario with `count` entities (at least as many as it has). */
export function withEntityCount(s: Scenario, count: number, where: string): Scenario {
  const f = fleetOf(s);
  if (count === f.count) return s;
  checkNewDraws(s, f.count, count);
  if (!f.names) return { ...s, entities: { ...f, count } };
  if (!f.source) throw new ParanomError('USAGE', `${where}: its entities are the names listed in the scenario (entities.names); to grow the fleet, name the entities in a file (entities.source) and generate it again`);
  const abs = inputPath(s.baseDir, f.source.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch {
    throw new ParanomError('INPUT_CHANGED', `entities.source ${f.source.file} is missing (looked for ${abs}); grow --entities reads the new entities' names from it`, { file: f.source.file, path: abs });
  }
  const names = namesOfText(bytes.toString('utf8'));
  const changed = f.names.findIndex((n, i) => names[i] !== n);
  if (changed >= 0) throw new ParanomError('INPUT_CHANGED', `entities.source ${f.source.file}: line ${changed + 1} (of the non-blank lines) is now '${names[changed] ?? '(missing)'}', the dataset has '${f.names[changed]}'; the dataset's names must stay, new names go after them`, { file: f.source.file, path: abs });
  if (names.length < count) throw new ParanomError('USAGE', `--entities ${count}: entities.source ${f.source.file} names only ${names.length} entities; add names at its end`, { file: f.source.file });
  const added = new Set(f.names);
  const listed = f.outages !== undefined;
  const odd = names.slice(f.count, count).find((n) => nameProblem(n, listed) !== undefined);
  if (odd !== undefined) throw new ParanomError('USAGE', `entities.source ${f.source.file}: ${JSON.stringify(odd)}: ${nameProblem(odd, listed)!}`, { file: f.source.file });
  const dup = names.slice(f.count, count).find((n) => added.has(n) || !added.add(n));
  if (dup !== undefined) throw new ParanomError('USAGE', `entities.source ${f.source.file}: '${dup}' names two entities; entity names must be unique`, { file: f.source.file });
  return { ...s, entities: { ...f, count, names: names.slice(0, count), source: { file: f.source.file, sha256: createHash('sha256').update(bytes).digest('hex') } } };
}
