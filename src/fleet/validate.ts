/**
 * Validation of `entities:` — how many series a fleet has, what names them, in which row
 * order they are written. Every problem is reported with its path (`entities.count`, ...).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Checker, describe, unknownChoice } from '../model/checker.js';
import { inputPath, recordedPath } from '../model/input-path.js';
import { ENTITY_ORDERS, MAX_ENTITIES, type Entities, type EntityOrder } from '../model/entities.js';

const ENTITY_KEYS = ['count', 'names', 'source', 'key', 'order'] as const;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names of a `source` file: one per line, blank lines and surrounding spaces ignored. */
export function namesOfText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/**
 * Why `name` cannot name an entity, or undefined: a name is written to the key column and
 * printed in messages, so it is text without control characters (nor the replacement
 * character that stands for bytes that were not UTF-8). With outages (`listed`), the segment
 * table lists the entities each outage hits separated by commas, so a name holds none.
 */
export function nameProblem(name: string, listed = false): string | undefined {
  const control = /[\p{Cc}\uFFFD]/u.exec(name);
  if (control) return `the name holds the character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}; entity names are text without control characters`;
  if (listed && name.includes(',')) return "the name holds a comma, but the segment table lists the entities each outage hits separated by commas (its 'entities' column), where this name would read as two; rename it";
  return undefined;
}

function checkNames(c: Checker, names: unknown[], path: string, where: (i: number) => string, listed: boolean): string[] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (typeof n !== 'string' && typeof n !== 'number') return c.fail(path, `${where(i)}: expected a name (a string), got ${describe(n)}`);
    const s = String(n);
    const bad = nameProblem(s, listed);
    if (bad) return c.fail(path, `${where(i)}: ${bad}`);
    const first = seen.get(s);
    if (first !== undefined) return c.fail(path, `${where(i)}: '${s}' names two entities (also ${where(first)}); entity names must be unique`);
    seen.set(s, i);
  }
  if (names.length > MAX_ENTITIES) return c.fail(path, `at most ${MAX_ENTITIES} entities, got ${names.length}`);
  return names.map(String);
}

/**
 * Checks `entities:`. `taken` holds the column names already in use (variables and the
 * engine's own), which the key may not take; `baseDir` resolves a `source` file; `listed`:
 * the scenario has outages, whose segment rows list entity names (see nameProblem).
 */
export function checkEntities(c: Checker, raw: unknown, taken: readonly string[], baseDir: string, listed = false): Omit<Entities, 'params'> | undefined {
  const o = c.object(raw, 'entities');
  if (!o) return undefined;
  c.keys(o, 'entities', ENTITY_KEYS);
  const given = (['count', 'names', 'source'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    return c.fail('entities', given.length === 0 ? "give 'count' (entities keyed 0, 1, 2, ...), 'names' (a list) or 'source' (a file of names, one per line)" : `give only one of 'count', 'names' and 'source', got ${given.join(' and ')}`);
  }
  const key = o['key'] === undefined ? 'entity' : c.string(o['key'], 'entities.key');
  if (key !== undefined) {
    if (!NAME_RE.test(key)) c.fail('entities.key', `must start with an ASCII letter (A–Z, a–z) or _ and hold only those, digits and _, got '${key}'`);
    const clash = taken.find((t) => t.toLowerCase() === key.toLowerCase());
    if (clash) c.fail('entities.key', `'${key}' is already the column '${clash}' (readers such as DuckDB ignore case); choose another key name`);
  }
  const order = o['order'] === undefined ? 'entity_time' : ENTITY_ORDERS.includes(o['order'] as EntityOrder) ? (o['order'] as EntityOrder) : c.fail('entities.order', unknownChoice('order', o['order'], ENTITY_ORDERS));
  let count: number | undefined;
  let names: string[] | null = null;
  let source: Entities['source'];
  if (o['count'] !== undefined) {
    count = c.number(o['count'], 'entities.count', { integer: true, ge: 1, le: MAX_ENTITIES });
  } else if (o['names'] !== undefined) {
    const list = o['names'];
    if (!Array.isArray(list) || list.length === 0) return c.fail('entities.names', `expected a non-empty list of names, got ${describe(list)}`);
    names = checkNames(c, list, 'entities.names', (i) => `entry ${i}`, listed) ?? null;
    count = names?.length;
  } else {
    const file = c.string(o['source'], 'entities.source');
    if (file === undefined) return undefined;
    const abs = inputPath(baseDir, file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(abs);
    } catch (err) {
      return c.fail('entities.source', `cannot read ${abs} (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected a text file of entity names, one per line`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return c.fail('entities.source', `${file} is not UTF-8 text; expected a text file of entity names, one per line`);
    }
    const list = namesOfText(text);
    if (list.length === 0) return c.fail('entities.source', `${file} holds no names; expected one entity name per line`);
    names = checkNames(c, list, 'entities.source', (i) => `${file} line ${i + 1} (of the non-blank lines)`, listed) ?? null;
    count = names?.length;
    source = { file: recordedPath(file), sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  if (key === undefined || order === undefined || count === undefined || (o['count'] === undefined && names === null)) return undefined;
  return { key, count, names, ...(source ? { source } : {}), order };
}
