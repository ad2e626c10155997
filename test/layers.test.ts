/**
 * The import layering of src/ (docs/architecture.md): every import points down, the
 * random core imports nothing of the engine, the format writers know no scenario, and no
 * module imports itself round a cycle. The rules are data; the test parses every relative
 * import (static, re-export, dynamic, type-only) of src/ and workers/. It also keeps every
 * file of src/ at 400 lines or fewer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Layers from the top. A module may import its own layer and any layer below it, never
 * one above it nor another layer of the same rank.
 */
const RANKS: Record<string, number> = {
  cli: 11,
  api: 10, // src/index.ts: the library entry point
  workers: 9,
  run: 8,
  eval: 8, // scoring detectors: metrics, and readers of labels and predictions
  report: 8, // HTML reports: reads datasets, and generates previews in memory
  dataset: 7,
  generate: 6,
  reader: 6,
  plan: 6,
  uniqueness: 5,
  fleet: 5, // entities: validation, an entity's scenario, per-entity parameters
  variables: 4,
  anomaly: 3,
  distribution: 2,
  vae: 2,
  model: 1,
  formats: 1,
  columns: 0,
  random: 0,
  input: 0,
  math: 0, // pure numeric helpers (searches)
  core: -1, // errors.ts, format.ts, version.ts
};

/** Layers that may import only the layers listed (besides themselves). */
const ONLY: Record<string, readonly string[]> = {
  random: [],
  formats: ['columns', 'core'],
  eval: ['dataset', 'formats', 'input', 'columns', 'math', 'core'],
  columns: [],
  math: [],
  input: [],
  core: [],
};

/** The layer of a repository-relative path, or null outside src/ and workers/. */
export function layerOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'workers') return 'workers';
  if (parts[0] !== 'src') return null;
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'api' : 'core';
  return parts[1]!;
}

/** Relative import specifiers of a module's text: static, re-export, side-effect, dynamic. */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]!.startsWith('.')) specs.push(m[1]!);
  return specs;
}

/** Why `from` may not import `to` (both repository-relative), or null when it may. */
export function violation(from: string, to: string): string | null {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === null || b === null || a === b) return null;
  const ra = RANKS[a];
  const rb = RANKS[b];
  if (ra === undefined) return `${from}: layer ${a} has no rank (add it to RANKS and docs/architecture.md)`;
  if (rb === undefined) return `${to}: layer ${b} has no rank (add it to RANKS and docs/architecture.md)`;
  const only = ONLY[a];
  if (only && !only.includes(b)) return `${from} → ${to}: ${a} may import only ${only.length ? only.join(', ') : 'itself'}`;
  if (rb > ra) return `${from} → ${to}: ${a} (rank ${ra}) imports ${b} (rank ${rb}), which is above it`;
  if (rb === ra) return `${from} → ${to}: ${a} and ${b} are peers and may not import each other`;
  return null;
}

/** Every .ts file under a directory, repository-relative. */
function tsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...tsFiles(root, rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** The import graph: file → the repository files it imports. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...tsFiles(root, 'src'), ...tsFiles(root, 'workers')]) {
    const text = readFileSync(join(root, file), 'utf8');
    graph.set(
      file,
      importsOf(text).map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts')),
    );
  }
  return graph;
}

/** Import cycles, each as a list of files (found by depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue;
      if (state.get(g) === 'open') found.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

const ROOT = relative(process.cwd(), join(import.meta.dirname, '..')) || '.';

describe('import layering', () => {
  const graph = importGraph(ROOT);

  it('every import in src/ and workers/ points down', () => {
    const bad: string[] = [];
    for (const [from, tos] of graph) for (const to of tos) {
      const v = violation(from, to);
      if (v) bad.push(v);
    }
    expect(bad).toEqual([]);
  });

  it('every imported module exists (the parser resolves what it checks)', () => {
    const missing = [...graph].flatMap(([from, tos]) => tos.filter((t) => !graph.has(t) && !t.endsWith('.json')).map((t) => `${from} → ${t}`));
    expect(missing).toEqual([]);
    expect(graph.size).toBeGreaterThan(90);
  });

  it('no module imports itself round a cycle', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('no file in src/ is over 400 lines (small files named after their concept)', () => {
    const long = tsFiles(ROOT, 'src')
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > 400)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });

  it('refuses imports against the layering', () => {
    expect(violation('src/random/counter.ts', 'src/model/types.ts')).toMatch(/random may import only itself/);
    expect(violation('src/random/counter.ts', 'src/errors.ts')).toMatch(/random may import only itself/);
    expect(violation('src/formats/parquet.ts', 'src/model/types.ts')).toMatch(/formats may import only columns, core/);
    expect(violation('src/formats/csv.ts', 'src/generate/shard.ts')).toMatch(/formats may import only/);
    expect(violation('src/model/types.ts', 'src/variables/kind.ts')).toMatch(/above it/);
    expect(violation('src/anomaly/kinds/apply.ts', 'src/variables/process.ts')).toMatch(/above it/);
    expect(violation('src/generate/shard.ts', 'src/reader/load.ts')).toMatch(/peers/);
    expect(violation('src/run/generate.ts', 'src/cli/main.ts')).toMatch(/above it/);
    expect(violation('src/newfolder/x.ts', 'src/model/types.ts')).toMatch(/has no rank/);
    // Allowed: down, own layer, core leaves.
    expect(violation('src/run/generate.ts', 'src/generate/shard.ts')).toBeNull();
    expect(violation('src/formats/parquet.ts', 'src/formats/thrift.ts')).toBeNull();
    expect(violation('src/formats/csv.ts', 'src/columns/columns.ts')).toBeNull();
    expect(violation('src/variables/kind.ts', 'src/errors.ts')).toBeNull();
  });

  it('reads every import form, including multi-line and type-only ones', () => {
    const text = [
      "import type { A } from '../model/types.js';",
      "import {\n  b,\n  c,\n} from './b.js';",
      "export { d } from '../d.js';",
      "export * from './e.js';",
      "const f = await import('../f.js');",
      "import './side-effect.js';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../d.js', '../f.js', '../model/types.js', './b.js', './e.js', './side-effect.js']);
  });

  it('finds a cycle', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
