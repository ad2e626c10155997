/**
 * Random *valid* scenarios over the whole format (fast-check arbitraries), for the fuzz
 * test's end-to-end property: every variable type and distribution, with every dtype that can
 * hold it (rounded into int32/int64, 0/1 into bool, the dtype left to its default) and the
 * edges of each parameter (Poisson up to λ = 1e9, integers at the ends of int32 and of
 * int64's safe range, a single integer, p of 0 and 1, categorical booleans, fractions and
 * zero weights, constant strings and booleans, sd 1e-300 and means of 1e300, a uniform 1e-12
 * wide), process components (polynomial trends in rows or time units, AR(p) near a unit root,
 * period 2), callbacks (ES, CommonJS and TypeScript modules, .mjs/.mts, `after`; .cts for the
 * binary), id variables (int32 up to its largest value, int64 without a max) and correlated
 * variables (every spelling of a group's members, processes as members), source series from
 * CSV and Parquet files as other tools write them (DuckDB's TIMESTAMPTZ CSV among them;
 * float32, drift of offset or gain alone), vae variables with their options and groups (and,
 * for the binary, by channel of a two-channel model trained by train-vae), every anomaly kind
 * (hand-written, shape, structure and learned with blend, measure and its own min_effect)
 * with weights (fractional too), own durations (a single value too), targets and directions,
 * min_effect in every form, label modes with min_change, label margins, the clean twin asked
 * for in the scenario, uniqueness (hard where it cannot run out of tries; a one-variable key
 * as a string; scope), fleets (a count, names — numbers too — or a names file; a named key)
 * with per-entity parameters of processes and kinds, outages by frequency or count and
 * count_per, correlated groups by correlation or covariance, a description, callback_timeout,
 * allow_non_finite with a column past float64, timelines in every step unit (fractional and
 * odd spellings: 7ms, 1.001s, 13m, 0.25h, 3d) from 1900 on or from the default start, the
 * default step, starts spelled with Z, an offset (in hours alone too), no zone or a date
 * alone, `end` instead of `rows`, durations in time units, timestamp jitter up to just
 * under half a step, and odd row counts and shard
 * sizes. Each case also names a format and the options of its run. Only combinations the
 * README documents as valid are drawn, so a refusal is itself a finding.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { duckdb } from './read-back.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The callback module every drawn callback variable uses (written beside the scenario). */
export const CALLBACK_MODULE = `
export function level(ctx) { return 10 + ctx.random.normal(0, 1) + (ctx.values.x ?? 0) * 0; }
export function burst(ctx) { return 100 + ctx.event.offset + ctx.random.uniform(); }
export function state(ctx) { return ctx.random.pick(['low', 'mid', 'high']); }
export function flag(ctx) { return ctx.random.bernoulli(0.3); }
export function count(ctx) { return ctx.random.int(-5, 5); }
export function sum(ctx) { let s = 0; for (const v of Object.values(ctx.values)) if (typeof v === 'number' && Number.isFinite(v)) s += v; return s + ctx.random.uniform(); }
`;

/** The same callbacks as a CommonJS module of arrow functions (exports Node's import does not detect) and as TypeScript importing a helper. */
const CALLBACK_CJS = `module.exports = {
  level: (ctx) => 10 + ctx.random.normal(0, 1),
  burst: (ctx) => 100 + ctx.event.offset + ctx.random.uniform(),
  state: (ctx) => ctx.random.pick(['low', 'mid', 'high']),
};
`;
const CALLBACK_CTS = `interface Ctx { random: { normal(m: number, s: number): number; uniform(): number }; event: { offset: number } | null }
exports.level = (ctx: Ctx): number => 10 + ctx.random.normal(0, 1);
exports.burst = (ctx: Ctx): number => 100 + (ctx.event?.offset ?? 0) + ctx.random.uniform();
`;
const CALLBACK_TS = `import { base } from './cb-base.ts';
interface Ctx { random: { normal(m: number, s: number): number; int(a: number, b: number): number }; event: { offset: number } | null }
export function level(ctx: Ctx): number { return base + ctx.random.normal(0, 1); }
export function count(ctx: Ctx): number { return ctx.random.int(-5, 5); }
`;

/**
 * A real series as other tools write it: a byte-order mark, CRLF line ends, a quoted
 * header with a space, timestamps with a +02:00 offset and fractional seconds.
 */
function oddCsv(): string {
  const rows = Array.from({ length: 997 }, (_, i) => {
    const t = new Date(Date.UTC(2024, 2, 1, 0, 0, 0) + i * 60_000 + 250);
    const local = new Date(t.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    return `${local},"${(50 + 10 * Math.sin(i / 20) + (i % 7)).toFixed(3)}",x\r\n`;
  });
  return '\uFEFF"time stamp","cpu value",note\r\n' + rows.join('');
}

/** A 1-minute series with missing readings as loggers and pandas write them: empty, NaN, NA, null, the first row among them. */
function gappyCsv(): string {
  const blanks = ['', 'NaN', 'NA', 'null', ' ', 'N/A'];
  const rows = Array.from({ length: 1500 }, (_, i) => {
    const value = i === 0 || i % 97 === 3 || (i >= 700 && i < 730) ? blanks[i % blanks.length]! : (50 + 20 * Math.sin(i / 60) + (i % 7)).toFixed(2);
    return `${new Date(Date.UTC(2024, 4, 1) + i * 60_000).toISOString()},${value}\n`;
  });
  return 'timestamp,value\n' + rows.join('');
}

/**
 * Writes the inputs drawn scenarios name, beside them: the callback module, source series
 * (the NAB CSV, an odd CSV, a Parquet file as DuckDB writes it: nanosecond timestamps,
 * a DECIMAL column, several row groups; a CSV of TIMESTAMPTZ as DuckDB writes it) and a VAE model.
 */
export async function writeInputs(dir: string, o: { binary?: boolean } = {}): Promise<void> {
  writeFileSync(join(dir, 'cb.js'), CALLBACK_MODULE);
  writeFileSync(join(dir, 'cb.cjs'), CALLBACK_CJS);
  writeFileSync(join(dir, 'cb.ts'), CALLBACK_TS);
  writeFileSync(join(dir, 'cb2.mjs'), CALLBACK_MODULE);
  writeFileSync(join(dir, 'cb.mts'), CALLBACK_TS);
  writeFileSync(join(dir, 'cb.cts'), CALLBACK_CTS);
  writeFileSync(join(dir, 'cb-base.ts'), 'export const base: number = 10;\n');
  for (let n = 1; n <= 5; n++) writeFileSync(join(dir, `hosts-${n}.txt`), Array.from({ length: n }, (_, i) => `host-${i}\n`).join(''));
  cpSync(join(ROOT, 'scenarios/nab/ec2_cpu_utilization_c6585a.csv'), join(dir, 'cpu.csv'));
  cpSync(join(ROOT, 'test/fixtures/golden/taxi-tiny-vae'), join(dir, 'vae'), { recursive: true });
  writeFileSync(join(dir, 'odd.csv'), oddCsv());
  writeFileSync(join(dir, 'gappy.csv'), gappyCsv());
  const parquet = join(dir, 'odd.parquet');
  if (!existsSync(parquet)) {
    const db = await duckdb();
    await db.all(`COPY (SELECT (TIMESTAMP '2024-03-01' + INTERVAL (i * 30) SECOND)::TIMESTAMP_NS AS ts, (40 + 5 * sin(i / 30.0) + (i % 11) / 4)::DECIMAL(12, 4) AS load, i % 3 AS other FROM range(3001) t(i)) TO '${parquet.replace(/'/g, "''")}' (ROW_GROUP_SIZE 1000)`);
  }
  // A TIMESTAMPTZ column in CSV as DuckDB writes it: '2024-03-01 00:00:00+00' (an offset of hours alone), fractional seconds on some rows.
  const tz = join(dir, 'tz.csv');
  if (!existsSync(tz)) {
    const db = await duckdb();
    await db.all(`COPY (SELECT (TIMESTAMPTZ '2024-03-01 00:00:00+00' + INTERVAL (i * 45 + (i % 4) * 0.25) SECOND) AS timestamp, 20 + 3 * cos(i / 40.0) + (i % 5) / 10 AS load FROM range(2000) t(i)) TO '${tz.replace(/'/g, "''")}'`);
  }
  // For runs of the built binary, a two-channel model trained here by train-vae (seeded, so the
  // same model every run): `validCase(…, { binary: true })` draws vae variables of it by channel, in one group.
  if (o.binary && !existsSync(join(dir, 'vae2', 'vae.json'))) {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'train-vae', '--data', parquet, '--columns', 'load,other', '--window', '16', '--latent', '4', '--hidden', '16', '--epochs', '20', '--seed', '1', '--out', join(dir, 'vae2')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`train-vae for the campaign's inputs failed: ${r.stderr}`);
  }
}

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 1000) / 1000);
const range = (min: number, max: number) => fc.tuple(num(min, max), num(min, max)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
const param = (min: number, max: number) => fc.oneof(num(min, max), range(min, max));

/**
 * A distribution and the dtypes that can hold it (every numeric column its values and tails
 * fit, rounded into integer columns; bool where they are 0/1), and whether it has room for
 * hard uniqueness (continuous, not squeezed into a few doubles).
 */
interface DrawnDist {
  d: Record<string, unknown>;
  dtypes: string[];
  roomy?: boolean;
}
const NUMERIC = ['float64', 'float32', 'int32', 'int64'];
const dist: fc.Arbitrary<DrawnDist> = fc.oneof(
  fc.tuple(num(-1000, 1000), num(0, 1000)).map(([a, w]) => ({ d: { dist: 'uniform', min: a, max: a + w + 0.001 }, dtypes: NUMERIC, roomy: true })),
  fc.tuple(num(-1000, 1000), num(0.001, 100)).map(([mean, sd]) => ({ d: { dist: 'normal', mean, sd }, dtypes: NUMERIC, roomy: true })),
  fc.tuple(num(-2, 3), num(0.01, 1)).map(([mu, sigma]) => ({ d: { dist: 'lognormal', mu, sigma }, dtypes: NUMERIC, roomy: true })),
  num(0.01, 10).map((rate) => ({ d: { dist: 'exponential', rate }, dtypes: NUMERIC, roomy: true })),
  num(0.01, 500).map((lambda) => ({ d: { dist: 'poisson', lambda }, dtypes: ['int64', 'int32', 'float64', 'float32'] })),
  num(0, 1).map((p) => ({ d: { dist: 'bernoulli', p }, dtypes: ['bool', 'int32', 'int64', 'float64', 'float32'] })),
  fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 1e6 })).map(([a, w]) => ({ d: { dist: 'integer', min: a, max: a + w }, dtypes: ['int64', 'int32', 'float64', 'float32'] })),
  fc.uniqueArray(fc.constantFrom('idle', 'run', 'stop', 'fault', 'a b', 'é', '', 'x,y', '"q"', 'line\nbreak', '日本'), { minLength: 1, maxLength: 4 }).chain((values) =>
    // Weights of 0 are allowed while one is positive.
    fc.option(fc.array(fc.oneof(num(0.01, 5), fc.constant(0)), { minLength: values.length, maxLength: values.length }).map((w) => (w.some((x) => x > 0) ? w : w.map(() => 1))), { nil: undefined }).map((weights) => ({ d: { dist: 'categorical', values, ...(weights ? { weights } : {}) }, dtypes: ['string'] })),
  ),
  fc.uniqueArray(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 4 }).map((values) => ({ d: { dist: 'categorical', values }, dtypes: ['int64', 'int32', 'float64', 'float32', ...(values.every((v) => v === 0 || v === 1) ? ['bool'] : [])] })),
  // A fractional constant is refused in an integer column (it would be rounded to another value).
  num(-1e6, 1e6).map((value) => ({ d: { dist: 'constant', value }, dtypes: Number.isInteger(value) ? ['float64', 'float32', 'int64', 'int32'] : ['float64', 'float32'] })),
  // Edges of each parameter's range.
  fc.integer({ min: 3, max: 9 }).map((e) => ({ d: { dist: 'poisson', lambda: 10 ** e }, dtypes: ['int64', 'int32', 'float64', 'float32'] })),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2 ** 52 - 1 })).map(([low, w]) => ({ d: { dist: 'integer', ...(low ? { min: -(2 ** 53 - 1), max: -(2 ** 53 - 1) + w } : { min: 2 ** 53 - 1 - w, max: 2 ** 53 - 1 }) }, dtypes: ['int64', 'float64'] })),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1000 })).map(([low, w]) => ({ d: { dist: 'integer', ...(low ? { min: -(2 ** 31), max: -(2 ** 31) + w } : { min: 2 ** 31 - 1 - w, max: 2 ** 31 - 1 }) }, dtypes: ['int32', 'int64', 'float64'] })),
  fc.integer({ min: -5, max: 5 }).map((k) => ({ d: { dist: 'integer', min: k, max: k }, dtypes: ['int64', 'int32', 'float64', ...(k === 0 || k === 1 ? ['bool'] : [])] })),
  fc.constantFrom(0, 1).map((p) => ({ d: { dist: 'bernoulli', p }, dtypes: ['bool', 'int32'] })),
  fc.constantFrom([true, false], [false], [true]).chain((values) => fc.option(fc.constantFrom([1, 0], [0.2, 0.8]), { nil: undefined }).map((w) => ({ d: { dist: 'categorical', values, ...(w && values.length === 2 ? { weights: w } : {}) }, dtypes: ['bool', 'int64', 'float64'] }))),
  fc.uniqueArray(num(-50, 50).map((x) => x + 0.25), { minLength: 1, maxLength: 5 }).map((values) => ({ d: { dist: 'categorical', values }, dtypes: ['float64', 'float32'] })),
  fc.constantFrom('on', '', 'ünï cödé').map((value) => ({ d: { dist: 'constant', value }, dtypes: ['string'] })),
  fc.boolean().map((value) => ({ d: { dist: 'constant', value }, dtypes: ['bool', 'int32'] })),
  num(-1, 1).map((mean) => ({ d: { dist: 'normal', mean: mean * 1e-300, sd: 1e-300 }, dtypes: ['float64'], roomy: true })),
  num(1, 5).map((mean) => ({ d: { dist: 'normal', mean: mean * 1e300, sd: 1e298 }, dtypes: ['float64'], roomy: true })),
  num(-1, 1).map((min) => ({ d: { dist: 'uniform', min, max: min + 1e-12 }, dtypes: ['float64', 'float32'] })),
);

/** A stochastic variable; its dtype sometimes left to the default (the effective one kept for the draws that read it). */
const stochastic = fc.tuple(dist, fc.nat(), fc.option(dist, { nil: undefined }), fc.boolean()).map(([n, k, a, omit]) => {
  const dtype = n.dtypes[k % n.dtypes.length]!;
  // The anomalous definition must fit the same column.
  const anomalous = a && a.dtypes.includes(dtype) ? a : undefined;
  // Left out, the dtype is the distribution's default: strings, bool for booleans, int64 for whole numbers, else float64.
  const values = n.d['values'] as unknown[] | undefined;
  const value = n.d['value'];
  const implied = n.d['dist'] === 'bernoulli' || typeof value === 'boolean' || typeof values?.[0] === 'boolean' ? 'bool' : n.dtypes[0] === 'string' ? 'string' : ['poisson', 'integer'].includes(n.d['dist'] as string) || (values?.every((v) => Number.isInteger(v)) ?? false) ? 'int64' : 'float64';
  const doc = { normal: n.d, ...(anomalous ? { anomalous: anomalous.d } : {}), ...(omit && dtype === implied ? {} : { dtype }) };
  return { doc, dtype, roomy: (n.roomy ?? false) && (anomalous === undefined || (anomalous.roomy ?? false)), anomalous: anomalous !== undefined };
});

const component = fc.oneof(
  num(-100, 100).map((value) => ({ type: 'constant', value })),
  fc.tuple(fc.constantFrom('sine', 'square', 'sawtooth', 'triangle'), fc.oneof(fc.integer({ min: 2, max: 5000 }), fc.constantFrom('1h', '1d')), num(0, 50), num(0, 0.999)).map(([type, period, amplitude, phase]) => ({ type, period, amplitude, phase })),
  num(-1, 1).map((slope) => ({ type: 'trend', slope: slope / 1000 })),
  num(0.001, 1).map((sd) => ({ type: 'random_walk', sd: sd / 100 })),
  fc.tuple(num(-0.9, 0.9), num(0.01, 3)).map(([c, sd]) => ({ type: 'ar', coefficients: [c], sd })),
  num(0.01, 5).map((sd) => ({ type: 'noise', sd })),
  fc.tuple(num(2.5, 30), num(0.1, 3)).map(([df, scale]) => ({ type: 'noise', dist: 'student_t', df, scale })),
  // Polynomial trends in rows or time units; AR(p) with longer memory (near a unit root, oscillating); defaults left out.
  fc.tuple(num(-5, 5), num(-1, 1), num(-0.1, 0.1), fc.constantFrom(1, 1000, '1h', '1d')).map(([c0, c1, c2, unit]) => ({ type: 'trend', coefficients: [c0, c1 / 100, c2 / 1e6], unit })),
  fc.constantFrom([0.5, 0.3], [1.2, -0.5], [0.3, -0.2, 0.1], [0.999], [-0.99], [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]).map((coefficients) => ({ type: 'ar', coefficients })),
  fc.constant({ type: 'random_walk', sd: 1e-6 }),
  num(0.01, 5).map((sd) => ({ type: 'noise', dist: 'normal', sd })),
  fc.constantFrom('sine', 'square', 'sawtooth', 'triangle').map((type) => ({ type, period: 2 })),
);
const processVar = fc.tuple(fc.array(component, { minLength: 1, maxLength: 4 }), fc.constantFrom('float64', 'float32')).map(([components, dtype]) => ({ type: 'process', dtype, components }));

/** A CommonJS TypeScript module: drawn only for runs of the built binary (vitest's in-process module runner cannot load .cts). */
const ctsVar = fc.constant({ type: 'callback', module: 'cb.cts', normal: 'level', anomalous: 'burst' });

const callbackVar = fc.constantFrom(
  { type: 'callback', module: 'cb.js', normal: 'level', anomalous: 'burst' },
  { type: 'callback', module: 'cb.js', normal: 'level' },
  { type: 'callback', module: 'cb.js', normal: 'state', dtype: 'string', values: ['low', 'mid', 'high'] },
  { type: 'callback', module: 'cb.js', normal: 'flag', dtype: 'bool' },
  { type: 'callback', module: 'cb.js', normal: 'count', dtype: 'int32' },
  { type: 'callback', module: 'cb.cjs', normal: 'level', anomalous: 'burst' },
  { type: 'callback', module: 'cb.cjs', normal: 'state', dtype: 'string', values: ['low', 'mid', 'high'] },
  { type: 'callback', module: 'cb.ts', normal: 'level' },
  { type: 'callback', module: 'cb.ts', normal: 'count', dtype: 'int64' },
  { type: 'callback', module: 'cb2.mjs', normal: 'level', anomalous: 'burst', dtype: 'float32', description: 'an ES module with the .mjs extension' },
  { type: 'callback', module: 'cb.mts', normal: 'level' },
  // Reads the values of the variables named by `after` (filled in where they exist).
  { type: 'callback', module: 'cb.js', normal: 'sum', after: 'AFTER' },
);

/** The source files writeInputs writes, with the column to replay and the timestamp column to map. */
const SOURCES = [
  { file: 'cpu.csv', column: 'value', time: 'timestamp', rows: 4032 },
  { file: 'odd.csv', column: 'cpu value', time: 'time stamp', rows: 997 },
  { file: 'odd.parquet', column: 'load', time: 'ts', rows: 3001 },
  { file: 'tz.csv', column: 'load', time: 'timestamp', rows: 2000 },
  { file: 'gappy.csv', column: 'value', time: 'timestamp', rows: 1500, missing: 'hold' },
  { file: 'gappy.csv', column: 'value', time: 'timestamp', rows: 1500, missing: 'keep' },
];
const sourceVar = fc.record({
  src: fc.constantFrom(...SOURCES),
  timestamps: fc.constantFrom('ignore', 'map'),
  past_end: fc.constantFrom('cycle', 'hold'),
  offset: fc.option(fc.integer({ min: 0, max: 996 }), { nil: undefined }),
  drift: fc.option(fc.oneof(fc.record({ offset: num(0.01, 3), gain: num(0.01, 0.5), every: fc.integer({ min: 2, max: 500 }) }), fc.record({ offset: num(0.01, 3), every: fc.integer({ min: 2, max: 500 }) }), fc.record({ gain: num(0.01, 0.99), every: fc.integer({ min: 2, max: 500 }) })), { nil: undefined }),
  float32: fc.boolean(),
}).map(({ src, timestamps, past_end, offset, drift, float32 }) => ({
  type: 'source',
  file: src.file,
  column: src.column,
  ...(float32 ? { dtype: 'float32' } : {}),
  // `map` names the time column unless it is called `timestamp`; an offset is for replayed rows.
  timestamps: timestamps === 'map' ? (src.time === 'timestamp' ? 'map' : { map: src.time }) : 'ignore',
  past_end,
  ...(timestamps === 'ignore' && offset !== undefined ? { offset } : {}),
  ...(drift ? { drift } : {}),
  ...('missing' in src ? { missing: src.missing } : {}),
}));

/** A vae variable with its options: dtype, the measure of its regions, an inner and outlier band, a group shared with a second one. */
const vaeVar = fc.record(
  {
    dtype: fc.constantFrom('float64', 'float32'),
    measure: fc.constantFrom('gaussian', 'empirical'),
    inner: fc.constantFrom(0.5, 0.9),
    outlier: fc.constantFrom([0.95, 0.99], [0.99, 0.9999], [0.9, 0.999]),
    group: fc.constant('pair'),
  },
  { requiredKeys: [] },
).map((o) => ({
  type: 'vae',
  model: 'vae',
  ...o,
  // The inner band (default 0.95) ends where the outlier band begins at the latest; only the empirical measure has a largest radius (quantile 1).
  ...(o.outlier?.[0] === 0.9 && (o.inner ?? 0.95) > 0.9 ? { inner: 0.5 } : {}),
  ...(o.measure === 'empirical' && o.outlier?.[0] === 0.9 ? { outlier: [0.9, 1] } : {}),
}));

const direction = fc.constantFrom('up', 'down', 'both');
const baseKind = fc.oneof(
  fc.record({ kind: fc.constant('spike'), magnitude: param(0.5, 10), direction }),
  fc.record({ kind: fc.constant('level_shift'), shift: param(0.5, 5), direction }),
  fc.record({ kind: fc.constant('variance'), sd: param(0.1, 3) }),
  fc.record({ kind: fc.constant('variance'), factor: param(1.5, 5), sd: param(0.1, 1) }),
  fc.record({ kind: fc.constant('trend'), slope: param(0.001, 0.1), direction }),
  fc.record({ kind: fc.constant('amplitude'), factor: param(0.1, 3) }),
  fc.record({ kind: fc.constant('flat_line') }),
  fc.record({ kind: fc.constant('flat_line'), value: num(-10, 10) }),
  fc.record({ kind: fc.constant('dropout'), rate: num(0.1, 1) }),
  fc.record({ kind: fc.constant('noise'), magnitude: param(0.1, 3), direction: fc.constantFrom('up', 'down', 'both'), wave: fc.constantFrom('sine', 'square'), wave_period: fc.integer({ min: 2, max: 50 }) }),
  fc.record({ kind: fc.constant('time_warp'), factor: param(0.3, 3) }),
  fc.record({ kind: fc.constant('pattern_shift'), shift: fc.integer({ min: 1, max: 20 }), direction: fc.constantFrom('late', 'early', 'both') }),
  fc.record({ kind: fc.constant('reversal') }),
  fc.record({ kind: fc.constant('smoothing'), window: fc.integer({ min: 3, max: 31 }) }),
  fc.record({ kind: fc.constant('clipping'), level: num(0.1, 0.9), direction: fc.constantFrom('up', 'down') }),
  fc.record({ kind: fc.constant('learned'), model: fc.constant('vae'), quantile: fc.constant([0.99, 0.999]), direction: fc.constantFrom('random', 'own'), residual: fc.constantFrom('keep', 'drop'), variables: fc.constant(['t']) }),
  fc.record({ kind: fc.constant('learned'), model: fc.constant('vae'), quantile: fc.constantFrom(0.995, [0.9, 0.95]), blend: fc.constantFrom(1, 4, 0.5), measure: fc.constantFrom('gaussian', 'empirical'), min_effect: fc.constantFrom(0.5, [0.2, 2]), variables: fc.constantFrom('t', ['t', 't2']) }, { requiredKeys: ['kind', 'model', 'variables'] }),
  fc.record({ kind: fc.constant('replay'), lag: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ kind: fc.constant('frequency'), factor: param(1.5, 4), variables: fc.constant(['t']) }),
  fc.record({ kind: fc.constant('correlation_break'), variables: fc.constant(['t', 't2']) }),
  fc.record({ kind: fc.constant('lag'), lag: fc.integer({ min: 1, max: 20 }), channel: fc.constantFrom('t', 't2', 'any'), variables: fc.constant(['t', 't2']) }),
);
/** A kind, sometimes with its own weight and duration range. */
const kind = fc.tuple(baseKind, fc.option(fc.oneof(fc.integer({ min: 1, max: 5 }), num(0.01, 0.5)), { nil: undefined }), fc.option(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 60 })), { nil: undefined }), fc.option(fc.constantFrom('t', ['t2'], ['t', 't2']), { nil: undefined })).map(([k, weight, d, targets]) => ({
  ...k,
  ...(weight !== undefined ? { weight } : {}),
  // A fixed length is a single value.
  ...(d ? { duration: d[1] === 0 ? d[0] : [d[0], d[0] + d[1]] } : {}),
  // The variables a kind acts on, named (kinds naming their own keep them).
  ...(targets !== undefined && !('variables' in k) ? { variables: targets } : {}),
}));
/** Kinds on the members of the correlated group `g` (drawn only with it). */
const groupKind = fc.oneof(
  fc.record({ kind: fc.constant('decorrelate'), mode: fc.constantFrom('remove', 'flip'), variables: fc.constant(['ga']) }),
);

const anomalies = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        how: fc.oneof(num(0.0005, 0.05).map((frequency) => ({ frequency })), fc.integer({ min: 1, max: 5 }).map((count) => ({ count }))),
        duration: fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 100 })).map(([a, w]) => [a, a + w]),
        kinds: fc.option(fc.array(kind, { minLength: 1, maxLength: 4 }), { nil: undefined }),
        // Every form: a number, or { value } with tries and below each given or left out.
        minEffect: fc.option(fc.oneof(num(0.05, 1), fc.record({ value: num(0.05, 1), tries: fc.integer({ min: 1, max: 6 }), below: fc.constantFrom('drop', 'normal') }, { requiredKeys: ['value'] })), { nil: undefined }),
        cleanTwin: fc.boolean(),
        label: fc.option(fc.constantFrom('window', 'changed'), { nil: undefined }),
        minChange: fc.option(num(0, 1), { nil: undefined }),
        margin: fc.option(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))), { nil: undefined }),
      })
      .map(({ how, duration, kinds, minEffect, label, minChange, margin, cleanTwin }) => ({
        ...how,
        duration,
        ...(cleanTwin ? { clean_twin: true } : {}),
        ...(kinds ? { kinds } : {}),
        ...(kinds && minEffect !== undefined ? { min_effect: minEffect } : {}),
        ...(label ? { label } : {}),
        ...(label === 'changed' && minChange !== undefined ? { min_change: minChange } : {}),
        ...(margin !== undefined ? { label_margin: margin } : {}),
      })),
  },
);

/** A process whose periods given as durations span at least 2 rows at the step (a shorter one aliases and is refused). */
function atLeastTwoRows(v: Record<string, unknown> & { components: Array<Record<string, unknown>> }, stepMs: number): Record<string, unknown> {
  const spanMs: Record<string, number> = { '1h': 3_600_000, '1d': 86_400_000 };
  const fit = (k: Record<string, unknown>) => (typeof k['period'] === 'string' && spanMs[k['period']]! < 2 * stepMs ? { ...k, period: `${2 * stepMs}ms` } : k);
  return { ...v, components: v.components.map(fit) };
}

/** Timeline steps in every unit, whole and fractional spellings, and their milliseconds. */
const STEP_MS: Record<string, number> = { '1ms': 1, '7ms': 7, '250ms': 250, '1s': 1000, '1.001s': 1001, '1.5s': 1500, '10s': 10_000, '90s': 90_000, '86400s': 86_400_000, '1m': 60_000, '5m': 300_000, '13m': 780_000, '0.25h': 900_000, '0.5h': 1_800_000, '1h': 3_600_000, '1d': 86_400_000, '2d': 172_800_000, '3d': 259_200_000 };

/** Spellings of an instant the README allows: UTC with Z, no zone (UTC), a space for T, a date alone, offsets with and without a colon or in hours alone, milliseconds. */
const START_FORMS = ['z', 'nozone', 'space', 'date', 'offset', 'negoffset', 'hours', 'frac'] as const;

/** `ms` (moved to what the form can say: midnight for a date, +123 ms for `frac`) spelled in `form`, and the instant it names. */
export function spellInstant(ms: number, form: (typeof START_FORMS)[number]): { text: string; ms: number } {
  const at = form === 'date' ? Math.floor(ms / 86_400_000) * 86_400_000 : form === 'frac' ? ms + 123 : ms;
  const iso = (t: number) => new Date(t).toISOString();
  const plain = (t: number) => (t % 1000 === 0 ? iso(t).slice(0, 19) : iso(t).slice(0, 23));
  switch (form) {
    case 'nozone':
      return { text: plain(at), ms: at };
    case 'space':
      return { text: plain(at).replace('T', ' '), ms: at };
    case 'date':
      return { text: iso(at).slice(0, 10), ms: at };
    case 'offset':
      return { text: `${plain(at + 5.5 * 3_600_000)}+05:30`, ms: at };
    case 'hours':
      // An offset of whole hours alone, as DuckDB and PostgreSQL write one.
      return { text: `${plain(at + 3 * 3_600_000).replace('T', ' ')}+03`, ms: at };
    case 'negoffset':
      return { text: `${plain(at - 8 * 3_600_000)}-0800`, ms: at };
    default:
      return { text: iso(at), ms: at };
  }
}

/** One drawn case: the scenario document and how to run it. */
export interface ValidCase {
  doc: Record<string, unknown>;
  format: 'parquet' | 'arrow' | 'csv';
  compression: 'snappy' | 'zstd' | 'none';
  shardRows: number | undefined;
  workers: number;
  withClean: boolean;
  /** train's share of the timeline when the case may also be written as splits (frequency placement). */
  splits: number | undefined;
  /** The document with its own `splits:` section (train as rows, a fraction or a duration) giving the same splits as `--splits <splits>`, or undefined. */
  splitsDoc: Record<string, unknown> | undefined;
  /** The timeline's rows (the document may give `end` instead). */
  rows: number;
}

/** Valid cases of at most `maxRows` timeline rows (a fleet's entities at most 20,000 each). */
export function validCase(maxRows = 140_001, o: { binary?: boolean } = {}): fc.Arbitrary<ValidCase> {
  return fc
    .record({
      seed: fc.nat({ max: 2 ** 31 }),
      rows: fc.constantFrom(1, 2, 7, 1000, 65_535, 65_536, 65_537, 140_001),
      step: fc.constantFrom(...Object.keys(STEP_MS)),
      // Timestamp jitter as a share of the step (under half: whole milliseconds, at least 1).
      jitter: fc.option(fc.constantFrom(0.001, 0.1, 0.3, 0.4999), { nil: undefined, freq: 2 }),
      start: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => Math.round(d.getTime() / 1000) * 1000),
      // How the timeline is written: the start's spelling, `end` instead of `rows`, durations in time units.
      startForm: fc.constantFrom(...START_FORMS),
      byEnd: fc.boolean(),
      timeDurations: fc.boolean(),
      stochastic: fc.array(stochastic, { minLength: 0, maxLength: 4 }),
      processes: fc.array(processVar, { minLength: 0, maxLength: 2 }),
      callbacks: fc.array(o.binary ? fc.oneof(callbackVar, ctsVar) : callbackVar, { minLength: 0, maxLength: 2 }),
      source: fc.option(sourceVar, { nil: undefined }),
      vae: fc.option(vaeVar, { nil: undefined }),
      groupKind: fc.option(groupKind, { nil: undefined }),
      perEntity: fc.boolean(),
      outages: fc.option(fc.record({ frequency: num(0.001, 0.05), duration: fc.constant([2, 30]), share: num(0.1, 1), kind: fc.constantFrom('flat_line', 'level_shift', 'spike'), amount: fc.constant([1, 3]) }), { nil: undefined }),
      id: fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: undefined }),
      // Ids as int32 up to its largest value, or int64 without a max (min + 2^53 - 1).
      idForm: fc.constantFrom('range', 'int32', 'nomax'),
      // The correlated group's other spellings: members as a list of names (standard normal), a null member, a member with its own dtype.
      groupForm: fc.constantFrom('marginals', 'names', 'null', 'member'),
      // What else the format allows once: a description, callback_timeout, allow_non_finite with a column that overflows, an entity key's name, entity names that are numbers, a one-variable key as a string.
      describe: fc.boolean(),
      timeout: fc.option(fc.constantFrom('45s', 120, '0.5h'), { nil: undefined }),
      nonFinite: fc.boolean(),
      entityKey: fc.option(fc.constantFrom('host', 'machine_id'), { nil: undefined }),
      numericNames: fc.boolean(),
      keyAsString: fc.boolean(),
      noStart: fc.boolean(),
      noStep: fc.boolean(),
      // With a model trained by writeInputs: its two channels as vae variables of one group.
      trained: o.binary ? fc.option(fc.record({ dtype: fc.constantFrom('float64', 'float32'), measure: fc.constantFrom('gaussian', 'empirical') }, { requiredKeys: [] }), { nil: undefined }) : fc.constant(undefined),
      correlated: fc.option(num(-0.95, 0.95), { nil: undefined }),
      // A `correlations:` group of a correlated variable and a process (its one noise component).
      corrProcess: fc.option(num(-0.95, 0.95), { nil: undefined }),
      countPerFleet: fc.boolean(),
      splits: fc.option(num(0.2, 0.8), { nil: undefined }),
      // The range the kinds' process and the source may take (checked against the data read back).
      limits: fc.option(fc.constantFrom([-2, 2], [null, 1.5], [0, null], [-1.25, 0.5], [10, 60]), { nil: undefined }),
      anomalies,
      unique: fc.option(fc.constantFrom('none', 'soft'), { nil: undefined }),
      entities: fc.option(fc.record({ count: fc.integer({ min: 1, max: 5 }), names: fc.constantFrom('count', 'names', 'source'), order: fc.constantFrom('entity_time', 'time_entity') }), { nil: undefined, freq: 2 }),
      outageCount: fc.boolean(),
      covariance: fc.boolean(),
      perEntityKind: fc.boolean(),
      hard: fc.boolean(),
      // Splits written by the scenario's own `splits:` (train as rows, a fraction or a duration; test the rest, spelled out or not).
      splitsForm: fc.constantFrom('option', 'fraction', 'rows', 'duration'),
      splitsTest: fc.constantFrom('none', 'rows', 'duration'),
      format: fc.constantFrom('parquet' as const, 'arrow' as const, 'csv' as const),
      compression: fc.constantFrom('snappy' as const, 'zstd' as const, 'none' as const),
      shardRows: fc.constantFrom(undefined, 65_536, 131_072),
      workers: fc.constantFrom(1, 2),
      withClean: fc.boolean(),
    })
    .map((c) => {
      const variables: Record<string, unknown> = {};
      c.stochastic.forEach((v, i) => (variables[`s${i}`] = v.doc));
      c.processes.forEach((v, i) => (variables[`p${i}`] = atLeastTwoRows(v, STEP_MS[c.noStep ? '1s' : c.step]!)));
      c.callbacks.forEach((v, i) => (variables[`c${i}`] = v));
      if (c.source) variables['src'] = c.limits ? { ...c.source, limits: c.limits } : c.source;
      if (c.vae) {
        variables['v'] = c.vae;
        // A group decodes the same latent draws: a second member of it.
        if ('group' in c.vae) variables['v2'] = { type: 'vae', model: 'vae', group: c.vae.group, ...('measure' in c.vae ? { measure: c.vae.measure } : {}), ...('inner' in c.vae ? { inner: c.vae.inner } : {}), ...('outlier' in c.vae ? { outlier: c.vae.outlier } : {}) };
      }
      if (c.trained) {
        variables['m_load'] = { type: 'vae', model: 'vae2', channel: 'load', group: 'm', ...c.trained };
        variables['m_other'] = { type: 'vae', model: 'vae2', channel: 'other', group: 'm', ...('measure' in c.trained ? { measure: c.trained.measure } : {}) };
      }
      if (c.id !== undefined) variables['id'] = c.idForm === 'int32' ? { type: 'id', dtype: 'int32', min: -c.id, max: 2 ** 31 - 1 } : c.idForm === 'nomax' ? { type: 'id', min: -c.id } : { type: 'id', min: c.id, max: c.id + 10_000_000 };
      if (c.correlated !== undefined) {
        const members =
          c.groupForm === 'names' ? ['ga', 'gb'] : c.groupForm === 'null' ? { ga: null, gb: { dist: 'uniform', min: 0, max: 1 } } : c.groupForm === 'member' ? { ga: { dtype: 'float32', marginal: { dist: 'exponential', rate: 2 } }, gb: { description: 'a member in its own words' } } : { ga: { dist: 'normal', mean: 5, sd: 1 }, gb: { dist: 'uniform', min: 0, max: 1 } };
        variables['g'] = c.covariance
          ? { type: 'correlated', covariance: [[4, 2 * c.correlated], [2 * c.correlated, 1]], mean: [5, 0], variables: ['ga', 'gb'] }
          : { type: 'correlated', correlation: [[1, c.correlated], [c.correlated, 1]], variables: members, ...(c.describe ? { description: 'a group' } : {}) };
      }
      const correlations = c.corrProcess === undefined ? undefined : { lines: { variables: ['ca', 'cp'], correlation: [[1, c.corrProcess], [c.corrProcess, 1]] } };
      if (correlations) {
        variables['ca'] = { type: 'correlated', dtype: 'float32', marginal: { dist: 'lognormal', mu: 0.5, sigma: 0.2 } };
        variables['cp'] = atLeastTwoRows({ type: 'process', components: [{ type: 'sawtooth', period: '1h', amplitude: 4 }, { type: 'noise', sd: 1.5 }] }, STEP_MS[c.noStep ? '1s' : c.step]!);
      }
      // Kinds act on numeric variables without an anomalous definition: there are always two.
      const drawn = c.anomalies as (Record<string, unknown> & { kinds?: unknown[]; count?: number; duration: number[]; min_effect?: unknown; label?: string }) | undefined;
      if (drawn?.kinds || Object.keys(variables).length === 0) {
        const amplitude = c.entities && c.perEntity ? { per_entity: { dist: 'uniform', min: 1, max: 5 } } : 3;
        variables['t'] = { type: 'process', components: [{ type: 'sine', period: 50, amplitude }, { type: 'noise', sd: 0.5 }] };
        variables['t2'] = { type: 'process', components: [{ type: 'triangle', period: 80, amplitude: 2 }, { type: 'ar', coefficients: [0.5], sd: 0.3 }] };
        if (c.limits) variables['t'] = { ...(variables['t'] as object), limits: c.limits };
      }
      // A callback's `after`: the numeric variables declared after it that exist, else none.
      for (const [name, v] of Object.entries(variables)) {
        const cb = v as { after?: unknown };
        if (cb.after !== 'AFTER') continue;
        const later = ['t', 't2', 'src', 'id'].filter((n) => n in variables);
        variables[name] = { ...cb, ...(later.length ? { after: later.length === 1 && c.keyAsString ? later[0] : later } : { after: undefined }) };
        if (!later.length) delete (variables[name] as { after?: unknown }).after;
      }
      // A column past float64 where the scenario allows non-finite values (its own anomalous definition keeps kinds off it).
      if (c.nonFinite) variables['nf'] = { normal: { dist: 'lognormal', mu: 705, sigma: 3 }, anomalous: { dist: 'uniform', min: -1e308, max: 1e308 } };
      // A fleet's spikes may draw their magnitude per entity.
      const perEntityKind = (k: unknown) => (c.entities && c.perEntityKind && (k as { kind: string }).kind === 'spike' ? { ...(k as object), magnitude: { per_entity: { dist: 'uniform', min: 0.5, max: 5 } } } : k);
      const kinds = drawn?.kinds ? [...drawn.kinds.map(perEntityKind), ...(c.groupKind && variables['g'] ? [c.groupKind] : [])] : undefined;
      // Uniqueness, soft or none so that a run always ends: by default keyed on every stochastic
      // variable; with kinds, on those no kind changes (strings, booleans, those with their own anomalous definition).
      const key = kinds ? c.stochastic.flatMap((v, i) => (v.dtype === 'string' || v.dtype === 'bool' || v.anomalous ? [`s${i}`] : [])) : undefined;
      // Events measured (min_effect, label: changed) beside uniqueness need keys no measured value
      // depends on: no key with its own anomalous definition, no callback (it could read a key).
      const measured = drawn?.min_effect !== undefined || drawn?.label === 'changed';
      const keyNames = key ?? c.stochastic.map((_, i) => `s${i}`);
      const measurable = c.callbacks.length === 0 && keyNames.every((n) => !c.stochastic[Number(n.slice(1))]!.anomalous);
      const keyed = c.unique && c.stochastic.length > 0 && (!key || key.length > 0) && (!measured || measurable);
      // Hard uniqueness only where a key variable is a continuous float64 in both classes, so no run can exhaust its tries.
      const roomy = c.stochastic.some((v, i) => (!key || key.includes(`s${i}`)) && v.dtype === 'float64' && v.roomy);
      const mode = c.hard && roomy ? 'hard' : c.unique;
      const uniqueness = keyed ? { ...(key ? { key: key.length === 1 && c.keyAsString ? key[0] : key } : {}), normal: { mode, tries: 4 }, anomalous: { mode, tries: 4 }, ...(c.entities && c.keyAsString ? { scope: 'entity' } : {}) } : undefined;
      const names = c.entities ? Array.from({ length: c.entities.count }, (_, i) => `host-${i}`) : [];
      const who = !c.entities ? {} : c.entities.names === 'names' ? { names: c.numericNames ? names.map((_, i) => 100 - 7 * i) : names } : c.entities.names === 'source' ? { source: `hosts-${names.length}.txt` } : { count: c.entities.count };
      const entities = c.entities ? { ...who, order: c.entities.order, ...(c.entityKey ? { key: c.entityKey } : {}) } : undefined;
      // A fleet's outages (with frequency) act on t, a float variable.
      const { amount, ...outage } = c.outages ?? { amount: undefined };
      const rows = Math.min(c.rows, maxRows, entities ? 20_000 : maxRows);
      // An exact count of outages must fit: 2 rows at least each, a row between them.
      const { frequency: outageFrequency, ...outageRest } = outage as { frequency?: number };
      const outageCount = 1 + Math.floor((outageFrequency ?? 0) * 40);
      const outageHow = c.outageCount && outageCount * 3 <= rows ? { count: outageCount } : { frequency: outageFrequency };
      const outages = entities && c.outages && kinds && drawn?.count === undefined ? { ...outageRest, ...outageHow, ...(c.outages.kind === 'flat_line' ? {} : { amount }), variables: ['t'] } : undefined;
      // An exact count must fit: events of their shortest length, a normal row between them.
      // (the longest of the kinds' own shortest lengths).
      const lowest = (d: number | number[] | undefined) => (typeof d === 'number' ? d : (d?.[0] ?? 1));
      const shortest = Math.max(lowest(drawn?.duration), ...((kinds ?? []) as Array<{ duration?: number | number[] }>).map((k) => lowest(k.duration)));
      const count = drawn?.count === undefined ? undefined : Math.min(drawn.count, Math.floor(rows / (shortest + 1)));
      const perFleet = entities && count !== undefined && c.countPerFleet ? { count_per: 'fleet' } : {};
      // The step left to its default (1s) names 1s.
      const step = c.noStep ? '1s' : c.step;
      const stepMs = STEP_MS[step]!;
      const jitterMs = c.jitter === undefined ? 0 : Math.min(Math.floor(c.jitter * stepMs), Math.floor((stepMs - 1) / 2));
      // Durations in time units, where they name the same rows (a whole number of milliseconds per row).
      const spelled = drawn && c.timeDurations ? drawn.duration.map((n) => `${n * stepMs}ms`) : drawn?.duration;
      // A fixed length as a single value.
      const duration = spelled && spelled[0] === spelled[1] ? spelled[0] : spelled;
      const anomaliesDoc = !drawn || count === 0 ? undefined : { ...drawn, duration, ...(count !== undefined ? { count } : {}), ...perFleet, ...(kinds ? { kinds } : {}), ...(outages ? { outages } : {}) };
      // The start as the form spells it; the last row at or before 9999-12-31 whatever the step.
      // Left out, the start is 1970-01-01T00:00:00Z.
      const start = c.noStart ? { text: undefined, ms: 0 } : spellInstant(Math.min(c.start, 253_402_300_799_999 - 123 - rows * stepMs), c.startForm);
      const end = spellInstant(start.ms + rows * stepMs, start.ms % 1000 === 0 ? 'offset' : 'z');
      const doc: Record<string, unknown> = {
        name: 'drawn',
        ...(c.describe ? { description: 'drawn by the fuzz campaign — ünïcödé, "quotes", commas, and a\nnewline' } : {}),
        seed: c.seed,
        ...(c.timeout !== undefined ? { callback_timeout: c.timeout } : {}),
        ...(c.nonFinite ? { allow_non_finite: true } : {}),
        timeline: { ...(start.text !== undefined ? { start: start.text } : {}), ...(c.noStep ? {} : { step }), ...(c.byEnd ? { end: end.text } : { rows }), ...(jitterMs >= 1 ? { jitter: `${jitterMs}ms` } : {}) },
        ...(anomaliesDoc ? { anomalies: anomaliesDoc } : {}),
        ...(uniqueness ? { uniqueness } : {}),
        ...(entities ? { entities } : {}),
        ...(correlations ? { correlations } : {}),
        variables,
      };
      // Splits need placement by frequency and a few rows on each side.
      const splits = c.splits !== undefined && anomaliesDoc && count === undefined && !(outages && 'count' in outages) && rows >= 7 ? c.splits : undefined;
      // The same splits from the scenario's own section: `--splits F` keeps round(F × rows) rows for train.
      const trainRows = splits === undefined ? 0 : Math.max(1, Math.round(splits * rows));
      const train = c.splitsForm === 'fraction' ? splits : c.splitsForm === 'rows' ? trainRows : `${trainRows * stepMs}ms`;
      const test = c.splitsTest === 'rows' ? rows - trainRows : c.splitsTest === 'duration' ? `${(rows - trainRows) * stepMs}ms` : undefined;
      const splitsDoc = splits === undefined || c.splitsForm === 'option' ? undefined : { ...doc, splits: { train, ...(test !== undefined && test !== 0 && test !== '0ms' ? { test } : {}) } };
      return { doc, format: c.format, compression: c.compression, shardRows: c.shardRows, workers: c.workers, withClean: c.withClean, splits, splitsDoc, rows };
    });
}

/** Where the NAB corpus is (the shared data beside the repository). */
export const NAB_DATA = resolve(ROOT, '../shared/data/nab/data');

/** Every NAB series as `<folder>/<file>.csv`, sorted. */
export function nabFiles(): string[] {
  if (!existsSync(NAB_DATA)) return [];
  return readdirSync(NAB_DATA, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(NAB_DATA, d.name)).filter((f) => f.endsWith('.csv')).map((f) => `${d.name}/${f}`))
    .sort();
}

/** Copies the NAB corpus under `dir/nab/` for the scenarios of nabCases. */
export function writeNabInputs(dir: string): void {
  for (const f of nabFiles()) cpSync(join(NAB_DATA, f), join(dir, 'nab', f), { recursive: true });
}

const NAB_KINDS: Array<Array<Record<string, unknown>>> = [
  [{ kind: 'spike', magnitude: [3, 8], duration: 1 }, { kind: 'level_shift', shift: [2, 5] }, { kind: 'flat_line' }],
  [{ kind: 'dropout', rate: 0.7 }, { kind: 'noise', magnitude: [1, 3], direction: 'up', wave: 'square', wave_period: 12 }, { kind: 'trend', slope: [0.05, 0.2] }],
  [{ kind: 'time_warp', factor: [0.4, 2.5] }, { kind: 'smoothing', window: 9 }, { kind: 'clipping', level: 0.6 }, { kind: 'reversal' }],
  [{ kind: 'replay', lag: '1d' }, { kind: 'pattern_shift', shift: 6, direction: 'both' }, { kind: 'amplitude', factor: [0.2, 0.5] }, { kind: 'variance', sd: [1, 2] }],
];
const NAB_STARTS = ['2024-03-31T00:30:00+01:00', '2024-10-27 01:30', '2014-03-09T01:00:00-05:00', '2014-11-02T05:59:59.750Z', '1969-12-31T22:00:00Z'];
const NAB_STEPS = ['5m', '1m', '10m', '5m', '90s'];

/**
 * A case per NAB series (real data the other tests never read): replayed by a `source`
 * variable on a timeline starting at a clock change, with its timestamps mapped where they
 * increase strictly (else replayed row by row; duplicates and a backward jump are NAB's),
 * cycled or held past the file's end, drifted, under anomaly kinds of every family with
 * `min_effect` forms, label modes and margins; and written as splits.
 */
export function nabCases(): ValidCase[] {
  return nabFiles().map((f, j) => {
    const text = readFileSync(join(NAB_DATA, f), 'utf8');
    const times = text.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => Date.parse(l.split(',')[0]!.replace(' ', 'T') + 'Z'));
    const fileRows = times.length;
    const increasing = times.every((t, i) => i === 0 || t > times[i - 1]!);
    const rows = [2 * fileRows + 17, 65_537, 140_001, fileRows - 3][j % 4]!;
    const exact = j % 4 === 3;
    const source = {
      type: 'source',
      file: `nab/${f}`,
      column: 'value',
      timestamps: increasing && !exact ? 'map' : 'ignore',
      past_end: exact ? 'error' : j % 2 === 0 ? 'cycle' : 'hold',
      ...(exact ? { offset: 3 } : {}),
      ...(j % 3 === 0 ? { drift: { offset: 0.5, gain: 0.1, every: 288 } } : {}),
    };
    const minEffect = [undefined, 0.5, { value: 1, below: 'normal' }, { value: 0.3, tries: 3 }][j % 4];
    const anomalies = {
      frequency: [0.01, 0.02, 0.03][j % 3],
      duration: ['15m', '3h'],
      kinds: NAB_KINDS[j % NAB_KINDS.length],
      ...(minEffect !== undefined ? { min_effect: minEffect } : {}),
      ...(j % 2 === 1 ? { label: 'changed' } : {}),
      ...(j % 5 === 2 ? { label_margin: [6, 12] } : {}),
    };
    const doc = {
      name: `nab-${f.replace(/[/.]/g, '-')}`,
      seed: 1000 + j,
      timeline: { start: NAB_STARTS[j % NAB_STARTS.length], step: NAB_STEPS[j % NAB_STEPS.length], rows },
      anomalies,
      variables: { value: source, load: { type: 'process', components: [{ type: 'sine', period: '1d', amplitude: 5 }, { type: 'noise', sd: 0.5 }] } },
    };
    return {
      doc,
      format: (['parquet', 'csv', 'arrow'] as const)[j % 3]!,
      compression: (['snappy', 'zstd', 'none'] as const)[j % 3]!,
      shardRows: [undefined, 65_536, 131_072][j % 3],
      workers: 2,
      withClean: j % 2 === 0,
      splits: 0.7,
      splitsDoc: { ...doc, splits: { train: j % 2 === 0 ? 0.7 : Math.round(0.7 * rows) } },
      rows,
    };
  });
}
