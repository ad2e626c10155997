/** Every variable kind, by the `type` a scenario names it with. */
import { ParanomError } from '../errors.js';
import type { Scenario, Variable } from '../model/types.js';
import type { CompileContext, CompiledVariable, VariableKind } from './kind.js';
import { stochasticKind } from './stochastic.js';
import { vaeKind } from './vae.js';
import { idKind } from './id.js';
import { callbackKind } from './callback.js';
import { processKind } from './process.js';
import { sourceKind } from './source.js';
import { correlatedKind } from './correlated.js';
import { watchIdle, watchPhase, WATCH_LOADING } from './watch.js';
import { withLimits } from './limits.js';

export const VARIABLE_KINDS: Readonly<Record<string, VariableKind<any>>> = {
  stochastic: stochasticKind,
  id: idKind,
  callback: callbackKind,
  process: processKind,
  source: sourceKind,
  vae: vaeKind,
  correlated: correlatedKind,
};

export function compileVariable(v: Variable, ctx: CompileContext): CompiledVariable {
  const kind = VARIABLE_KINDS[v.type] as VariableKind<Variable> | undefined;
  if (!kind) throw new Error(`unreachable: unknown variable type ${v.type}`);
  const compiled = kind.compile(v, ctx);
  return v.limits ? withLimits(compiled, v.limits) : compiled;
}

/**
 * Refuses a timeline longer than some variable can fill (an id range too narrow), naming the
 * variable and what would fit. Called when planning, where the row count is final.
 */
export function checkRowCapacity(s: Scenario): void {
  const over = rowCapacityProblems(s, s.timeline.rows)[0];
  if (over) throw new ParanomError('ID_RANGE_EXHAUSTED', `variable '${over.variable}' ${over.message}`, { variable: over.variable, maxRows: over.maxRows, rows: s.timeline.rows });
}

/** Variables that cannot fill `rows` rows (validate reports them all; planning refuses the first). */
export function rowCapacityProblems(s: Pick<Scenario, 'variables'>, rows: number): Array<{ variable: string; maxRows: number; message: string }> {
  return s.variables.flatMap((v) => {
    const kind = VARIABLE_KINDS[v.type] as VariableKind<Variable> | undefined;
    const max = kind?.maxRows?.(v);
    if (max === undefined || rows <= max) return [];
    return [{ variable: v.name, maxRows: max, message: `can number at most ${max.toLocaleString('en-US')} rows, but the timeline has ${rows.toLocaleString('en-US')}; widen its range or generate fewer rows` }];
  });
}

/** Awaits every kind's `load` hook for the scenario's variables (a no-op for stochastic ones). */
export async function prepareScenario(s: Scenario): Promise<void> {
  for (const [i, v] of s.variables.entries()) {
    const kind = VARIABLE_KINDS[v.type] as VariableKind<Variable> | undefined;
    if (!kind?.load) continue;
    // A module whose top-level await never settles shows here as a load that never ends.
    // Only the user's code is watched: reading a large source file or model is paranom's
    // own work, and callback_timeout (30 s by default) is no bound on a file's size.
    if (v.type !== 'callback') {
      await kind.load(v, s);
      continue;
    }
    watchPhase(WATCH_LOADING, i);
    try {
      await kind.load(v, s);
    } finally {
      watchIdle();
    }
  }
}
