/**
 * The validation toolkit: a Checker collects every issue with its path instead of stopping
 * at the first, so `paranom validate` can report them all at once.
 */
import type { ScenarioIssue } from '../errors.js';

export type Obj = Record<string, unknown>;

export class Checker {
  readonly issues: ScenarioIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(v: unknown, path: string): Obj | undefined {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      return this.fail(path, `expected a mapping, got ${describe(v)}`);
    }
    return v as Obj;
  }

  /**
   * Reports keys outside `allowed` (typos are the commonest scenario mistake). `aliases`
   * names the key meant by a word other tools use for it (`rate` for `frequency`), which
   * no edit distance would find.
   */
  keys(o: Obj, path: string, allowed: readonly string[], aliases: Readonly<Record<string, string>> = {}): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        const meant = Object.hasOwn(aliases, k) ? ` (did you mean '${aliases[k]}'?)` : didYouMean(k, allowed);
        this.fail(join(path, k), `unknown key${meant}; expected one of: ${allowed.join(', ')}`);
      }
    }
  }

  number(v: unknown, path: string, rule: { gt?: number; ge?: number; le?: number; lt?: number; integer?: boolean } = {}): number | undefined {
    if (v === undefined) return this.fail(path, 'required');
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, `expected a finite number, got ${describe(v)}`);
    if (rule.integer && !Number.isInteger(v)) return this.fail(path, `must be an integer, got ${v}`);
    if (rule.gt !== undefined && !(v > rule.gt)) return this.fail(path, `must be > ${rule.gt}, got ${v}`);
    if (rule.ge !== undefined && !(v >= rule.ge)) return this.fail(path, `must be >= ${rule.ge}, got ${v}`);
    if (rule.lt !== undefined && !(v < rule.lt)) return this.fail(path, `must be < ${rule.lt}, got ${v}`);
    if (rule.le !== undefined && !(v <= rule.le)) return this.fail(path, `must be <= ${rule.le}, got ${v}`);
    // Past 2^53 the file's digits were already rounded when read (9007199254740993 reads as …992): say so, not "an integer".
    if (rule.integer && !Number.isSafeInteger(v)) return this.fail(path, `must be an integer from -(2^53 - 1) to 2^53 - 1, the integers a number holds exactly, got ${v}`);
    return v;
  }

  string(v: unknown, path: string): string | undefined {
    if (v === undefined) return this.fail(path, 'required');
    if (typeof v !== 'string' || v.length === 0) return this.fail(path, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  return `${typeof v} ${String(v)}`;
}

/** ` (did you mean 'x'?)` when `word` is a string within two edits of an option, else ''. */
function didYouMean(word: unknown, options: readonly string[]): string {
  const hint = typeof word === 'string' ? closest(word, options) : undefined;
  return hint ? ` (did you mean '${hint}'?)` : '';
}

/**
 * The message for a value that must be one of `options`: `required` when absent, else
 * `unknown <what> <value>`, a suggestion when one is close, and the choices.
 */
export function unknownChoice(what: string, value: unknown, options: readonly string[]): string {
  return `${value === undefined ? 'required' : `unknown ${what} ${describe(value)}`}${didYouMean(value, options)}; expected one of: ${options.join(', ')}`;
}

/** A variable name that is not declared: `no variable named 'x'`, with a suggestion. */
export function noSuchVariable(name: string, declared: readonly string[]): string {
  return `no variable named '${name}'${didYouMean(name, declared)}`;
}

export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      best = o;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** A name or list of names (`after: x` or `after: [x, y]`). */
export function checkNameList(c: Checker, raw: unknown, path: string): string[] | undefined {
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.length > 0)) {
    return c.fail(path, `expected a variable name or a list of names, got ${describe(raw)}`);
  }
  if (new Set(list).size !== list.length) return c.fail(path, 'names a variable twice');
  return list as string[];
}
