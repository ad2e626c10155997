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

/** What decides the twin columns: the anomalies, the variables, a fleet's key and outage targets. */
export interface TwinSource {
  anomalies: Scenario['anomalies'];
  variables: readonly Variable[];
  entities?: { key: string; outages?: { variables: readonly string[] } | undefined } | undefined;
}

/**
 * The variables that get a clean twin. In a fleet, the targets of `anomalies.outages` too:
 * an outage moves them after their rows are generated, so their twin is their value before.
 */
export function twinnedVariables(s: TwinSource): Variable[] {
  const a = s.anomalies;
  const targets = new Set([...(a.mode !== 'none' && a.kinds ? a.kinds.flatMap((k) => k.variables) : []), ...(s.entities?.outages?.variables ?? [])]);
  return s.variables.filter((v) => v.anomalous !== null || targets.has(v.name) || v.type === 'callback' || v.type === 'vae');
}

/**
 * Twin columns that would take a name already used, ignoring case as readers such as DuckDB
 * do: `twin` clashes with the variable or fleet key `column`.
 */
export function twinNameClashes(s: TwinSource): { twin: string; column: string }[] {
  const taken = new Map(s.variables.map((v) => [v.name.toLowerCase(), v.name]));
  if (s.entities) taken.set(s.entities.key.toLowerCase(), s.entities.key);
  const clashes: { twin: string; column: string }[] = [];
  for (const v of twinnedVariables(s)) {
    const twin = v.name + CLEAN_SUFFIX;
    const column = taken.get(twin.toLowerCase());
    if (column !== undefined) clashes.push({ twin, column });
  }
  return clashes;
}

/** The message for twin names that clash: each twin with the column it would collide with. */
export function twinClashMessage(clashes: readonly { twin: string; column: string }[], by: string): string {
  const list = clashes.map((c) => (c.twin === c.column ? c.twin : `${c.twin} (as '${c.column}')`)).join(', ');
  return `${by} would write ${list}, already ${clashes.length > 1 ? 'columns' : 'a column'} of the scenario (a variable or the entity key; readers such as DuckDB ignore case); rename ${clashes.length > 1 ? 'them' : 'it'}`;
}

/** The scenario with the clean twin switched on (what `--with-clean` does). */
export function withCleanTwin(s: Scenario): Scenario {
  const clash = twinNameClashes({ ...s, anomalies: { ...s.anomalies, cleanTwin: true } });
  if (clash.length > 0) throw new ParanomError('USAGE', twinClashMessage(clash, '--with-clean'));
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
