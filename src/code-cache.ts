/**
 * Loads a bundle (the command line's, the shard worker's: scripts/bundle.mjs) with V8's
 * code cache, so a process or worker starts from bytecode compiled at build time instead
 * of parsing and compiling a megabyte of JavaScript first. Node 20 has no compile cache
 * for ES modules; the bundles are CommonJS for that reason and run here as `vm.Script`s.
 *
 * The cache file is named after a hash of the bundle's text (V8 itself only checks the
 * text's length), so a cache never meets another bundle. V8 rejects a cache made by
 * another Node version or other V8 flags; the bundle then compiles as usual. The runtime
 * never writes a cache: only the build does (scripts/code-cache.mjs), through
 * PARANOM_WRITE_CODE_CACHE.
 *
 * A script run from a code cache has no dynamic import() in Node 20 (the callback is lost
 * with the cache): the bundles hold none, their import() calls go to their ES module
 * wrapper's (scripts/bundle.mjs).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** How one bundle was loaded: with its cache (accepted or rejected by V8), or without one. */
export interface CodeCacheStatus {
  file: string;
  cache: string;
  found: boolean;
  rejected: boolean;
}

const loaded: Array<{ script: vm.Script; status: CodeCacheStatus }> = [];

/** Whether this process was asked to write the caches of the bundles it ran (the build's cache run). */
export const WRITE_CODE_CACHE = process.env['PARANOM_WRITE_CODE_CACHE'] === '1';

/** The cache file of `bundle` whose text hashes to `hash`. */
export function cacheFileOf(bundle: string, hash: string): string {
  return `${bundle}.${hash}.v8cache`;
}

/** Runs the CommonJS bundle at `url` (its text hashing to `hash`) and returns its exports. */
export function loadBundle(url: URL, hash: string): Record<string, unknown> {
  const file = fileURLToPath(url);
  const cache = cacheFileOf(file, hash);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cache);
  } catch {
    cachedData = undefined;
  }
  // The bundle's text is already the CommonJS wrapper function (scripts/bundle.mjs).
  const script = new vm.Script(readFileSync(file, 'utf8'), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const status = { file, cache, found: cachedData !== undefined, rejected: script.cachedDataRejected === true };
  loaded.push({ script, status });
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** How each bundle of this thread was loaded. */
export function codeCacheStatus(): CodeCacheStatus[] {
  return loaded.map((l) => ({ ...l.status }));
}

/**
 * Writes the code cache of every bundle this thread ran, with the functions compiled so
 * far (the build calls this after a representative run). Only with PARANOM_WRITE_CODE_CACHE.
 */
export function writeCodeCaches(): void {
  if (!WRITE_CODE_CACHE) return;
  for (const { script, status } of loaded) {
    const tmp = `${status.cache}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, status.cache);
  }
}
