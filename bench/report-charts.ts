/**
 * Which charting library draws a report's series: uPlot against Chart.js, in the browser
 * the report tests use (Chromium through playwright-core).
 *
 *   node dist/bench/report-charts.js [--points 100000,1000000] [--reps 3]
 *
 * For each library and point count, a page (the library's minified script and the data
 * inlined, as in a report) builds one line chart of a noisy sine, and measures, inside the
 * page: the time from creating the chart until two animation frames later (the first
 * frame painted), then the time to zoom to the middle 10% and paint again. Chart.js is run
 * as it is configured for speed (no animation, no parsing, linear x) and with its min/max
 * decimation plugin. Medians of R fresh pages; the script size is the bytes a report inlines.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats.js';

const require = createRequire(import.meta.url);

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

interface Library {
  name: string;
  script: string;
  /** Page code: builds the chart from xs, ys (Float64Array) in #c; returns a zoom function. */
  setup: string;
}

const uplotDir = dirname(require.resolve('uplot/package.json'));
// chart.js exports no package.json: its main entry is dist/chart.cjs.
const chartDir = dirname(dirname(require.resolve('chart.js')));

/** Chart.js configured for speed (no animation, no parsing, linear x), plus `plugins` options. */
function chartJs(name: string, plugins: string): Library {
  return {
    name,
    script: readFileSync(join(chartDir, 'dist/chart.umd.min.js'), 'utf8'),
    setup: `
      const data = Array.from(xs, (x, i) => ({ x, y: ys[i] }));
      const cv = document.createElement('canvas'); cv.width = 1400; cv.height = 300; document.getElementById('c').append(cv);
      const ch = new Chart(cv, { type: 'line', data: { datasets: [{ data, borderColor: '#1f4e9c', borderWidth: 1, pointRadius: 0 }] },
        options: { animation: false, parsing: false, normalized: true, responsive: false, spanGaps: true, scales: { x: { type: 'linear' } },
          plugins: { legend: { display: false }${plugins} } } });
      return (a, b) => { ch.options.scales.x.min = a; ch.options.scales.x.max = b; ch.update('none'); };`,
  };
}

const LIBRARIES: Library[] = [
  {
    name: 'uPlot 1.6',
    script: readFileSync(join(uplotDir, 'dist/uPlot.iife.min.js'), 'utf8'),
    setup: `
      const u = new uPlot({ width: 1400, height: 300, scales: { x: { time: false } }, series: [{}, { stroke: '#1f4e9c', width: 1 }] }, [xs, ys], document.getElementById('c'));
      return (a, b) => u.setScale('x', { min: a, max: b });`,
  },
  chartJs('Chart.js 4', ''),
  chartJs('Chart.js 4 + min/max decimation', ", decimation: { enabled: true, algorithm: 'min-max' }"),
];

function page(lib: Library, n: number): string {
  return `<!doctype html><html><body><div id="c"></div>
<script>${lib.script}</script>
<script>
const n = ${n};
const xs = new Float64Array(n), ys = new Float64Array(n);
let s = 1;
for (let i = 0; i < n; i++) { s = (s * 16807) % 2147483647; xs[i] = i; ys[i] = Math.sin(i / 5000) * 10 + (s / 2147483647 - 0.5) * 4; }
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  const t0 = performance.now();
  const zoom = (() => { ${lib.setup} })();
  await frames();
  const t1 = performance.now();
  zoom(n * 0.45, n * 0.55);
  await frames();
  const t2 = performance.now();
  window.result = { draw: t1 - t0, zoom: t2 - t1 };
})().catch((e) => { window.result = { error: String(e) }; });
</script></body></html>`;
}

async function main(): Promise<void> {
  const points = arg('points', '100000,1000000').split(',').map(Number);
  const reps = Number(arg('reps', '3'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env['PARANOM_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const dir = mkdtempSync(join(tmpdir(), 'paranom-chart-bench-'));
  const rows: string[][] = [];
  try {
    for (const lib of LIBRARIES) {
      for (const n of points) {
        const file = join(dir, 'page.html');
        writeFileSync(file, page(lib, n));
        const draws: number[] = [];
        const zooms: number[] = [];
        for (let r = 0; r < reps; r++) {
          const p = await browser.newPage({ viewport: { width: 1450, height: 400 } });
          await p.goto(pathToFileURL(file).href);
          await p.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 120_000 });
          const res = (await p.evaluate(() => (globalThis as unknown as { result: { draw: number; zoom: number; error?: string } }).result));
          await p.close();
          if (res.error) throw new Error(`${lib.name}: ${res.error}`);
          draws.push(res.draw);
          zooms.push(res.zoom);
        }
        rows.push([lib.name, `${(Buffer.byteLength(lib.script) / 1024).toFixed(0)} kB`, n.toLocaleString('en-US'), median(draws).toFixed(0), median(zooms).toFixed(0)]);
      }
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['library', 'script', 'points', 'first draw ms', 'zoom + redraw ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write([line(head), ...rows.map(line)].join('\n') + `\nmedians of ${reps} pages; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

await main();
