/**
 * `grow`: a complete dataset extended to more rows and, for a fleet, more entities, under
 * its directory's lock; the checks that it can grow, then a `generate` run of the grown
 * scenario that keeps the dataset's complete shards.
 */
import { ParanomError } from '../errors.js';
import { withOverrides } from '../reader/load.js';
import { partLabel } from '../plan/parts.js';
import { checkCoverage, readManifest, requireFormatVersion, shardPlanOf, refuseSplitGrowth } from '../dataset/manifest.js';
import { checkInputs } from '../variables/inputs.js';
import { withEntityCount } from '../fleet/grow.js';
import { generateLocked } from './generate.js';
import type { GenerateOptions, GenerateResult } from './generate-options.js';
import { lockedRun } from './locked-run.js';
import { checkRunCounts } from './run-counts.js';

/** What `grow` adds: rows per series, and for a fleet entities too (at least one grows). */
export interface GrowTarget {
  rows?: number | undefined;
  entities?: number | undefined;
}

/**
 * `grow`: extends a complete dataset to more rows (per entity, for a fleet) and, for a
 * fleet, more entities. A one-series dataset keeps its complete shards; a fleet keeps every
 * shard file as it is and only adds shards (plan/fleet.ts).
 */
/** A count as the run report writes it (12,000). */
const n = (x: number): string => x.toLocaleString('en-US');

export async function grow(out: string, target: number | GrowTarget, options: Omit<GenerateOptions, 'out' | 'rows' | 'seed' | 'format' | 'compression' | 'shardRows' | 'part'> = {}): Promise<GenerateResult> {
  checkRunCounts(options);
  const want: GrowTarget = typeof target === 'number' ? { rows: target } : target;
  refuseSplitGrowth(out);
  readManifest(out);
  return lockedRun(out, null, 'grow', async () => {
    const m = readManifest(out);
    requireFormatVersion(out, m, 'grow');
    checkCoverage(out, m);
    if (m.part) throw new ParanomError('USAGE', `${out} holds one part (${partLabel(m.part)}); merge the parts first`);
    refuseSplitGrowth(out);
    const timelineRows = m.scenario.timeline.rows;
    const rows = want.rows ?? timelineRows;
    const fleet = m.scenario.entities;
    if (want.entities !== undefined && !fleet) throw new ParanomError('USAGE', `${out} holds one series (its scenario has no entities); --entities grows fleets only`);
    if (!m.growth_stable) {
      // generate has no --entities: more entities are a scenario with more of them.
      const again = want.entities === undefined ? `generate it again with --rows ${rows}` : `generate it again from its scenario with ${want.entities} entities${want.rows === undefined ? '' : ` and --rows ${rows}`}`;
      throw new ParanomError('USAGE', `${out} was generated with anomalies.count (or anomalies.outages.count), which places events over the whole timeline; it cannot grow with its rows unchanged — ${again}`);
    }
    const count = want.entities ?? fleet?.count ?? 1;
    // A grow to this very size, killed after its commit and just completed, or run again
    // after it succeeded (a pipeline's rerun): a run over the grown dataset keeps every shard.
    const same = rows === timelineRows && count === (fleet?.count ?? 1);
    if (!same && (!Number.isSafeInteger(rows) || rows < timelineRows || (rows === timelineRows && !(fleet && count > fleet.count)))) {
      throw new ParanomError('USAGE', fleet ? `grow needs at least ${n(timelineRows)} rows per entity (--rows) and ${n(fleet.count)} entities (--entities); got ${n(rows)} rows, ${n(count)} entities` : `grow needs at least the rows the dataset has (${n(timelineRows)}), got ${n(rows)}`);
    }
    if (fleet && (!Number.isSafeInteger(count) || count < fleet.count)) throw new ParanomError('USAGE', `--entities ${n(count)}: a fleet only grows (it has ${n(fleet.count)} entities)`);
    checkInputs(m.scenario);
    const scenario = withOverrides(fleet ? withEntityCount(m.scenario, count, out) : m.scenario, { rows });
    const grownFrom = fleet ? { entities: fleet.count, rows: timelineRows, shards: m.shards.map(shardPlanOf) } : undefined;
    return generateLocked(scenario, { ...options, out, rows, format: m.format, ...(m.compression ? { compression: m.compression } : {}), shardRows: m.shard_rows }, 'grow', grownFrom);
  });
}
