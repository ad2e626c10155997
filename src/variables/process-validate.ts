/** Validation of `type: process` variables: a non-empty list of additive components. */
import { Checker, describe, join, unknownChoice } from '../model/checker.js';
import { parseDurationMs, spellDurationMs } from '../model/units.js';
import type { ProcessComponent, ProcessVariable, Span } from '../model/types.js';
import type { VariableInput } from './kind.js';
import { arWarmup, MAX_WARMUP, WARMUP_TOLERANCE } from './process-ar.js';
import { FLOAT32_MAX } from '../distribution/validate.js';
import { BLOCK_ROWS } from '../format.js';

const COMPONENT_KEYS: Record<ProcessComponent['type'], readonly string[]> = {
  constant: ['value'],
  sine: ['period', 'amplitude', 'phase'],
  square: ['period', 'amplitude', 'phase'],
  sawtooth: ['period', 'amplitude', 'phase'],
  triangle: ['period', 'amplitude', 'phase'],
  trend: ['slope', 'coefficients', 'unit'],
  random_walk: ['sd'],
  ar: ['coefficients', 'sd'],
  noise: ['dist', 'sd', 'df', 'scale'],
};
const COMPONENT_TYPES = Object.keys(COMPONENT_KEYS) as ProcessComponent['type'][];
/** Highest AR order accepted. */
const MAX_AR_ORDER = 32;

function checkSpan(c: Checker, raw: unknown, path: string): Span | undefined {
  if (typeof raw === 'string') {
    const ms = parseDurationMs(raw);
    if (ms === undefined || ms <= 0) return c.fail(path, `expected a number of rows or a duration such as "1d", got ${describe(raw)}`);
    return { ms };
  }
  const rows = c.number(raw, path, { gt: 0 });
  return rows === undefined ? undefined : { rows };
}

function checkNumbers(c: Checker, raw: unknown, path: string, max: number): number[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > max) return c.fail(path, `expected a list of 1 to ${max} numbers, got ${describe(raw)}`);
  const out: number[] = [];
  raw.forEach((x, i) => {
    const n = c.number(x, join(path, i));
    if (n !== undefined) out.push(n);
  });
  return out.length === raw.length ? out : undefined;
}

function checkComponent(c: Checker, raw: unknown, path: string): ProcessComponent | undefined {
  const o = c.object(raw, path);
  if (!o) return undefined;
  const type = o['type'];
  if (typeof type !== 'string' || !(COMPONENT_TYPES as string[]).includes(type)) {
    return c.fail(join(path, 'type'), unknownChoice('component', type, COMPONENT_TYPES));
  }
  const t = type as ProcessComponent['type'];
  c.keys(o, path, ['type', ...COMPONENT_KEYS[t]]);
  const p = (k: string) => join(path, k);
  switch (t) {
    case 'constant': {
      const value = c.number(o['value'], p('value'));
      return value === undefined ? undefined : { type: t, value };
    }
    case 'sine':
    case 'square':
    case 'sawtooth':
    case 'triangle': {
      const period = o['period'] === undefined ? c.fail(p('period'), 'required: rows per cycle, or a duration such as "1d"') : checkSpan(c, o['period'], p('period'));
      const amplitude = o['amplitude'] === undefined ? 1 : c.number(o['amplitude'], p('amplitude'));
      const phase = o['phase'] === undefined ? 0 : c.number(o['phase'], p('phase'), { ge: 0, lt: 1 });
      if (!period || amplitude === undefined || phase === undefined) return undefined;
      return { type: t, period, amplitude, phase };
    }
    case 'trend': {
      if ((o['slope'] === undefined) === (o['coefficients'] === undefined)) return c.fail(path, "give 'slope' (change per unit) or 'coefficients' (a polynomial in row / unit), not both");
      const coefficients = o['slope'] !== undefined ? (() => { const s = c.number(o['slope'], p('slope')); return s === undefined ? undefined : [0, s]; })() : checkNumbers(c, o['coefficients'], p('coefficients'), 8);
      const unit = o['unit'] === undefined ? { rows: 1 } : checkSpan(c, o['unit'], p('unit'));
      if (!coefficients || !unit) return undefined;
      return { type: t, coefficients, unit };
    }
    case 'random_walk': {
      const sd = c.number(o['sd'], p('sd'), { gt: 0 });
      return sd === undefined ? undefined : { type: t, sd };
    }
    case 'ar': {
      const coefficients = o['coefficients'] === undefined ? c.fail(p('coefficients'), 'required: [φ1, φ2, ...], e.g. [0.8]') : checkNumbers(c, o['coefficients'], p('coefficients'), MAX_AR_ORDER);
      const sd = o['sd'] === undefined ? 1 : c.number(o['sd'], p('sd'), { gt: 0 });
      if (!coefficients || sd === undefined) return undefined;
      const w = arWarmup(coefficients);
      if (!w.ok) {
        return c.fail(p('coefficients'), `the AR process is not stationary or too close to a unit root (spectral radius ≈ ${w.radius.toPrecision(6)}): its start state's influence does not fall below ${WARMUP_TOLERANCE} within ${MAX_WARMUP.toLocaleString('en-US')} rows, which per-block generation needs; use coefficients further from 1, or a random_walk`);
      }
      return { type: t, coefficients, sd, warmup: w.warmup, residual: w.residual };
    }
    case 'noise': {
      const dist = o['dist'] ?? 'normal';
      if (dist === 'normal') {
        if (o['df'] !== undefined || o['scale'] !== undefined) return c.fail(path, "normal noise takes 'sd' (df and scale are for dist: student_t)");
        const sd = c.number(o['sd'], p('sd'), { gt: 0 });
        return sd === undefined ? undefined : { type: t, dist, sd };
      }
      if (dist === 'student_t') {
        if (o['sd'] !== undefined) return c.fail(p('sd'), "Student-t noise takes 'scale' (and 'df'), not 'sd'");
        const df = c.number(o['df'], p('df'), { gt: 0 });
        const scale = o['scale'] === undefined ? 1 : c.number(o['scale'], p('scale'), { gt: 0 });
        return df === undefined || scale === undefined ? undefined : { type: t, dist, df, scale };
      }
      return c.fail(p('dist'), `expected normal or student_t, got ${describe(dist)}`);
    }
  }
}

/** Standard deviations a normal draw by inversion can reach (its uniforms stop about 2^-54 from 0 and 1). */
const Z = 8.5;

/**
 * The largest magnitude a component can reach, or Infinity. Without `rows`, what the
 * parameters alone make of it (a trend's intercept, one block of a random walk); with
 * `rows` (and the step, for a trend's unit given as a duration), over rows [0, rows): a
 * trend's polynomial at its far end, a walk's block sums all at their bound. AR: the
 * innovations' bound times Σ|ψ|, the absolute impulse response.
 */
function componentMagnitude(k: ProcessComponent, rows?: number, stepMs?: number): number {
  switch (k.type) {
    case 'constant':
      return Math.abs(k.value);
    case 'sine':
    case 'square':
    case 'sawtooth':
    case 'triangle':
      return Math.abs(k.amplitude);
    case 'trend': {
      const unit = 'rows' in k.unit ? k.unit.rows : stepMs ? k.unit.ms / stepMs : undefined;
      const x = rows === undefined || unit === undefined ? 0 : rows / unit;
      return k.coefficients.reduce((a, c, i) => a + Math.abs(c) * Math.pow(x, i), 0);
    }
    case 'random_walk':
      return k.sd * Z * Math.sqrt(BLOCK_ROWS) * Math.max(1, Math.ceil((rows ?? 0) / BLOCK_ROWS));
    case 'ar': {
      const psi = [1];
      let sum = 1;
      for (let j = 1; j <= Math.min(k.warmup, BLOCK_ROWS); j++) {
        let v = 0;
        k.coefficients.forEach((phi, i) => (v += j - 1 - i >= 0 ? phi * psi[j - 1 - i]! : 0));
        psi.push(v);
        sum += Math.abs(v);
      }
      return k.sd * Z * sum;
    }
    case 'noise':
      // Student-t by the polar method: |t| <= sqrt(df)·w^(-1/df), w >= 2^-106.
      return k.dist === 'normal' ? k.sd * Z : k.scale * Math.exp(0.5 * Math.log(k.df) + (106 * Math.LN2) / k.df);
  }
}

/** Why a process cannot fill `rows` rows with finite values (its reach overflows its column), or undefined. */
export function processReachProblem(v: ProcessVariable, rows?: number, stepMs?: number): string | undefined {
  const big = v.components.reduce((a, k) => a + componentMagnitude(k, rows, stepMs), 0);
  if (big <= (v.dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE)) return undefined;
  const over = rows === undefined ? '' : ` over ${rows} rows`;
  return `can reach about ±${Number.isFinite(big) ? big.toPrecision(3) : 'Infinity'}${over} (its components added at their bounds), beyond the largest ${v.dtype} (±${v.dtype === 'float32' ? '3.4e38' : '1.8e308'}), which would be stored as ±Infinity; narrow their amplitudes, slopes, sd or scale${rows === undefined ? '' : ', or use fewer rows'} (or set allow_non_finite: true)`;
}

/**
 * Why a periodic component cannot be drawn at this step, as { component index, message }:
 * a period under 2 rows aliases. Rows are sampled at whole steps, so a period of one row
 * (or 30m at a step of 1h) repeats one value on every row, and one of 1.5 rows draws a
 * slower wave than the one written, without a word. Checked once the step is known.
 */
export function periodProblems(v: ProcessVariable, stepMs: number): Array<{ component: number; message: string }> {
  const out: Array<{ component: number; message: string }> = [];
  v.components.forEach((k, i) => {
    if (k.type !== 'sine' && k.type !== 'square' && k.type !== 'sawtooth' && k.type !== 'triangle') return;
    const rows = 'rows' in k.period ? k.period.rows : k.period.ms / stepMs;
    if (rows >= 2) return;
    const rowsText = `${Number(rows.toPrecision(6))} row${rows === 1 ? '' : 's'}`;
    const given = 'rows' in k.period ? `${rowsText} is` : `${spellDurationMs(k.period.ms)} is ${rowsText} at the timeline's step of ${spellDurationMs(stepMs)},`;
    const remedy = 'rows' in k.period ? 'use a period of at least 2 rows' : `use a period of at least 2 rows (${spellDurationMs(2 * stepMs)}) or a shorter step`;
    out.push({ component: i, message: `a period of ${given} shorter than 2 rows: rows are drawn at whole steps, so the ${k.type} would alias (a period of one row repeats one value on every row); ${remedy}` });
  });
  return out;
}

/** Validates a process entry and its components (AR warm-ups are computed here). */
export function validateProcess(c: Checker, { name, stream, path, raw: o, allowNonFinite }: VariableInput): ProcessVariable | undefined {
  let dtype: ProcessVariable['dtype'] = 'float64';
  if (o['dtype'] !== undefined) {
    if (o['dtype'] !== 'float64' && o['dtype'] !== 'float32') return c.fail(join(path, 'dtype'), `a process fills a float64 or float32 column, got ${describe(o['dtype'])}`);
    dtype = o['dtype'];
  }
  const raw = o['components'];
  if (!Array.isArray(raw) || raw.length === 0) return c.fail(join(path, 'components'), `expected a non-empty list of components (${COMPONENT_TYPES.join(', ')}), got ${describe(raw)}`);
  const components = raw.map((x, i) => checkComponent(c, x, join(join(path, 'components'), i)));
  if (components.some((x) => x === undefined)) return undefined;
  const v: ProcessVariable = { name, type: 'process', dtype, stream, components: components as ProcessComponent[], anomalous: null, categories: null };
  const reach = allowNonFinite ? undefined : processReachProblem(v);
  return reach ? c.fail(join(path, 'components'), reach) : v;
}
