/**
 * Provenance facts (D5): what every manifest and every Parquet file records. Nothing here
 * may depend on the clock, the host or the layout beyond the shard's own row range.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FORMAT_VERSION, BLOCK_ROWS } from '../format.js';
import { PRNG_ID } from '../random/philox.js';
import { ENGINE_VERSION } from '../version.js';
import type { Scenario } from '../model/types.js';

/** JSON with sorted keys, so equal objects serialise to equal bytes. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The scenario as a dataset records it: without the run-time folder its inputs resolve against (D5). */
export function recordedScenario(s: Scenario): Scenario {
  const { baseDir: _where, ...rest } = s;
  return rest;
}

/** The recorded scenario without its row count: growing a dataset keeps its scenario hash. */
function scenarioIdentity(s: Scenario): unknown {
  const { callbackTimeoutMs: _limit, allowNonFinite: _allow, ...r } = recordedScenario(s);
  // A fleet grows in entities as a timeline grows in rows: its size is not its identity.
  const fleet = r.entities ? { entities: { ...r.entities, count: undefined, names: undefined, source: r.entities.source ? { file: r.entities.source.file } : undefined } } : {};
  return { ...r, timeline: { ...r.timeline, rows: undefined }, ...fleet };
}

export function scenarioHash(s: Scenario): string {
  return createHash('sha256').update(canonicalJson(scenarioIdentity(s))).digest('hex');
}

/** The facts every manifest and every file of a dataset records (D5). */
export function engineFacts(s: Scenario) {
  return {
    format_version: FORMAT_VERSION,
    engine: 'paranom' as const,
    engine_version: ENGINE_VERSION,
    prng: PRNG_ID,
    block_rows: BLOCK_ROWS,
    scenario_hash: scenarioHash(s),
    seed: s.seed,
  };
}

/** What a file's provenance says of its place in the dataset. */
export interface FilePlace {
  index: number;
  rowStart: number;
  rowEnd: number;
  entityStart?: number;
  entityEnd?: number;
}

/**
 * The provenance facts of one file of a dataset (a shard, or the segment table). A fleet
 * shard records its rectangle, not its index: growth may insert shards before it in the
 * manifest, and its bytes must not change.
 */
export function provenance(s: Scenario, shard: FilePlace): Record<string, unknown> {
  return {
    ...engineFacts(s),
    shard: shard.entityStart !== undefined ? { entity_start: shard.entityStart, entity_end: shard.entityEnd, row_start: shard.rowStart, row_end: shard.rowEnd } : { index: shard.index, row_start: shard.rowStart, row_end: shard.rowEnd },
    scenario: scenarioIdentity(s),
  };
}

/** Key of the provenance entry in Parquet key-value metadata and Arrow schema metadata. */
const PROVENANCE_KEY = 'paranom';

/**
 * Key-value metadata stored in each file: one entry holding canonical JSON. A single key,
 * because parquet-wasm passes the map through a Rust HashMap whose iteration order varies
 * from call to call — several keys would make the file bytes non-deterministic (D5).
 */
export function shardMetadata(s: Scenario, shard: FilePlace): Map<string, string> {
  return new Map([[PROVENANCE_KEY, canonicalJson(provenance(s, shard))]]);
}

/**
 * True when `path` is a Parquet file whose footer carries paranom's provenance key: a file
 * paranom wrote, which it may replace. The key is stored as plain bytes in the footer.
 */
export function writtenByParanom(path: string): boolean {
  const size = statSync(path).size;
  if (size < 12) return false;
  const fd = openSync(path, 'r');
  try {
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') return false;
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 8 > size) return false;
    const footer = Buffer.alloc(footerLength);
    readSync(fd, footer, 0, footerLength, size - 8 - footerLength);
    return footer.includes(PROVENANCE_KEY);
  } finally {
    closeSync(fd);
  }
}
