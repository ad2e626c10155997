/**
 * The command line and the shard worker run their bundles from V8 code caches made at
 * build time (src/code-cache.ts, scripts/code-cache.mjs): the caches this build wrote are
 * accepted by this Node, a cache is only ever looked up under its own bundle's hash, and
 * the bundles hold no import() (which a script run from a cache cannot do in Node 20) —
 * optional packages and callback modules still load through the wrapper.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cacheFileOf } from '../src/code-cache.js';

const ROOT = resolve(import.meta.dirname, '..');

/** codeCacheStatus() in a fresh process after importing `entry` (a file under dist/). */
function statusAfterImport(entry: string, hash?: string): Array<{ file: string; cache: string; found: boolean; rejected: boolean }> {
  const code = hash
    ? `const { loadBundle, codeCacheStatus } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/code-cache.js')).href)});
       globalThis[Symbol.for('paranom.shared-modules')] = { pool: {}, resolve: (s) => import.meta.resolve(s), import: (s) => import(s) };
       loadBundle(new URL(${JSON.stringify(pathToFileURL(join(ROOT, entry)).href)}), ${JSON.stringify(hash)});
       console.log(JSON.stringify(codeCacheStatus()));`
    : `await import(${JSON.stringify(pathToFileURL(join(ROOT, entry)).href)});
       const { codeCacheStatus } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/code-cache.js')).href)});
       console.log(JSON.stringify(codeCacheStatus()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ReturnType<typeof statusAfterImport>;
}

describe('code cache', () => {
  it('is found and accepted for the worker pool, the command line and the shard worker', () => {
    for (const [entry, bundle] of [
      ['dist/src/run/pool.js', 'dist/src/run/pool.bundle.cjs'],
      ['dist/src/cli/app.js', 'dist/src/cli/app.bundle.cjs'],
      ['dist/workers/shard-worker.js', 'dist/workers/shard-worker.bundle.cjs'],
    ] as const) {
      // The command line's wrapper loads the pool's bundle first.
      const s = statusAfterImport(entry).find((l) => l.file === join(ROOT, bundle));
      expect(s, entry).toMatchObject({ file: join(ROOT, bundle), found: true, rejected: false });
      // The wrapper names the cache by the hash of the bundle's text.
      const hash = /"([0-9a-f]{16})"\)/.exec(readFileSync(join(ROOT, entry), 'utf8'))![1]!;
      expect(s!.cache).toBe(cacheFileOf(join(ROOT, bundle), hash));
    }
  });

  it('is accepted through the shard worker\'s CommonJS entry, which finds optional packages as the ES module wrapper does', () => {
    // The pool starts its threads on shard-worker.cjs (no ES module loader in a worker).
    const code = `const entry = require(${JSON.stringify(join(ROOT, 'dist/workers/shard-worker.cjs'))});
      const { codeCacheStatus } = require(${JSON.stringify(join(ROOT, 'dist/src/code-cache.cjs'))});
      const shared = globalThis[Symbol.for('paranom.shared-modules')];
      console.log(JSON.stringify({ handler: typeof entry, status: codeCacheStatus(), yaml: shared.resolve('yaml'), missing: (() => { try { return shared.resolve('no-such-package-xyz'); } catch (e) { return e.code; } })() }));`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { handler: string; status: Array<{ file: string; found: boolean; rejected: boolean }>; yaml: string; missing: string };
    expect(out.handler).toBe('function');
    expect(out.status).toEqual([expect.objectContaining({ file: join(ROOT, 'dist/workers/shard-worker.bundle.cjs'), found: true, rejected: false })]);
    expect(out.yaml).toBe(import.meta.resolve('yaml'));
    expect(out.missing).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('is never looked up under another bundle text: a bundle of another hash runs without one', () => {
    const [s] = statusAfterImport('dist/src/cli/app.bundle.cjs', '0000000000000000');
    expect(s).toMatchObject({ found: false, rejected: false });
    // One cache per bundle: those of earlier builds are removed.
    for (const dir of ['dist/src/cli', 'dist/src/run', 'dist/workers']) expect(readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.v8cache')), dir).toHaveLength(1);
  });

  it('bundles hold no import(): their computed imports go through the wrapper', () => {
    for (const bundle of ['dist/src/run/pool.bundle.cjs', 'dist/src/cli/app.bundle.cjs', 'dist/workers/shard-worker.bundle.cjs']) {
      const text = readFileSync(join(ROOT, bundle), 'utf8');
      expect(text, bundle).not.toMatch(/[^\w$.]import\(/);
      if (!bundle.includes('pool')) expect(text).toContain(".import(");
    }
  });
});
