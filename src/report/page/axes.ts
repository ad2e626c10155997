/**
 * The charts' axes: tick steps and labels for the time axis (sub-millisecond to millennia)
 * and the y axis (any magnitude a double holds), and the y axis's width.
 */

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';

/**
 * Y tick increments, 1, 2, 2.5 and 5 × 10^k over the whole range of doubles, subnormals to
 * 1e308 (uPlot's own stop at 10^±32, leaving an axis without labels for values such as 1e300).
 */
const Y_INCRS: number[] = [];
for (let e = -323; e <= 308; e++) for (const m of [1, 2, 2.5, 5]) if (Number.isFinite(Number(`${m}e${e}`)) && Number(`${m}e${e}`) > 0) Y_INCRS.push(Number(`${m}e${e}`));

/**
 * Time-axis tick steps in seconds: uPlot's own (from 1 ms to a century), then 200 to 2,000
 * years. uPlot's stop at 100 years, so a timeline spanning more than about 2,500 years (a
 * million daily rows) had no tick step that fits the chart width, and no time labels at all.
 */
const X_INCRS: number[] = (() => {
  const [m, h, d] = [60, 3600, 86400];
  const [mo, y] = [30 * d, 365 * d];
  const subSecond = [-3, -2, -1].flatMap((e) => [1, 2, 2.5, 5].map((k) => Number(`${k}e${e}`)));
  return [...subSecond, 1, 5, 10, 15, 30, m, 5 * m, 10 * m, 15 * m, 30 * m, h, 2 * h, 3 * h, 4 * h, 6 * h, 8 * h, 12 * h, ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15].map((k) => k * d), mo, 2 * mo, 3 * mo, 4 * mo, 6 * mo, ...[1, 2, 5, 10, 25, 50, 100, 200, 500, 1000, 2000].map((k) => k * y)];
})();

/**
 * Time-axis labels: uPlot's own table (tick step, label, then the label where the year,
 * month, day, hour, minute or second rolls over), with four-digit years where uPlot writes
 * two ("1/1/25" reads as 2025 on a timeline of 1925; spans past a century are allowed).
 */
const X_VALUES: Array<Array<string | number | null>> = (() => {
  const [m, h, d] = [60, 3600, 86400];
  const y = 365 * d;
  const [md, mdy, hmm] = ['\n{M}/{D}', '\n{M}/{D}/{YYYY}', '{h}:{mm}{aa}'];
  const _ = null;
  return [
    [y, '{YYYY}', _, _, _, _, _, _, 1],
    [28 * d, '{MMM}', '\n{YYYY}', _, _, _, _, _, 1],
    [d, '{M}/{D}', '\n{YYYY}', _, _, _, _, _, 1],
    [h, '{h}{aa}', mdy, _, md, _, _, _, 1],
    [m, hmm, mdy, _, md, _, _, _, 1],
    [1, ':{ss}', `${mdy} ${hmm}`, _, `${md} ${hmm}`, _, `\n${hmm}`, _, 1],
    [1e-3, ':{ss}.{fff}', `${mdy} ${hmm}`, _, `${md} ${hmm}`, _, `\n${hmm}`, _, 1],
  ];
})();

/** Ticks at whole multiples of the increment (uPlot's rounds to the increment's decimals, which 1e-300 has none of). */
function ySplits(_u: uPlot, _axis: number, min: number, max: number, incr: number): number[] {
  const k0 = Math.ceil(min / incr);
  const k1 = Math.floor(max / incr);
  const out: number[] = [];
  if (!Number.isFinite(k0) || !Number.isFinite(k1) || k1 - k0 > 1000) return out;
  for (let k = k0; k <= k1; k++) out.push(k * incr || 0);
  return out;
}

/**
 * The y range: uPlot's own (the data's, padded by a tenth), but a padded end past the largest
 * double is left unpadded — values near 1.8e308 padded to Infinity left the axis without
 * ticks and the line drawn along the bottom.
 */
function yRange(_u: uPlot, min: number, max: number): [number, number] {
  const [a, b] = uPlot.rangeNum(min, max, 0.1, true);
  return [Number.isFinite(a) ? a : min, Number.isFinite(b) ? b : max];
}

/** Decimals that write the multiples of `incr` exactly (2.5 → 1, 0.05 → 2). */
function decimalsOf(incr: number): number {
  let d = 0;
  while (d < 20 && Math.abs(Math.round(incr * 10 ** d) - incr * 10 ** d) > 1e-9 * incr * 10 ** d) d++;
  return d;
}

/**
 * Tick labels: grouped digits for everyday magnitudes; otherwise exponents with as many
 * digits as neighbouring ticks need to differ (1e15 ± 2,000 keeps its last digits).
 */
function yValues(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  const top = splits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (top < 1e9 && incr >= 1e-4) {
    const dec = decimalsOf(incr);
    return splits.map((v) => v.toLocaleString('en-US', { minimumFractionDigits: dec, maximumFractionDigits: dec }));
  }
  const digits = Math.min(17, Math.max(1, Math.ceil(Math.log10(top / incr) - 1e-9) + 1));
  return splits.map((v) => (v === 0 ? '0' : v.toExponential(digits - 1).replace(/\.?0+e/, 'e')));
}

const measure = document.createElement('canvas').getContext('2d')!;

/** The y axis as wide as its longest label (at least 64 px, so most charts line up). */
function yAxisSize(_u: uPlot, values: string[] | null): number {
  if (!values) return 64;
  measure.font = AXIS_FONT;
  return Math.max(64, Math.ceil(values.reduce((w, v) => Math.max(w, measure.measureText(v).width), 0)) + 20);
}
