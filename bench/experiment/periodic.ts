/**
 * H9's subset: the NAB series whose training part is periodic, judged from the training
 * values alone (docs/usefulness.md, "H9"), and saved runs re-pooled over that subset.
 *
 *   node dist/bench/experiment/periodic.js --protocol short|long --from run1.json,run2.json
 *
 * prints each series' autocorrelation verdict, then the saved runs' table over the periodic
 * series only. No label is read to choose the subset.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNab, type Series } from './nab.js';
import { longSeries } from './long.js';
import { combine, formatTable } from './results.js';

/** Both a lag's autocorrelation and its rise above the lowest at shorter lags must reach this. */
export const PERIODIC_MIN = 0.3;

export interface Periodicity {
  periodic: boolean;
  /** The qualifying lag with the largest autocorrelation (0 when none qualifies). */
  period: number;
  /** r at that lag, and how far it rose above the lowest r at a shorter lag. */
  r: number;
  rise: number;
  /** The largest r at any lag ≥ 2, qualifying or not (for the printed table). */
  maxR: number;
}

/**
 * Autocorrelation r(L) = Σ (x_t − m)(x_{t+L} − m) / Σ (x_t − m)², L = 1 … ⌊n/2⌋. Periodic when
 * r falls and comes back: some L ≥ 2 with r(L) ≥ 0.3 and r(L) − min_{l<L} r(l) ≥ 0.3.
 */
export function periodicity(x: ArrayLike<number>): Periodicity {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  const d = new Float64Array(n);
  let s0 = 0;
  for (let i = 0; i < n; i++) {
    d[i] = x[i]! - m;
    s0 += d[i]! * d[i]!;
  }
  const none: Periodicity = { periodic: false, period: 0, r: 0, rise: 0, maxR: 0 };
  if (!(s0 > 0)) return none;
  let low = Infinity;
  let best = none;
  let maxR = -Infinity;
  for (let lag = 1; lag <= n >> 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += d[i]! * d[i + lag]!;
    const r = s / s0;
    if (lag >= 2) {
      maxR = Math.max(maxR, r);
      const rise = r - low;
      if (r >= PERIODIC_MIN && rise >= PERIODIC_MIN && (!best.periodic || r > best.r)) best = { periodic: true, period: lag, r, rise, maxR: 0 };
    }
    low = Math.min(low, r);
  }
  return { ...best, maxR };
}

/** Each series of a protocol with its training part's verdict. */
export function periodicSeries(all: Series[], protocol: 'short' | 'long'): Array<{ name: string; trainRows: number; windows: number; p: Periodicity }> {
  const series = protocol === 'long' ? longSeries(all) : all;
  return series.map((s) => ({ name: s.name, trainRows: s.cut, windows: s.windows.length, p: periodicity(s.values.subarray(0, s.cut)) }));
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const nabDir = resolve(arg('nab') ?? join(here, '../../../../shared/data/nab'));
  const protocol = arg('protocol') ?? 'short';
  if (protocol !== 'short' && protocol !== 'long') throw new Error(`--protocol: expected short or long, got ${protocol}`);
  const verdicts = periodicSeries(loadNab(nabDir), protocol);
  console.log('| series | training rows | periodic | period (rows) | r | rise | largest r, lag ≥ 2 |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const v of verdicts) {
    console.log(`| ${v.name} | ${v.trainRows} | ${v.p.periodic ? 'yes' : 'no'} | ${v.p.periodic ? v.p.period : '–'} | ${v.p.periodic ? v.p.r.toFixed(3) : '–'} | ${v.p.periodic ? v.p.rise.toFixed(3) : '–'} | ${v.p.maxR.toFixed(3)} |`);
  }
  const kept = verdicts.filter((v) => v.p.periodic);
  console.log(`\n${kept.length} of ${verdicts.length} series periodic, ${kept.reduce((a, v) => a + v.windows, 0)} labelled windows`);
  const from = arg('from');
  if (!from) return;
  const except = verdicts.filter((v) => !v.p.periodic).map((v) => v.name);
  const r = combine(from.split(','), except);
  if ((r.protocol ?? 'short') !== protocol) throw new Error(`the saved runs follow the ${r.protocol ?? 'short'} protocol, not ${protocol}`);
  console.log('\n' + formatTable(r));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
