// Makes the V8 code caches of the three bundles (src/code-cache.ts): runs the command line
// once on a one-block generate of the reference scenario with PARANOM_WRITE_CODE_CACHE=1,
// so each cache holds the functions that run compiled (the pool's and the command line's in
// the main thread, the generation's in the worker). Caches of earlier bundles are removed first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = ['dist/src/cli', 'dist/src/run', 'dist/workers'].map((f) => join(root, f));
const caches = () => folders.flatMap((f) => readdirSync(f).filter((n) => n.endsWith('.v8cache')).map((n) => join(f, n)));
for (const f of caches()) rmSync(f);
const work = mkdtempSync(join(tmpdir(), 'paranom-code-cache-'));
try {
  execFileSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'generate', join(root, 'scenarios/reference-13col.yaml'), '--rows', '65536', '--out', join(work, 'ds')], {
    env: { ...process.env, PARANOM_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (caches().length !== 3) throw new Error(`code-cache: expected 3 caches, found ${caches().join(', ') || 'none'}`);
