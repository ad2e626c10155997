/**
 * The local files a callback module imports, found by reading its import statements, and
 * their content hashes: an edited helper changes a dataset's values as an edited module
 * does, so it must change the scenario hash and be refused under a dataset in the same way
 * (variables/inputs.ts). Packages (bare specifiers) are not followed: they are the
 * installation's, not the scenario's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { recordedPath } from '../model/input-path.js';

/** A file a callback module imports: as the scenario would name it, and its hash. */
export interface ImportedFile {
  file: string;
  sha256: string;
}

// A quoted specifier starting with ./ or ../ after from, import, import( or require(.
const SPECIFIER_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

/** The file a relative specifier names, as Node finds it (or a TypeScript project, where x.js may name x.ts). */
function resolveLocal(fromDir: string, spec: string): string | undefined {
  const base = join(fromDir, spec);
  const candidates = [base, ...['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.json'].map((e) => base + e), base.replace(/\.(m|c)?js$/, '.$1ts'), join(base, 'index.js'), join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * Every local file `moduleAbs` imports, directly or through other local files, in a fixed
 * order; `moduleFile` is the module as the scenario names it, which imported files are
 * named relative to.
 */
export function localImports(moduleAbs: string, moduleFile: string): ImportedFile[] {
  const seen = new Map<string, string>([[moduleAbs, moduleFile]]);
  const todo = [moduleAbs];
  for (let abs = todo.pop(); abs !== undefined; abs = todo.pop()) {
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(SPECIFIER_RE)) {
      const found = resolveLocal(dirname(abs), m[2]!);
      if (!found || seen.has(found)) continue;
      seen.set(found, recordedPath(join(dirname(seen.get(abs)!), relative(dirname(abs), found))));
      todo.push(found);
    }
  }
  seen.delete(moduleAbs);
  return [...seen].map(([abs, file]) => ({ file, sha256: createHash('sha256').update(readFileSync(abs)).digest('hex') })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
