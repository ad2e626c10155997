/**
 * Module hooks (node:module `register`) that let a worker import TypeScript callback
 * modules on Node 20, which cannot run TypeScript itself: files ending in .ts, .mts or .cts
 * outside node_modules are transpiled with the `typescript` package's transpileModule
 * (types are stripped, not checked) and loaded as ES modules (.cts as CommonJS). The callback module may
 * import other TypeScript files by their .ts names. `typescript` is loaded only when the
 * first such file is imported, so plain generation never pays for it.
 */
import { readFile } from 'node:fs/promises';

type TS = typeof import('typescript');
let ts: Promise<TS> | undefined;

function isTypeScript(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  const path = new URL(url).pathname;
  return /\.(c|m)?ts$/.test(path) && !path.endsWith('.d.ts') && !path.includes('/node_modules/');
}

interface LoadResult {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | Uint8Array | undefined;
  shortCircuit?: boolean | undefined;
}

export async function load(url: string, context: { format?: string | null | undefined }, next: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  if (!isTypeScript(url)) return next(url, context);
  ts ??= import('typescript').then((m) => ((m as { default?: TS }).default ?? m) as TS);
  const t = await ts;
  const source = await readFile(new URL(url), 'utf8');
  // A .cts file is CommonJS (module.exports, require), as TypeScript and Node define it.
  const commonjs = new URL(url).pathname.endsWith('.cts');
  const out = t.transpileModule(source, {
    fileName: new URL(url).pathname,
    reportDiagnostics: true,
    compilerOptions: { module: commonjs ? t.ModuleKind.CommonJS : t.ModuleKind.ESNext, target: t.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true, verbatimModuleSyntax: false },
  });
  // The transpiler "repairs" broken syntax (an unclosed brace) into code that runs; refuse instead.
  const errors = (out.diagnostics ?? []).filter((d) => d.category === t.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const where = (d: (typeof errors)[number]) => {
      if (d.file === undefined || d.start === undefined) return '';
      const p = d.file.getLineAndCharacterOfPosition(d.start);
      return `${p.line + 1}:${p.character + 1} `;
    };
    const lines = errors.slice(0, 5).map((d) => `${where(d)}${t.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    throw new SyntaxError(`TypeScript syntax error${errors.length === 1 ? '' : 's'}: ${lines.join('; ')}`);
  }
  return { format: commonjs ? 'commonjs' : 'module', source: out.outputText, shortCircuit: true };
}
