/**
 * Validation of `type: callback` variables: a module (JS or TS, relative to the scenario),
 * the names of its exports for normal and anomalous rows, the column type, and the
 * variables it is generated after. Whether the exports exist is checked when the module
 * is loaded (validation is synchronous; importing is not).
 */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { Checker, checkNameList, describe, join } from '../model/checker.js';
import { DTYPES, type CallbackVariable, type DType } from '../model/types.js';
import type { VariableInput } from './kind.js';
import { recordedPath } from '../model/input-path.js';
import { localImports } from './callback-imports.js';
import { fileSha256 } from '../input/file-hash.js';

/** Extensions a callback module may have; TypeScript ones are transpiled when loaded. */
const CALLBACK_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

const EXPORT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Checks a scenario-relative file entry: a non-empty string naming an existing regular
 * file. Returns the name to record (relative to the scenario) and the absolute path.
 */
export function checkFileName(c: Checker, raw: unknown, path: string, input: VariableInput, extensions: readonly string[]): { file: string; abs: string } | undefined {
  if (typeof raw !== 'string' || raw.length === 0) return c.fail(path, `expected a file path (relative to the scenario), got ${describe(raw)}`);
  const ext = extname(raw).toLowerCase();
  if (!extensions.includes(ext)) return c.fail(path, `'${raw}' must end in one of: ${extensions.join(', ')}`);
  const abs = input.resolveFile(raw);
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    return c.fail(path, `no such file: '${raw}' (looked for ${abs})`);
  }
  if (!isFile) return c.fail(path, `'${raw}' is not a file`);
  return { file: recordedPath(raw), abs };
}

/** A file entry (as checkFileName) with its content hash. */
export function checkFileEntry(c: Checker, raw: unknown, path: string, input: VariableInput, extensions: readonly string[]): { file: string; abs: string; sha256: string } | undefined {
  const entry = checkFileName(c, raw, path, input, extensions);
  if (!entry) return undefined;
  try {
    return { ...entry, sha256: fileSha256(entry.abs) };
  } catch (err) {
    return c.fail(path, `'${String(raw)}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function checkExportName(c: Checker, raw: unknown, path: string): string | undefined {
  if (typeof raw !== 'string' || !EXPORT_RE.test(raw)) return c.fail(path, `expected the name of a function the module exports, got ${describe(raw)}`);
  return raw;
}


/** Validates a callback entry (the module's exports are checked when it is loaded). */
export function validateCallback(c: Checker, input: VariableInput): CallbackVariable | undefined {
  const { name, stream, path, raw: o } = input;
  const mod = o['module'] === undefined ? c.fail(join(path, 'module'), 'required: the file exporting the callbacks, such as ./flow.js') : checkFileEntry(c, o['module'], join(path, 'module'), input, CALLBACK_EXTENSIONS);
  const normal = o['normal'] === undefined ? c.fail(join(path, 'normal'), 'required: the name of the exported function for normal rows') : checkExportName(c, o['normal'], join(path, 'normal'));
  const anomalous = o['anomalous'] === undefined ? null : checkExportName(c, o['anomalous'], join(path, 'anomalous'));
  const after = checkNameList(c, o['after'], join(path, 'after'));
  let dtype: DType = 'float64';
  if (o['dtype'] !== undefined) {
    if (!(DTYPES as readonly unknown[]).includes(o['dtype'])) return c.fail(join(path, 'dtype'), `unknown column type ${describe(o['dtype'])}; expected one of: ${DTYPES.join(', ')}`);
    dtype = o['dtype'] as DType;
  }
  let categories: string[] | null = null;
  if (dtype === 'string') {
    const values = o['values'];
    if (!Array.isArray(values) || values.length === 0 || !values.every((x) => typeof x === 'string')) {
      return c.fail(join(path, 'values'), `a string callback declares the strings it may return (the column's dictionary): expected a non-empty list of strings, got ${describe(values)}`);
    }
    if (new Set(values).size !== values.length) return c.fail(join(path, 'values'), 'holds a value twice');
    categories = values as string[];
  } else if (o['values'] !== undefined) {
    return c.fail(join(path, 'values'), `only string callbacks declare values; this one is ${dtype}`);
  }
  if (!mod || !normal || anomalous === undefined || !after) return undefined;
  const imports = localImports(mod.abs, mod.file);
  return { name, type: 'callback', dtype, stream, module: mod.file, moduleSha256: mod.sha256, ...(imports.length > 0 ? { imports } : {}), normal, anomalous, after, categories };
}
