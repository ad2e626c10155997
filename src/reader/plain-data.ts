/**
 * What a scenario may hold before validation looks at its meaning: text, and in it only
 * mappings, lists, strings, numbers, booleans and null. YAML can say more — `!!binary`,
 * `!!timestamp`, `!!set` and `!!omap` give bytes, dates, sets and maps, and a key named
 * `__proto__` means something to JavaScript objects — and each of those would reach the
 * validation as a value it misreads ("a mapping" with no keys). They are refused here,
 * by path, saying what was found.
 */
import type { ScenarioIssue } from '../errors.js';

/** The bytes of a scenario file as text, or why they are not UTF-8 text. */
export function scenarioText(bytes: Uint8Array): { text: string } | { problem: string } {
  // A byte-order mark, or ASCII text with every other byte zero (UTF-16 without a mark).
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) || (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0);
  if (utf16) return { problem: 'the file is UTF-16 text; save it as UTF-8' };
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: `the file is not text: a NUL byte at byte ${nul} (a scenario is YAML or JSON, UTF-8)` };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { problem: 'the file is not UTF-8 text (a scenario is YAML or JSON, UTF-8)' };
  }
}

function what(v: object): string | undefined {
  if (v instanceof Date) return 'a date (a !!timestamp value); write the instant as a string, such as "2024-01-01T00:00:00Z"';
  if (ArrayBuffer.isView(v)) return 'binary data (a !!binary value)';
  if (v instanceof Set) return 'a set (a !!set value); write a list';
  if (v instanceof Map) return 'a map with non-string keys (a !!omap or !!pairs value); write a mapping';
  return Object.getPrototypeOf(v) === Object.prototype || Array.isArray(v) ? undefined : 'a value of an unknown YAML tag';
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Issues for values that are not plain data, and for keys named `__proto__`, by path. */
export function plainDataIssues(data: unknown): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  // A stack, not recursion: a document nested thousands deep must not overflow the call stack.
  const todo: Array<[unknown, string]> = [[data, '']];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [v, path] = next;
    if (v === null || typeof v !== 'object') continue;
    const odd = what(v);
    if (odd) issues.push({ path, message: `expected a mapping, list, string, number, boolean or null, got ${odd}` });
    else if (Array.isArray(v)) v.forEach((x, i) => todo.push([x, join(path, i)]));
    else {
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__') issues.push({ path: join(path, k), message: "'__proto__' cannot be a key or a name in a scenario (JavaScript objects reserve it)" });
        else todo.push([x, join(path, k)]);
      }
    }
  }
  return issues;
}
