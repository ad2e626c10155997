/**
 * The clean twin (`--with-clean`, or `anomalies.clean_twin: true`): beside each variable
 * that anomalies can change, a column `<name>_clean` holding the value the same row takes
 * when the scenario has no anomalies at all — no events, so no anomalous definitions, no
 * kinds, and callbacks see `event: null` and clean values of earlier variables. Rows and
 * files stay one dataset; the twin columns come after the variables, before the labels.
 *
 * A variable has a twin when anomalies can reach it: it has an `anomalous` definition, a
 * kind targets it, or it is a callback (it sees the event) or a vae variable (it decodes
 * outlier windows at events).
 */
import { ParanomError } from '../../errors.js';
import type { ValueColumn } from '../../columns/columns.js';
import type { Scenario, Variable } from '../../model/types.js';

export const CLEAN_SUFFIX = '_clean';

/**
 * The variables that get a clean twin. In a fleet, the targets of `anomalies.outages` too:
 * an outage moves them after their rows are generated, so their twin is their value before.
 */
export function twinnedVariables(s: Scenario): Variable[] {
  const a = s.anomalies;
  const targets = new Set([...(a.mode !== 'none' && a.kinds ? a.kinds.flatMap((k) => k.variables) : []), ...(s.entities?.outages?.variables ?? [])]);
  return s.variables.filter((v) => v.anomalous !== null || targets.has(v.name) || v.type === 'callback' || v.type === 'vae');
}

/** Names a twin would take that a variable already has. */
export function twinNameClashes(s: Scenario): string[] {
  const names = new Set(s.variables.map((v) => v.name));
  return twinnedVariables(s).map((v) => v.name + CLEAN_SUFFIX).filter((n) => names.has(n));
}

/** The scenario with the clean twin switched on (what `--with-clean` does). */
export function withCleanTwin(s: Scenario): Scenario {
  const clash = twinNameClashes({ ...s, anomalies: { ...s.anomalies, cleanTwin: true } });
  if (clash.length > 0) throw new ParanomError('USAGE', `--with-clean would write column${clash.length > 1 ? 's' : ''} ${clash.join(', ')}, which the scenario already has as variable${clash.length > 1 ? 's' : ''}; rename them`);
  return { ...s, anomalies: { ...s.anomalies, cleanTwin: true } };
}

/** The scenario without its clean twin (one-row evaluations need only the values). */
export function withoutCleanTwin(s: Scenario): Scenario {
  if (!s.anomalies.cleanTwin) return s;
  const { cleanTwin: _, ...anomalies } = s.anomalies;
  return { ...s, anomalies };
}

/** The scenario with no anomalies at all (what the clean twin holds), without the twin itself. */
export function withoutAnomalies(s: Scenario): Scenario {
  return { ...s, anomalies: { mode: 'none' } };
}

/**
 * The twin columns of rows [rowStart, rowEnd): `generateClean` generates those rows of a
 * scenario (the same one without anomalies).
 */
export function cleanTwinColumns(s: Scenario, generateClean: (clean: Scenario) => { values: ValueColumn[] }): ValueColumn[] {
  if (!s.anomalies.cleanTwin) return [];
  const twinned = new Set(twinnedVariables(s).map((v) => v.name));
  if (twinned.size === 0) return [];
  return generateClean(withoutAnomalies(s))
    .values.filter((c) => twinned.has(c.name))
    .map((c) => ({ ...c, name: c.name + CLEAN_SUFFIX }));
}
