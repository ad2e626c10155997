/** Validation of the `uniqueness` block: which variables form the datum, and each class's mode and tries. */
import { Checker, describe, join, noSuchVariable } from '../model/checker.js';
import type { ClassUniqueness, Uniqueness, Variable } from '../model/types.js';
import { MAX_ATTEMPTS } from '../random/counter.js';
import { generationOrder } from '../variables/callback-order.js';

const MODES = ['none', 'soft', 'hard'] as const;

/** Kinds whose values can be redrawn per attempt (the key of a retried row must change). */
function retryable(v: Variable): boolean {
  return v.type === 'stochastic';
}

function checkClass(c: Checker, raw: unknown, path: string): ClassUniqueness | undefined {
  if (raw === undefined) return { mode: 'none', tries: 1 };
  const o = c.object(raw, path);
  if (!o) return undefined;
  c.keys(o, path, ['mode', 'tries']);
  const mode = o['mode'] ?? 'none';
  if (!(MODES as readonly unknown[]).includes(mode)) return c.fail(join(path, 'mode'), `expected one of: ${MODES.join(', ')}, got ${describe(mode)}`);
  const tries = o['tries'] === undefined ? 10 : c.number(o['tries'], join(path, 'tries'), { integer: true, ge: 1, le: MAX_ATTEMPTS });
  if (tries === undefined) return undefined;
  return { mode: mode as ClassUniqueness['mode'], tries };
}

/** Returns null when no class asks for uniqueness; undefined when the block is invalid. */
export function checkUniqueness(c: Checker, raw: unknown, variables: readonly Variable[], declared: readonly string[] = variables.map((v) => v.name)): Uniqueness | null | undefined {
  if (raw === undefined || raw === null) return null;
  const o = c.object(raw, 'uniqueness');
  if (!o) return undefined;
  c.keys(o, 'uniqueness', ['key', 'normal', 'anomalous']);
  const normal = checkClass(c, o['normal'], 'uniqueness.normal');
  const anomalous = checkClass(c, o['anomalous'], 'uniqueness.anomalous');
  let key: string[];
  if (o['key'] === undefined) {
    key = variables.filter(retryable).map((v) => v.name);
    if (key.length === 0) return c.fail('uniqueness', 'no variable can form the key (only stochastic variables are redrawn on retry)');
  } else {
    const k = o['key'];
    const list = typeof k === 'string' ? [k] : k;
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string')) {
      return c.fail('uniqueness.key', `expected a variable name or a non-empty list of names, got ${describe(k)}`);
    }
    const names = new Set(list as string[]);
    if (names.size !== list.length) return c.fail('uniqueness.key', 'must not name a variable twice');
    for (const [i, n] of (list as string[]).entries()) {
      const v = variables.find((x) => x.name === n);
      if (!v) {
        // An invalid variable was reported already; only name truly unknown ones here.
        if (!declared.includes(n)) c.fail(join('uniqueness.key', i), noSuchVariable(n, declared));
      } else if (!retryable(v)) {
        c.fail(join('uniqueness.key', i), `'${n}' is a ${v.type} variable; only stochastic variables are redrawn on retry`);
      }
    }
    // Key order follows the declared variable order, so reordering the list changes nothing.
    key = variables.filter((v) => names.has(v.name)).map((v) => v.name);
  }
  if (!normal || !anomalous) return undefined;
  if (normal.mode === 'none' && anomalous.mode === 'none') return null;
  return { key, normal, anomalous };
}

/**
 * Why `label: changed` cannot run beside this uniqueness, or undefined when it can. Events are
 * measured on attempt-0 values (generate/event-outcome.ts), before uniqueness redraws keys;
 * the measurement is exact only when no measured value depends on a key's attempt: no key
 * variable has an anomalous definition of its own (events change no key: kinds and outages on
 * keys are refused), and no callback generated after a key variable could read it.
 */
export function measuredBesideUniqueness(u: Uniqueness, variables: readonly Variable[]): string | undefined {
  const keys = variables.filter((v) => u.key.includes(v.name));
  const own = keys.find((v) => v.anomalous !== null && v.anomalous !== undefined);
  if (own) return `'${own.name}', part of the uniqueness key, has an anomalous definition of its own, and events are measured before uniqueness redraws keys: remove one of them`;
  const order = generationOrder(variables);
  const firstKey = order.findIndex((v) => u.key.includes(v.name));
  const reader = order.slice(firstKey + 1).find((v) => v.type === 'callback');
  if (reader) return `callback '${reader.name}' is generated after '${order[firstKey]!.name}', part of the uniqueness key, and may read it, and events are measured before uniqueness redraws keys: declare it before the key variables, or remove one of them`;
  return undefined;
}

/**
 * Why `what` (kind events, outages) acting on `targets` would break uniqueness, or undefined:
 * keys are decided on generated values, before events change them.
 */
export function keyChangedBy(u: Uniqueness, what: string, targets: readonly string[]): string | undefined {
  const hit = targets.filter((v) => u.key.includes(v));
  if (hit.length === 0) return undefined;
  const one = hit.length === 1;
  return `${what} would change ${hit.join(', ')}, which ${one ? 'is' : 'are'} part of the uniqueness key; exclude ${one ? 'it' : 'them'} with variables: [...]`;
}
