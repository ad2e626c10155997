/**
 * Generation order. Variables are generated in declared order, except that a callback's
 * `after: [names]` moves it after the variables it names: the order is the stable
 * topological sort in which, among variables whose dependencies are done, the earliest
 * declared goes first. A callback sees the values of every variable generated before it.
 * Output columns keep the declared order whatever the generation order.
 */
import { Checker, join, noSuchVariable } from '../model/checker.js';
import type { Variable } from '../model/types.js';

function dependencies(v: Variable): readonly string[] {
  return v.type === 'callback' ? v.after : [];
}

/** The variables in generation order (the input must be free of cycles; validation ensures it). */
export function generationOrder(variables: readonly Variable[]): Variable[] {
  // Only callbacks wait for others: without them the order is the declared one (a fleet
  // orders its variables again for every entity).
  if (!variables.some((v) => v.type === 'callback')) return variables.slice();
  const index = new Map(variables.map((v, i) => [v.name, i]));
  const done = new Uint8Array(variables.length);
  const out: Variable[] = [];
  while (out.length < variables.length) {
    const next = variables.findIndex((v, i) => !done[i] && dependencies(v).every((d) => done[index.get(d) ?? -1] === 1 || !index.has(d)));
    if (next < 0) throw new Error('unreachable: dependency cycle in a validated scenario');
    done[next] = 1;
    out.push(variables[next]!);
  }
  return out;
}

/** Reports `after:` entries naming unknown variables or the variable itself, and cycles. */
export function checkDependencies(c: Checker, variables: readonly Variable[], declared: readonly string[]): void {
  const byName = new Map(variables.map((v) => [v.name, v]));
  for (const v of variables) {
    dependencies(v).forEach((d, i) => {
      const p = join(join(join('variables', v.name), 'after'), i);
      if (d === v.name) c.fail(p, 'a variable cannot be generated after itself');
      else if (!declared.includes(d)) c.fail(p, noSuchVariable(d, declared));
    });
  }
  // Depth-first search for a cycle through `after:` edges; report each cycle once.
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string): void => {
    state.set(name, 1);
    stack.push(name);
    for (const d of dependencies(byName.get(name)!)) {
      if (d === name || !byName.has(d)) continue;
      if (state.get(d) === 1) {
        const cycle = [...stack.slice(stack.indexOf(d)), d];
        const id = [...cycle.slice(0, -1)].sort().join(',');
        if (!reported.has(id)) {
          reported.add(id);
          c.fail(join(join('variables', d), 'after'), `dependency cycle: ${cycle.join(' → ')} (each is generated after the next); remove one of these 'after' entries`);
        }
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(name, 2);
  };
  for (const v of variables) if (!state.has(v.name)) visit(v.name);
}
