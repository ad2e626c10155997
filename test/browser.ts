/**
 * A real browser for report tests: Debian's Chromium driven by playwright-core. Where it is
 * missing this installs it (as root, with apt-get), and only when that fails do browser
 * tests skip, saying why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function found(): string | undefined {
  const env = process.env['PARANOM_CHROMIUM'];
  if (env && existsSync(env)) return env;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Chromium's path, installing Debian's package when missing; or why there is none. */
export function ensureChromium(): { path: string } | { skip: string } {
  const have = found();
  if (have) return { path: have };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return { skip: 'no Chromium at /usr/bin/chromium, and apt-get is not available to install it (needs root on Debian)' };
  const apt = (...args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  // Another process may hold the dpkg lock for a while: try a few times.
  for (let attempt = 0; attempt < 5 && !found(); attempt++) {
    apt('update');
    const r = apt('install', '-y', 'chromium');
    if (r.status !== 0) spawnSync('sleep', ['10']);
  }
  const now = found();
  return now ? { path: now } : { skip: "Chromium could not be installed with 'apt-get install -y chromium'" };
}

/** Launches headless Chromium (no sandbox: tests run as root in CI). */
export async function launch(path: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: path, args: ['--no-sandbox', '--disable-gpu'] });
}

/**
 * In a describe block: Chromium launched before its tests and closed after them. The
 * returned function gives the browser inside a test.
 */
export function browserForSuite(chromium: { path: string } | { skip: string }): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch('path' in chromium ? chromium.path : '');
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

export interface PageCheck {
  /** Events the report must shade at the whole-timeline view (from the segment table). */
  events: number;
  /** Where to save a screenshot. */
  screenshot: string;
}

/**
 * Opens a report from disk and checks it as a reader would see it: no console error and
 * no network request; every chart canvas drawn; at the whole-timeline view each chart
 * shades exactly `events` events and draws each listed event's strip at its columns (and
 * no strip elsewhere); y-axis labels drawn and not cut at the edge, time-axis labels drawn; nothing wider than the
 * window, no category figure cut at its edge;
 * a click on an event row zooms every chart to a range that covers the event; a view that
 * is not a range (NaN) falls back to the whole timeline. Returns the event that was
 * clicked and the view after.
 */
export async function checkReportPage(browser: Browser, html: string, check: PageCheck) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

  // Canvases are drawn: pixels other than the white background, in many colours.
  const canvases = await page.evaluate(() =>
    [...document.querySelectorAll('canvas')].map((c) => {
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const opaque = d[i + 3]! > 0;
        const white = d[i]! > 250 && d[i + 1]! > 250 && d[i + 2]! > 250;
        if (opaque && !white) painted++;
        colours.add((d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!);
      }
      return { chart: c.closest('.chart') !== null, painted, colours: colours.size, pixels: c.width * c.height };
    }),
  );
  const charts = canvases.filter((c) => c.chart);
  expect(charts.length).toBeGreaterThan(0);
  for (const c of canvases) {
    expect(c.painted).toBeGreaterThan(c.pixels * 0.005);
    expect(c.colours).toBeGreaterThan(c.chart ? 20 : 3);
  }

  // Every event of the table has its strip (its kind's colour, opaque) along the top of each
  // chart at its columns, and columns clear of every event have none.
  const strips = await page.evaluate(() => {
    const rep = (window as unknown as { paranomReport: { view(): { from: number; to: number }; events: number } }).paranomReport;
    const v = rep.view();
    const events = [...document.querySelectorAll<HTMLElement>('#events tbody tr')].map((tr) => [Number(tr.dataset['start']), Number(tr.dataset['end'])] as const);
    const colours = [...document.querySelectorAll<HTMLElement>('#kinds .swatch')].map((sw) => getComputedStyle(sw).backgroundColor.match(/\d+/g)!.map(Number));
    return [...document.querySelectorAll('.chart')].map((box) => {
      const c = box.querySelector('canvas')!;
      const over = box.querySelector('.u-over')!.getBoundingClientRect();
      const cr = c.getBoundingClientRect();
      const k = c.width / cr.width;
      const left = (over.left - cr.left) * k;
      const width = over.width * k;
      const y = Math.round((over.top - cr.top) * k) + 2;
      const d = c.getContext('2d')!.getImageData(0, y, c.width, 1).data;
      const strip = (x: number) => x >= 0 && x < c.width && d[4 * x + 3] === 255 && colours.some(([r, g, b]) => Math.abs(d[4 * x]! - r!) <= 2 && Math.abs(d[4 * x + 1]! - g!) <= 2 && Math.abs(d[4 * x + 2]! - b!) <= 2);
      const px = (row: number) => left + ((row - v.from) / (v.to - v.from)) * width;
      let missing = 0;
      const covered = new Uint8Array(c.width);
      for (const [a, b] of events) {
        const x0 = Math.floor(px(a));
        const x1 = Math.max(x0 + 1, Math.ceil(px(b)));
        let seen = false;
        for (let x = x0; x < x1; x++) seen ||= strip(x);
        if (!seen) missing++;
        for (let x = Math.max(0, x0 - 2); x < Math.min(c.width, x1 + 2); x++) covered[x] = 1;
      }
      let stray = 0;
      if (events.length === rep.events) for (let x = Math.ceil(left); x < left + width; x++) if (!covered[x] && strip(x)) stray++;
      return { missing, stray };
    });
  });
  for (const s of strips) expect(s).toEqual({ missing: 0, stray: 0 });
  // Every chart's y axis has labels, none cut at the canvas's left edge (values in the
  // millions were cut to "345,680"; 1e300 had no labels at all).
  const axes = await page.evaluate(() =>
    [...document.querySelectorAll('.chart')].map((box) => {
      const c = box.querySelector('canvas')!;
      const over = box.querySelector('.u-over')!.getBoundingClientRect();
      const cr = c.getBoundingClientRect();
      const k = c.width / cr.width;
      const [left, top, height] = [Math.floor((over.left - cr.left) * k), Math.ceil((over.top - cr.top) * k), Math.floor(over.height * k)];
      const d = c.getContext('2d')!.getImageData(0, top, left, height).data;
      let edge = 0;
      let labels = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < left - 8; x++) {
          const i = 4 * (y * left + x);
          if (d[i + 3]! > 128 && d[i]! < 160) {
            labels++;
            if (x < 2) edge++;
          }
        }
      }
      return { labels: labels > 20, edge };
    }),
  );
  for (const a of axes) expect(a).toEqual({ labels: true, edge: 0 });
  // Every chart's time axis has labels under the plot (a timeline of thousands of years had none).
  const timeLabels = await page.evaluate(() =>
    [...document.querySelectorAll('.chart')].map((box) => {
      const c = box.querySelector('canvas')!;
      const over = box.querySelector('.u-over')!.getBoundingClientRect();
      const cr = c.getBoundingClientRect();
      const k = c.width / cr.width;
      const [left, top, width] = [Math.floor((over.left - cr.left) * k), Math.ceil((over.bottom - cr.top) * k) + 2, Math.floor(over.width * k)];
      const d = c.getContext('2d')!.getImageData(left, top, width, c.height - top).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 128 && d[i]! < 160) ink++;
      return ink > 20;
    }),
  );
  for (const drawn of timeLabels) expect(drawn).toBe(true);
  // Nothing is wider than the window (long names wrap), and no category figure is cut at its canvas's edge.
  const layout = await page.evaluate(() => {
    const edges = [...document.querySelectorAll('#distributions canvas')].map((c) => {
      const cv = c as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(cv.width - 2, 0, 2, cv.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 200 || d[i + 1]! < 200 || d[i + 2]! < 200)) ink++;
      return ink;
    });
    return { overflow: document.documentElement.scrollWidth - window.innerWidth, edges };
  });
  expect(layout.overflow).toBeLessThanOrEqual(0);
  for (const ink of layout.edges) expect(ink).toBe(0);

  const shaded = await page.evaluate(() => (window as unknown as { paranomReport: { shaded(): number[] } }).paranomReport.shaded());
  expect(shaded.length).toBe(charts.length);
  for (const n of shaded) expect(n).toBe(check.events);

  let picked: { id: number; start: number; end: number } | null = null;
  let view: { from: number; to: number; resolution: string } | null = null;
  const rows = page.locator('#events tbody tr');
  const count = await rows.count();
  if (count > 0) {
    const row = rows.nth(Math.floor(count / 2));
    picked = { id: Number(await row.getAttribute('data-event')), start: Number(await row.getAttribute('data-start')), end: Number(await row.getAttribute('data-end')) };
    await row.click();
    view = await page.evaluate(() => (window as unknown as { paranomReport: { view(): { from: number; to: number; resolution: string } } }).paranomReport.view());
    expect(view.from).toBeLessThanOrEqual(picked.start);
    expect(view.to).toBeGreaterThanOrEqual(picked.end);
    // Zoomed in: the view is a small part of the timeline and the event is shaded in it.
    const after = await page.evaluate(() => (window as unknown as { paranomReport: { shaded(): number[] } }).paranomReport.shaded());
    for (const n of after) expect(n).toBeGreaterThanOrEqual(1);
  }
  // A range that is not one shows the whole timeline (before: the page threw "Invalid time value").
  const whole = await page.evaluate(() => {
    const rep = (window as unknown as { paranomReport: { setView(a: number, b: number): void; view(): { from: number; to: number } } }).paranomReport;
    rep.setView(NaN, NaN);
    return rep.view();
  });
  expect(whole.from).toBe(0);
  expect(whole.to).toBeGreaterThan(0);
  mkdirSync(dirname(check.screenshot), { recursive: true });
  await page.screenshot({ path: check.screenshot, fullPage: false });
  await page.close();
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
  return { picked, view };
}
