// Bundles the CLI and the shard worker, after tsc, into one file each. A generate run
// otherwise opens and links some 100 of our modules and a few hundred of apache-arrow's,
// in the main thread and again in every worker; one file each roughly halves the CPU time
// of a small run.
//
// Each bundle is CommonJS (`app.bundle.cjs`, `shard-worker.bundle.cjs`) so it can run with
// V8's code cache (src/code-cache.ts; the cache is made by scripts/code-cache.mjs), and
// tsc's output for the entry is replaced by a small ES module that loads the bundle and
// re-exports its exports: importers and piscina see the same module as before.
//
// Every other file of dist/ stays as tsc wrote it (the library entry, the report worker,
// the bench), so only the command line and the shard worker change shape. Packages that
// locate files beside their own code (parquet-wasm's .wasm, piscina's worker, tfjs,
// typescript) stay external and load from node_modules as before.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// The command line is bundled from app.js: main.js stays a small file of its own, which
// starts the worker pool (through dist/src/run/pool.js, kept outside the bundle so both
// share the one prestarted pool) before the bundle is loaded. `worker`: piscina's entry,
// which writes its code cache after each task in the build's cache run (a worker is ended
// without an exit event). The pool module is a bundle of its own, with piscina inside:
// main.js loads it before anything else, to start the workers, and piscina as some twenty
// CommonJS files took longer to resolve and compile than the rest of that start together.
const entries = [
  { entry: 'dist/src/run/pool.js', kind: 'pool' },
  { entry: 'dist/src/cli/app.js', kind: 'app' },
  { entry: 'dist/workers/shard-worker.js', kind: 'worker' },
];
const shared = /[\\/]dist[\\/]src[\\/]run[\\/]pool\.js$/;
/** Where the entry's wrapper puts the shared modules for its bundle. */
const SHARED_KEY = "Symbol.for('paranom.shared-modules')";

// Each module's `import.meta.url` (below) is computed from the bundle's own file name;
// `import.meta.resolve` (finding optional packages) is the wrapper's, in the same folder.
/** The CommonJS wrapper around each bundle's text (the same parameters as Node's own). */
const WRAP_OPEN = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_CLOSE = '\n});';
const banner = `var __paranomBundleUrl = require('node:url').pathToFileURL(__filename).href; var __paranomResolve = (specifier) => globalThis[${SHARED_KEY}].resolve(specifier);`;

// Our modules find files relative to their own location (the pool's worker, the report
// page, the TypeScript hooks). In the bundle `import.meta.url` is the bundle's, so each
// module's is rewritten to the URL its own file had.
//
// Their import() of a computed specifier (optional packages, callback modules) goes to the
// wrapper's import(): in Node 20 a script run from a code cache loses its dynamic-import
// callback, so the bundle itself must hold no import() (checked below).
const ownUrls = (outfile) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url') && !/\bimport\((?!['"`])/.test(text)) return undefined;
      const rel = relative(dirname(outfile), args.path).split('\\').join('/');
      const own = `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href`;
      text = text.replaceAll('import.meta.url', own).replace(/\bimport\((?!['"`])/g, `globalThis[${SHARED_KEY}].import(`);
      return { contents: text, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

// The shared pool module is the wrapper's (an ES module, which CommonJS cannot require in
// Node 20): the wrapper imports it and hands it to the bundle through a global.
const keepShared = {
  name: 'keep-shared-modules',
  setup(b) {
    b.onResolve({ filter: /pool\.js$/ }, (args) => {
      const full = resolve(args.resolveDir, args.path);
      return shared.test(full) ? { path: 'pool', namespace: 'paranom-shared' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'paranom-shared' }, (args) => ({ contents: `module.exports = globalThis[${SHARED_KEY}].${args.path};`, loader: 'js' }));
  },
};

// yargs measures every cell of a command's help with string-width (grapheme segmentation
// and a large emoji regex per character), and renders that help on every command it runs.
// Printable ASCII is one column per character: that case is answered at once, anything
// else by string-width itself, so the measured widths are the same.
const asciiStringWidth = {
  name: 'ascii-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
      return { path: real.path, namespace: 'ascii-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'ascii-string-width' }, (args) => ({
      contents: `import stringWidth from ${JSON.stringify(args.path)};
        export default (text, options) => (typeof text === 'string' && /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text, options));`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

// piscina starts each thread on its own worker script, found beside its index.js through
// __dirname; in the pool's bundle that would be the bundle's folder, so it is found where
// the package is installed.
const piscinaWorkerScript = {
  name: 'piscina-worker-script',
  setup(b) {
    b.onLoad({ filter: /[\\/]piscina[\\/]dist[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const own = "(0, node_path_1.resolve)(__dirname, 'worker.js')";
      if (!text.includes(own)) throw new Error(`bundle.mjs: ${args.path} no longer names its worker script as ${own}`);
      const installed = "(0, node_path_1.resolve)(__paranomPiscinaDir(), 'worker.js')";
      return { contents: text.replace(own, installed), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * The shard worker's CommonJS entry (`shard-worker.cjs`), which the pool starts its threads
 * on: piscina loads it with require(), so a worker thread never starts Node's ES module
 * loader (a few milliseconds of every worker's start) unless a callback module or an
 * optional package asks for it. It loads the same bundle as the ES module wrapper does,
 * through code-cache.cjs (code-cache.js as CommonJS); `import.meta.resolve` (finding
 * optional packages) is a small ES module's, in the same folder, loaded when first used.
 */
function workerCjsEntry(bundleFile, hash) {
  return [
    "'use strict';",
    '// Written by scripts/bundle.mjs: the shard worker bundle, run with its V8 code cache, for require().',
    "const { loadBundle, WRITE_CODE_CACHE, writeCodeCaches } = require('../src/code-cache.cjs');",
    "const { pathToFileURL } = require('node:url');",
    'let esm;',
    `globalThis[${SHARED_KEY}] = { ...globalThis[${SHARED_KEY}], resolve: (specifier) => (esm ??= require('./import-meta-resolve.mjs')).resolve(specifier), import: (specifier) => import(specifier) };`,
    `const bundle = loadBundle(new URL(${JSON.stringify(`./${basename(bundleFile)}`)}, pathToFileURL(__filename)), ${JSON.stringify(hash)});`,
    'module.exports = WRITE_CODE_CACHE ? async (task) => { try { return await bundle.default(task); } finally { writeCodeCaches(); } } : bundle.default;',
    '',
  ].join('\n');
}

/** The ES module that replaces tsc's output for `entry`: loads its bundle, re-exports `names`. */
function wrapper(entry, bundleFile, hash, names, kind) {
  const worker = kind === 'worker';
  const codeCache = relative(dirname(entry), `${root}dist/src/code-cache.js`).split('\\').join('/');
  const pool = relative(dirname(entry), `${root}dist/src/run/pool.js`).split('\\').join('/');
  const lines = [
    '// Written by scripts/bundle.mjs: the bundle of this entry, run with its V8 code cache.',
    `import { loadBundle, WRITE_CODE_CACHE, writeCodeCaches } from ${JSON.stringify(codeCache.startsWith('.') ? codeCache : `./${codeCache}`)};`,
  ];
  if (kind === 'app') lines.push(`import * as pool from ${JSON.stringify(pool.startsWith('.') ? pool : `./${pool}`)};`);
  lines.push(`globalThis[${SHARED_KEY}] = { ...globalThis[${SHARED_KEY}], ${kind === 'app' ? 'pool, ' : ''}resolve: (specifier) => import.meta.resolve(specifier), import: (specifier) => import(specifier) };`);
  lines.push(`const bundle = loadBundle(new URL(${JSON.stringify(`./${basename(bundleFile)}`)}, import.meta.url), ${JSON.stringify(hash)});`);
  for (const name of names) {
    if (name !== 'default') lines.push(`export const ${name} = bundle.${name};`);
    else if (worker) lines.push('export default WRITE_CODE_CACHE ? async (task) => { try { return await bundle.default(task); } finally { writeCodeCaches(); } } : bundle.default;');
    else lines.push('export default bundle.default;');
  }
  // The command line's exit writes the caches of every bundle of the main thread (the pool's too).
  if (kind === 'app') lines.push("if (WRITE_CODE_CACHE) process.on('exit', writeCodeCaches);");
  return lines.join('\n') + '\n';
}

for (const { entry, kind } of entries) {
  const file = `${root}${entry}`;
  const bundleFile = file.replace(/\.js$/, '.bundle.cjs');
  // The entry's exports, as tsc wrote them.
  const meta = await build({ entryPoints: [file], bundle: false, format: 'esm', write: false, metafile: true, logLevel: 'silent', outdir: '/' });
  const names = Object.values(meta.metafile.outputs)[0].exports;
  await build({
    entryPoints: [file],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['parquet-wasm', ...(kind === 'pool' ? [] : ['piscina']), '@tensorflow/*', 'typescript'],
    // The file is the CommonJS wrapper function itself (src/code-cache.ts runs its text as
    // it is read: no wrapped copy of a megabyte string to build and flatten in each thread).
    // (Piscina's folder is found in the banner, where esbuild does not take require.resolve
    // for a file to bundle.)
    banner: { js: `${WRAP_OPEN}${banner}${kind === 'pool' ? " var __paranomPiscinaDir = () => require('node:path').dirname(require.resolve('piscina'));" : ''}` },
    footer: { js: WRAP_CLOSE },
    // Without comments and indentation: a smaller text to read, hash and keep in memory, and
    // ASCII only (checked below), which V8 keeps as one byte per character instead of two.
    minifyWhitespace: true,
    define: { 'import.meta.url': '__paranomBundleUrl', 'import.meta.resolve': '__paranomResolve' },
    sourcemap: 'linked',
    plugins: kind === 'pool' ? [ownUrls(bundleFile), piscinaWorkerScript] : [keepShared, ownUrls(bundleFile), asciiStringWidth],
    logLevel: 'warning',
  });
  const text = readFileSync(bundleFile, 'utf8');
  const dynamic = text.match(/^.*[^\w$.]import\(.*$/m);
  if (dynamic) throw new Error(`bundle.mjs: ${bundleFile} still holds an import(), which fails when run from the code cache: ${dynamic[0].trim()}`);
  const wide = text.match(/^.*[^\x00-\x7f].*$/m);
  if (wide) throw new Error(`bundle.mjs: ${bundleFile} holds a character beyond ASCII, which makes V8 store the whole text as two bytes per character: ${wide[0].trim().slice(0, 200)}`);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  writeFileSync(file, wrapper(file, bundleFile, hash, names, kind));
  if (kind === 'worker') {
    writeFileSync(file.replace(/\.js$/, '.cjs'), workerCjsEntry(bundleFile, hash));
    writeFileSync(join(dirname(file), 'import-meta-resolve.mjs'), '// Written by scripts/bundle.mjs: import.meta.resolve for the CommonJS worker entry beside it.\nexport const resolve = (specifier) => import.meta.resolve(specifier);\n');
  }
}

// code-cache.js as CommonJS, for the shard worker's CommonJS entry.
await build({ entryPoints: [`${root}dist/src/code-cache.js`], outfile: `${root}dist/src/code-cache.cjs`, bundle: false, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
