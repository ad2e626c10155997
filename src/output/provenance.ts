/**
 * Provenance facts (D5): what every manifest and every Parquet file records. Nothing here
 * may depend on the clock, the host or the layout beyond the shard's own row range.
 */
import { createHash } from 'node:crypto';
import { FORMAT_VERSION, BLOCK_ROWS } from '../format.js';
import { PRNG_ID } from '../random/philox.js';
import { ENGINE_VERSION } from '../version.js';
import type { Scenario } from '../scenario/types.js';

/** JSON with sorted keys, so equal objects serialise to equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The scenario without its row count: growing a dataset keeps its scenario hash. */
export function scenarioIdentity(s: Scenario): unknown {
  return { ...s, timeline: { ...s.timeline, rows: undefined } };
}

export function scenarioHash(s: Scenario): string {
  return createHash('sha256').update(canonicalJson(scenarioIdentity(s))).digest('hex');
}

/** Key-value metadata stored in each Parquet shard. */
export function shardMetadata(s: Scenario, shard: { index: number; rowStart: number; rowEnd: number }): Map<string, string> {
  return new Map([
    ['paranom.format_version', String(FORMAT_VERSION)],
    ['paranom.engine_version', ENGINE_VERSION],
    ['paranom.prng', PRNG_ID],
    ['paranom.block_rows', String(BLOCK_ROWS)],
    ['paranom.scenario_hash', scenarioHash(s)],
    ['paranom.seed', String(s.seed)],
    ['paranom.shard_index', String(shard.index)],
    ['paranom.row_start', String(shard.rowStart)],
    ['paranom.row_end', String(shard.rowEnd)],
    ['paranom.scenario', canonicalJson(scenarioIdentity(s))],
  ]);
}
