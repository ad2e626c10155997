// Bundles the CLI and the shard worker, after tsc, into one file each (in place of tsc's
// output for those two entries). A generate run otherwise opens and links some 100 of
// our modules and a few hundred of apache-arrow's, in the main thread and again in every
// worker; one file each roughly halves the CPU time of a small run.
//
// Every other file of dist/ stays as tsc wrote it (the library entry, the report worker,
// the bench), so only the command line and the shard worker change shape. Packages that
// locate files beside their own code (parquet-wasm's .wasm, piscina's worker, tfjs,
// typescript) stay external and load from node_modules as before.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// The command line is bundled from app.js: main.js stays a small file of its own, which
// starts the worker pool (through dist/src/run/pool.js, kept outside the bundle so both
// share the one prestarted pool) before the bundle is loaded.
const entries = ['dist/src/cli/app.js', 'dist/workers/shard-worker.js'];
const shared = /[\\/]dist[\\/]src[\\/]run[\\/]pool\.js$/;

// CommonJS packages inside an ES module bundle need a `require`.
const banner = "import { createRequire as __paranomCreateRequire } from 'node:module'; const require = __paranomCreateRequire(import.meta.url);";

// Our modules find files relative to their own location (the pool's worker, the report
// page, the TypeScript hooks). In the bundle `import.meta.url` is the bundle's, so each
// module's is rewritten to the URL its own file had.
const ownUrls = (outfile) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dirname(outfile), args.path).split('\\').join('/');
      const own = `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

// Imports of the shared pool module stay imports of its file, relative to the bundle.
const keepShared = (outfile) => ({
  name: 'keep-shared-modules',
  setup(b) {
    b.onResolve({ filter: /pool\.js$/ }, (args) => {
      const full = resolve(args.resolveDir, args.path);
      if (!shared.test(full)) return undefined;
      const rel = relative(dirname(outfile), full).split('\\').join('/');
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
});

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

for (const entry of entries) {
  const outfile = `${root}${entry}`;
  await build({
    entryPoints: [outfile],
    outfile,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['parquet-wasm', 'piscina', '@tensorflow/*', 'typescript'],
    banner: { js: banner },
    sourcemap: 'linked',
    plugins: [keepShared(outfile), ownUrls(outfile), asciiStringWidth],
    logLevel: 'warning',
  });
}
