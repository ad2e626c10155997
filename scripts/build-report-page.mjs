// Assembles the report page at build time: the template with uPlot's script and style,
// the page's own style and its compiled script inlined, so every report is one file that
// needs no network. The report data goes in at run time (src/report/page.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const uplot = dirname(require.resolve('uplot/package.json'));
const read = (p) => readFileSync(p, 'utf8');
const src = join(root, 'src/report/page');
const out = join(root, 'dist/src/report');

// A script or style must not close its own element early.
const safe = (text, what) => {
  if (/<\/(script|style)/i.test(text)) throw new Error(`${what} contains a closing tag; cannot inline it`);
  return text;
};
const parts = {
  UPLOT_CSS: safe(read(join(uplot, 'dist/uPlot.min.css')), 'uPlot.min.css'),
  PAGE_CSS: safe(read(join(src, 'style.css')), 'style.css'),
  UPLOT_JS: safe(read(join(uplot, 'dist/uPlot.iife.min.js')), 'uPlot.iife.min.js'),
  PAGE_JS: safe(read(join(out, 'page-client.js')), 'page-client.js'),
};
let html = read(join(src, 'template.html'));
for (const [key, text] of Object.entries(parts)) {
  const marker = `/*@${key}@*/`;
  if (!html.includes(marker)) throw new Error(`template.html has no ${marker}`);
  html = html.replace(marker, () => text);
}
if (!html.includes('/*@DATA@*/')) throw new Error('template.html has no data marker');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'page.html'), html);
