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
export function namesSha256(names: readonly string[]): string {
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

/**
 * What differs between the run that wrote `old` and this one, each in a phrase naming it
 * (`oldNames`: the old fleet's names, when a manifest records them).
 */
export function differences(old: RunIdentity, now: RunIdentity, names: readonly string[] | null, oldNames?: readonly string[] | null): string[] {
  const out: string[] = [];
  if (old.format_version !== now.format_version) out.push(old.format_version === undefined ? `written by an earlier paranom that did not record its data-format version; this one writes version ${FORMAT_VERSION}` : `written in data-format version ${old.format_version}, this paranom writes version ${FORMAT_VERSION}`);
  if (old.seed !== now.seed) out.push(`seed ${old.seed} there, ${now.seed} now`);
  if (old.format !== now.format || old.compression !== now.compression) out.push(`format ${old.format}${old.compression ? `/${old.compression}` : ''} there, ${now.format}${now.compression ? `/${now.compression}` : ''} now`);
  if (old.shard_rows !== now.shard_rows) out.push(`${old.shard_rows} rows per shard there, ${now.shard_rows} now`);
  const before = old.inputs ?? {};
  const after = now.inputs ?? {};
  for (const [what, sha] of Object.entries(after)) {
    const was = before[what];
    if (was !== undefined && was !== sha) out.push(`${what} changed (SHA-256 ${was.slice(0, 12)}… there, ${sha.slice(0, 12)}… now)`);
  }
  if (!sameNames(old, names)) out.push(namesDiffer(old, names, oldNames));
  if (old.rows !== now.rows && !(old.growth_stable && now.growth_stable)) out.push(`${old.rows} rows there, ${now.rows} now, and anomalies.count places events over the whole timeline`);
  if (out.length === 0 && old.scenario_hash !== now.scenario_hash) out.push(`the scenario changed (hash ${old.scenario_hash.slice(0, 12)}… there, ${now.scenario_hash.slice(0, 12)}… now)`);
  return out;
}

function namesDiffer(old: RunIdentity, names: readonly string[] | null, oldNames?: readonly string[] | null): string {
  if (!old.entity_names) return 'its entities are counted (an integer key), the scenario now names them';
  if (!names) return 'its entities are named, the scenario now counts them (an integer key)';
  if (oldNames) {
    const i = oldNames.findIndex((n, k) => names[k] !== n);
    if (i >= 0) return i < names.length ? `entity ${i} is '${oldNames[i]}' there, '${names[i]}' now` : `it has ${oldNames.length} named entities, the scenario now names ${names.length}`;
  }
  return old.entity_names.count > names.length ? `it has ${old.entity_names.count} named entities, the scenario now names ${names.length}` : 'the entity names changed';
}
