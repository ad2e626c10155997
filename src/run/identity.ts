/**
 * A run's identity: the facts that decide whether files an earlier run left in a directory
 * may be kept by this one, and — when they may not — what differs, said in the user's
 * terms. The scenario hash leaves out what growth changes (rows, a fleet's size and
 * names), so the identity adds what the hash cannot: the data-format version and the
 * names of a fleet's entities (the key column's bytes), checked as a prefix so that a
 * fleet grown by names appended to its `source` keeps its files.
 */
import { createHash } from 'node:crypto';
import { FORMAT_VERSION } from '../format.js';
import type { Scenario } from '../model/types.js';
import { scenarioHash } from '../dataset/provenance.js';
import { datasetRows, type Manifest, type ManifestIdentity } from '../dataset/manifest.js';
import { scenarioInputs } from '../variables/inputs.js';

/** The facts that decide whether existing shards can be reused by a run. */
export interface RunIdentity extends ManifestIdentity {
  /** Data-format version the files were written in (absent: written before it was recorded). */
  format_version?: number;
  /** A fleet with named entities: how many names, and the SHA-256 of their list. */
  entity_names?: { count: number; sha256: string };
  /** Each input file (callback module, source, VAE model) by what reads it: its SHA-256, to name one that changed. */
  inputs?: Record<string, string>;
}

/** SHA-256 of a list of entity names (JSON, so no name can run into the next). */
function namesSha256(names: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(names)).digest('hex');
}

function inputsOf(s: Scenario): Record<string, string> {
  return Object.fromEntries(scenarioInputs(s).map((i) => [`${i.what} ${i.file} (variable '${i.variable}')`, i.sha256]));
}

/** What a run of `s` records as its identity (first line of its journal; a manifest holds the same facts). */
export function runIdentity(s: Scenario, facts: Pick<ManifestIdentity, 'format' | 'compression' | 'shard_rows' | 'growth_stable'>): RunIdentity {
  const names = s.entities?.names;
  return {
    scenario_hash: scenarioHash(s),
    seed: s.seed,
    // As the manifest records it: a fleet's rows are all its entities' (datasetRows).
    rows: datasetRows(s),
    ...facts,
    format_version: FORMAT_VERSION,
    ...(names ? { entity_names: { count: names.length, sha256: namesSha256(names) } } : {}),
    inputs: inputsOf(s),
  };
}

/** The identity a manifest records. */
export function identityOf(m: Manifest): RunIdentity {
  const names = m.scenario.entities?.names;
  return {
    scenario_hash: m.scenario_hash,
    seed: m.seed,
    rows: m.rows,
    format: m.format,
    compression: m.compression,
    shard_rows: m.shard_rows,
    growth_stable: m.growth_stable,
    ...(typeof m.format_version === 'number' ? { format_version: m.format_version } : {}),
    ...(names ? { entity_names: { count: names.length, sha256: namesSha256(names) } } : {}),
    inputs: inputsOf(m.scenario),
  };
}

/** True when the entities `old` was written for are the first entities of `names` (same names, same order). */
function sameNames(old: RunIdentity, names: readonly string[] | null): boolean {
  if (!old.entity_names || !names) return !old.entity_names && !names;
  return old.entity_names.count <= names.length && old.entity_names.sha256 === namesSha256(names.slice(0, old.entity_names.count));
}

/**
 * Whether shards recorded under `old` may be reused by a run with identity `now` whose
 * fleet names `names` (null: no names).
 */
export function reusable(old: RunIdentity, now: RunIdentity, names: readonly string[] | null): boolean {
  const same =
    old.format_version === now.format_version &&
    old.scenario_hash === now.scenario_hash &&
    old.seed === now.seed &&
    old.format === now.format &&
    old.compression === now.compression &&
    old.shard_rows === now.shard_rows &&
    sameNames(old, names);
  // Count-mode datasets change everywhere when the row count does.
  return same && (old.rows === now.rows || (old.growth_stable && now.growth_stable));
}

/** How a phrase of `differences` names the two sides: by default the directory's files ("there") and this run ("now"). */
export interface Sides {
  there: string;
  now: string;
}

/**
 * What differs between the run that wrote `old` and this one, each in a phrase naming it
 * (`oldNames`: the old fleet's names, when a manifest records them; `sides`: how the two
 * are named, such as two part manifests' files).
 */
export function differences(old: RunIdentity, now: RunIdentity, names: readonly string[] | null, oldNames?: readonly string[] | null, sides: Sides = { there: 'there', now: 'now' }): string[] {
  const { there, now: here } = sides;
  const out: string[] = [];
  if (old.format_version !== now.format_version) out.push(old.format_version === undefined ? `written by an earlier paranom that did not record its data-format version; this one writes version ${FORMAT_VERSION}` : `written in data-format version ${old.format_version}, this paranom writes version ${FORMAT_VERSION}`);
  if (old.seed !== now.seed) out.push(`seed ${old.seed} ${there}, ${now.seed} ${here}`);
  if (old.format !== now.format || old.compression !== now.compression) out.push(`format ${old.format}${old.compression ? `/${old.compression}` : ''} ${there}, ${now.format}${now.compression ? `/${now.compression}` : ''} ${here}`);
  if (old.shard_rows !== now.shard_rows) out.push(`${old.shard_rows} rows per shard ${there}, ${now.shard_rows} ${here}`);
  const before = old.inputs ?? {};
  const after = now.inputs ?? {};
  for (const [what, sha] of Object.entries(after)) {
    const was = before[what];
    if (was !== undefined && was !== sha) out.push(`${what} changed (SHA-256 ${was.slice(0, 12)}… ${there}, ${sha.slice(0, 12)}… ${here})`);
  }
  if (!sameNames(old, names)) out.push(namesDiffer(old, names, oldNames, sides));
  if (old.rows !== now.rows && !(old.growth_stable && now.growth_stable)) out.push(`${old.rows} rows ${there}, ${now.rows} ${here}, and anomalies.count places events over the whole timeline`);
  if (out.length === 0 && old.scenario_hash !== now.scenario_hash) out.push(`the scenario changed (hash ${old.scenario_hash.slice(0, 12)}… ${there}, ${now.scenario_hash.slice(0, 12)}… ${here})`);
  return out;
}

function namesDiffer(old: RunIdentity, names: readonly string[] | null, oldNames: readonly string[] | null | undefined, { there, now }: Sides): string {
  if (!old.entity_names) return 'its entities are counted (an integer key), the scenario now names them';
  if (!names) return 'its entities are named, the scenario now counts them (an integer key)';
  if (oldNames) {
    const d = nameDifference(oldNames, names, { there, now });
    if (d) return d;
  }
  return old.entity_names.count > names.length ? `it has ${old.entity_names.count} named entities, the scenario now names ${names.length}` : 'the entity names changed';
}

/** The first entity whose name differs between two fleets' lists, in a phrase naming its index and both names; undefined when the lists are equal. */
export function nameDifference(a: readonly string[], b: readonly string[], { there, now }: Sides): string | undefined {
  const n = Math.max(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === n) return undefined;
  const counts = `(${a.length} named entities ${there}, ${b.length} ${now})`;
  if (i >= a.length) return `entity ${i} is '${b[i]}' ${now}, absent ${there} ${counts}`;
  if (i >= b.length) return `entity ${i} is '${a[i]}' ${there}, absent ${now} ${counts}`;
  return `entity ${i} is '${a[i]}' ${there}, '${b[i]}' ${now}`;
}
