/**
 * Loading callback modules, once per thread: `load` (awaited by prepareScenario before any
 * shard) imports the module and checks its exports; `compile` then finds it here
 * synchronously. JavaScript modules are imported as they are; TypeScript modules through
 * the transpiling hooks of callback-ts-hooks.ts, registered on first use.
 */
import { hasPackage, missingPackage } from '../optional.js';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ParanomError } from '../errors.js';
import type { CallbackVariable, Scenario } from '../model/types.js';
import { inputPath } from '../model/input-path.js';
import { checkInputFile } from './input-check.js';

export type CallbackFunction = (ctx: unknown) => unknown;

const modules = new Map<string, Promise<Record<string, unknown>>>();
const loaded = new Map<string, Record<string, unknown>>();
let hooksRegistered = false;

/** Modules are known by name and content: the same bytes are the same callbacks. */
function moduleKey(v: CallbackVariable): string {
  return `${v.module}#${v.moduleSha256}`;
}

function isTypeScript(file: string): boolean {
  return /\.(c|m)?ts$/i.test(file);
}

/**
 * Registers the TypeScript hooks in this thread. When paranom itself runs from TypeScript
 * sources (vitest), the test runner already transpiles imports, so nothing is registered.
 */
function registerTypeScriptHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  if (import.meta.url.endsWith('.ts')) return;
  register('./callback-ts-hooks.js', import.meta.url);
}

async function importModule(v: CallbackVariable, abs: string): Promise<Record<string, unknown>> {
  checkInputFile(v.name, 'callback module', v.module, abs, v.moduleSha256);
  if (isTypeScript(v.module)) {
    if (!hasPackage('typescript')) throw missingPackage('typescript', `variable '${v.name}': the TypeScript callback module ${v.module}`);
    registerTypeScriptHooks();
  }
  // The content hash in the URL makes an edited module load afresh in a long-lived process.
  const url = `${pathToFileURL(abs).href}?sha256=${v.moduleSha256.slice(0, 16)}`;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { code?: string };
    const hint = e?.code === 'ERR_MODULE_NOT_FOUND' && /'typescript'/.test(e.message) ? " (TypeScript callback modules need the 'typescript' package installed)" : '';
    const problem = `cannot load callback module ${v.module}: ${e?.message ?? String(err)}${hint}`;
    const failure = new ParanomError('SCENARIO_INVALID', `variable '${v.name}': ${problem}`, { variable: v.name, module: v.module, issue: { path: `variables.${v.name}.module`, message: problem } });
    if (e?.stack) failure.stack = `${failure.name}: ${failure.message}\n  caused by: ${e.stack}`;
    throw failure;
  }
}

/**
 * What a module exports as `name`: its named export, or else (CommonJS) the property of
 * `module.exports`, which Node hands over as the default export. Node finds a CommonJS
 * module's named exports by reading its source, and misses some that are plainly there:
 * `module.exports = { f: (ctx) => … }` has no named export `f`.
 */
function exported(mod: Record<string, unknown>, name: string): unknown {
  if (mod[name] !== undefined) return mod[name];
  const cjs = mod['default'];
  return (typeof cjs === 'object' && cjs !== null) || typeof cjs === 'function' ? (Object.hasOwn(cjs, name) ? (cjs as Record<string, unknown>)[name] : undefined) : undefined;
}

/** The names `mod` exports functions under (a CommonJS module's `module.exports` properties too). */
function exportedFunctions(mod: Record<string, unknown>): string[] {
  const cjs = mod['default'];
  const names = new Set([...Object.keys(mod), ...((typeof cjs === 'object' && cjs !== null) || typeof cjs === 'function' ? Object.keys(cjs) : [])]);
  return [...names].filter((k) => typeof exported(mod, k) === 'function');
}

function checkExport(v: CallbackVariable, mod: Record<string, unknown>, field: 'normal' | 'anomalous'): void {
  const name = v[field]!;
  const x = exported(mod, name);
  if (typeof x === 'function') return;
  const fns = exportedFunctions(mod);
  const what = x === undefined ? 'does not export' : `exports a ${typeof x}, not a function, as`;
  const problem = `callback module ${v.module} ${what} '${name}' (its functions: ${fns.join(', ') || 'none'})`;
  // The module is imported after the scenario was read, in a worker; `issue` is the scenario
  // field that names the export, for the command line to point at its line.
  throw new ParanomError('SCENARIO_INVALID', `variable '${v.name}': ${problem}`, { variable: v.name, module: v.module, export: name, issue: { path: `variables.${v.name}.${field}`, message: problem } });
}

/** Imports a callback variable's module (once per thread) and checks its exports. */
export async function loadCallbackModule(v: CallbackVariable, s: Pick<Scenario, 'baseDir'>): Promise<void> {
  const key = moduleKey(v);
  let p = modules.get(key);
  if (!p) {
    p = importModule(v, inputPath(s.baseDir, v.module));
    modules.set(key, p);
    p.catch(() => modules.delete(key));
  }
  const mod = await p;
  checkExport(v, mod, 'normal');
  if (v.anomalous) checkExport(v, mod, 'anomalous');
  loaded.set(key, mod);
}

/** The callbacks of a loaded module (after loadCallbackModule). */
export function callbackFunctions(v: CallbackVariable): { normal: CallbackFunction; anomalous: CallbackFunction } {
  const mod = loaded.get(moduleKey(v));
  if (!mod) throw new Error(`callback module ${v.module} of variable '${v.name}' was not loaded; await prepareScenario(scenario) before generating`);
  const normal = exported(mod, v.normal) as CallbackFunction;
  return { normal, anomalous: v.anomalous ? (exported(mod, v.anomalous) as CallbackFunction) : normal };
}
