/**
 * Writes a report page: the page assembled at build time (`dist/src/report/page.html`,
 * every script and style inlined) with the report's data put in its data element.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../formats/files.js';

let cached: string | undefined;

/** The built page template. Tests run from src/ and find it in dist/. */
function template(): string {
  if (cached !== undefined) return cached;
  const candidates = [new URL('./page.html', import.meta.url), new URL('../../dist/src/report/page.html', import.meta.url)].map((u) => fileURLToPath(u));
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`the report page was not built (looked for ${candidates.join(', ')}); run 'npm run build'`);
  cached = readFileSync(path, 'utf8');
  return cached;
}

/**
 * The page's HTML. JSON inside a script element only needs `<` escaped (so no `</script>`
 * or `<!--` can end it early); `\u003c` is the same string to JSON.parse.
 */
function renderPage(report: PageData.Report): string {
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return template().replace('/*@DATA@*/', () => json);
}

/** Writes the page to `file` atomically; returns its size in bytes. */
export function writePage(file: string, report: PageData.Report): number {
  const html = renderPage(report);
  writeFileAtomic(file, html, { amongUserFiles: true });
  return Buffer.byteLength(html);
}
