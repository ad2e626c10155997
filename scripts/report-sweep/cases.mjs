/**
 * The datasets of the report sweep (scripts/report-sweep/run.mjs): every bundled scenario,
 * fleets (with and without the clean twin, CSV, time_entity order, splits, grown), splits,
 * CSV and Arrow shards, every dtype, no anomalies, every row anomalous, 1 to 3 rows, long
 * names and awkward categories, a grown dataset, merged parts, 75,000 events, constant and
 * dropped-out series, extreme timelines and magnitudes, 40 variables, only strings, and
 * 10.5M rows. Each case generates its dataset(s) with the command line and returns
 * [{ name, dir }] to report.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

const CLI = 'dist/src/cli/main.js';
export function paranom(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`paranom ${args.join(' ')} → ${r.status}\n${r.stderr}`);
  return r;
}
function scen(root, name, obj) {
  const f = join(root, name + '.json');
  writeFileSync(f, JSON.stringify(obj));
  return f;
}
const X = { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 5, sd: 1 } };

export function cases(root) {
  mkdirSync(root, { recursive: true });
  const gen = (name, scenario, ...args) => {
    const out = join(root, name);
    paranom('generate', scenario, '--out', out, '--workers', '2', ...args);
    return [{ name, dir: out }];
  };
  const list = [];
  const bundled = ['anomaly-kinds', 'callback-flow', 'correlated-plant', 'nab-cpu-injection', 'nab-shapes', 'process-load', 'reference-13col', 'unique-keys', 'valve-sensors'];
  for (const b of bundled) list.push([`scen-${b}`, () => {
    const r = gen(`scen-${b}`, `scenarios/${b}.yaml`, '--rows', '200000');
    if (b === 'correlated-plant') return ['train_clean', 'train', 'test'].map((s) => ({ name: `scen-${b}/${s}`, dir: join(r[0].dir, s) }));
    return r;
  }]);
  // A smaller fleet of the bundled fleet scenario (1,000 entities would be 10M rows).
  const fleet = YAML.parse(readFileSync('scenarios/fleet-servers.yaml', 'utf8'));
  fleet.entities.count = 40;
  fleet.timeline.rows = 5000;
  const fleetFile = () => scen(root, 'fleet', fleet);
  list.push(['fleet', () => gen('fleet', fleetFile())]);
  list.push(['fleet-clean', () => gen('fleet-clean', fleetFile(), '--with-clean')]);
  list.push(['fleet-csv', () => gen('fleet-csv', fleetFile(), '--format', 'csv', '--with-clean')]);
  const fleetTE = { ...fleet, name: 'fleet-te', entities: { ...fleet.entities, order: 'time_entity' } };
  list.push(['fleet-time-entity', () => gen('fleet-time-entity', scen(root, 'fleet-te', fleetTE), '--with-clean')]);
  list.push(['splits', () => {
    const out = join(root, 'splits');
    paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '200000', '--splits', '0.6', '--out', out, '--with-clean');
    return ['train_clean', 'train', 'test'].map((s) => ({ name: `splits/${s}`, dir: join(out, s) }));
  }]);
  list.push(['fleet-splits', () => {
    const out = join(root, 'fleet-splits');
    paranom('generate', fleetFile(), '--splits', '0.5', '--out', out);
    return ['train_clean', 'train', 'test'].map((s) => ({ name: `fleet-splits/${s}`, dir: join(out, s) }));
  }]);
  for (const fmt of ['csv', 'arrow']) {
    list.push([`kinds-${fmt}`, () => gen(`kinds-${fmt}`, 'scenarios/anomaly-kinds.yaml', '--rows', '150000', '--format', fmt, '--with-clean')]);
    list.push([`ref-${fmt}`, () => gen(`ref-${fmt}`, 'scenarios/reference-13col.yaml', '--rows', '100000', '--format', fmt)]);
    list.push([`dtypes-${fmt}`, () => gen(`dtypes-${fmt}`, scen(root, 'dtypes', DTYPES), '--format', fmt)]);
  }
  list.push(['dtypes', () => gen('dtypes', scen(root, 'dtypes', DTYPES))]);
  list.push(['no-anomalies', () => gen('no-anomalies', scen(root, 'none', { seed: 3, timeline: { rows: 50000 }, variables: { x: X } }))]);
  list.push(['zero-realised', () => gen('zero-realised', scen(root, 'zero', { seed: 3, timeline: { rows: 300 }, anomalies: { frequency: 0.0001, duration: [1, 2] }, variables: { x: X } }))]);
  list.push(['all-anomalous', () => gen('all-anomalous', scen(root, 'all', { seed: 3, timeline: { rows: 500 }, anomalies: { count: 1, duration: [500, 500] }, variables: { x: X } }))]);
  list.push(['all-anomalous-margin', () => gen('all-anomalous-margin', scen(root, 'allm', { seed: 3, timeline: { rows: 500 }, anomalies: { count: 1, duration: [480, 480], label_margin: 20 }, variables: { x: X } }))]);
  for (const n of [1, 2, 3]) {
    list.push([`rows-${n}`, () => gen(`rows-${n}`, scen(root, `rows${n}`, { seed: 3, timeline: { rows: n }, anomalies: { count: 1, duration: [1, 1] }, variables: { x: X, k: { normal: { dist: 'categorical', values: ['a', 'b'] } } } }), '--with-clean')]);
  }
  list.push(['rows-1-none', () => gen('rows-1-none', scen(root, 'rows1n', { seed: 3, timeline: { rows: 1 }, variables: { x: X } }))]);
  const longName = 'temperature_sensor_' + 'x'.repeat(230);
  list.push(['unicode', () => gen('unicode', scen(root, 'unicode', { name: 'ünïcødé <script>alert(1)</script> & "quotes"', seed: 3, timeline: { rows: 20000 }, anomalies: { frequency: 0.02, duration: [10, 50], kinds: [{ kind: 'spike', magnitude: [4, 8] }, { kind: 'level_shift', shift: [2, 4] }] }, variables: { [longName]: { normal: { dist: 'normal', mean: 0, sd: 1 } }, a_b_c_d: { normal: { dist: 'normal', mean: 1, sd: 1 } }, etat: { normal: { dist: 'categorical', values: ['marche', 'arrêt', '<b>x</b>', 'naïve "q"', 'line\nbreak', '', '温度センサー🌡️', '</script><script>alert(1)</script>'] } } } }), '--with-clean')]);
  list.push(['grown', () => {
    const out = join(root, 'grown');
    paranom('generate', 'scenarios/anomaly-kinds.yaml', '--rows', '100000', '--out', out, '--shard-rows', '65536');
    paranom('grow', out, '--rows', '300000');
    return [{ name: 'grown', dir: out }];
  }]);
  list.push(['fleet-grown', () => {
    const out = join(root, 'fleet-grown');
    paranom('generate', fleetFile(), '--out', out);
    paranom('grow', out, '--entities', '60');
    return [{ name: 'fleet-grown', dir: out }];
  }]);
  list.push(['parts', () => {
    const out = join(root, 'parts');
    for (const k of ['1/3', '2/3', '3/3']) paranom('generate', 'scenarios/valve-sensors.yaml', '--rows', '400000', '--shard-rows', '65536', '--part', k, '--out', out);
    paranom('merge-manifests', out);
    return [{ name: 'parts', dir: out }];
  }]);
  list.push(['many-events', () => gen('many-events', scen(root, 'many', { seed: 5, timeline: { rows: 1500000 }, anomalies: { frequency: 0.05, duration: [1, 3], kinds: [{ kind: 'spike', magnitude: [3, 6] }] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }))]);
  list.push(['constant', () => gen('constant', scen(root, 'const', { seed: 5, timeline: { rows: 5000 }, anomalies: { frequency: 0.02, duration: [10, 20], kinds: [{ kind: 'flat_line' }] }, variables: { c: { normal: { dist: 'constant', value: 7 } }, x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }))]);
  list.push(['dropout-all', () => gen('dropout-all', scen(root, 'dropall', { seed: 5, timeline: { rows: 5000 }, anomalies: { frequency: 0.3, duration: [100, 300], kinds: [{ kind: 'dropout', rate: 1 }] }, variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), '--with-clean')]);
  list.push(['long-time', () => gen('long-time', scen(root, 'longtime', { seed: 5, timeline: { start: '1970-01-01T00:00:00Z', step: '1d', rows: 100000 }, anomalies: { frequency: 0.01, duration: [5, 20] }, variables: { x: X } }))]);
  list.push(['tiny-step', () => gen('tiny-step', scen(root, 'tiny', { seed: 5, timeline: { step: '1ms', rows: 100000 }, anomalies: { frequency: 0.01, duration: [5, 20] }, variables: { x: X } }))]);
  list.push(['huge-values', () => gen('huge-values', scen(root, 'huge', { seed: 5, timeline: { rows: 20000 }, anomalies: { frequency: 0.01, duration: [5, 20] }, variables: { big: { normal: { dist: 'normal', mean: 1e300, sd: 1e299 } }, small: { normal: { dist: 'normal', mean: 0, sd: 1e-300 } }, lg: { normal: { dist: 'lognormal', mu: 0, sigma: 20 } } } }))]);
  list.push(['many-vars', () => {
    const vars = {};
    for (let i = 0; i < 40; i++) vars[`v${String(i).padStart(2, '0')}`] = X;
    return gen('many-vars', scen(root, 'manyvars', { seed: 5, timeline: { rows: 300000 }, anomalies: { frequency: 0.01, duration: [20, 100] }, variables: vars }));
  }]);
  list.push(['only-strings', () => gen('only-strings', scen(root, 'strings', { seed: 5, timeline: { rows: 5000 }, anomalies: { frequency: 0.05, duration: [5, 20] }, variables: { s: { normal: { dist: 'categorical', values: ['a', 'b'] }, anomalous: { dist: 'categorical', values: ['z'] } }, b: { normal: { dist: 'bernoulli', p: 0.1 }, anomalous: { dist: 'bernoulli', p: 0.9 } } } }))]);
  list.push(['big-10m', () => gen('big-10m', 'scenarios/valve-sensors.yaml', '--rows', '10500000', '--with-clean')]);
  return list;
}

const DTYPES = {
  name: 'dtypes', seed: 9, timeline: { rows: 70000 },
  anomalies: { frequency: 0.02, duration: [10, 60] },
  variables: {
    f64: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 5, sd: 1 } },
    f32: { dtype: 'float32', normal: { dist: 'uniform', min: 0, max: 1 }, anomalous: { dist: 'uniform', min: 2, max: 3 } },
    i32: { dtype: 'int32', normal: { dist: 'integer', min: -5, max: 5 }, anomalous: { dist: 'integer', min: 50, max: 60 } },
    i64: { normal: { dist: 'poisson', lambda: 3 }, anomalous: { dist: 'poisson', lambda: 30 } },
    flag: { normal: { dist: 'bernoulli', p: 0.1 }, anomalous: { dist: 'bernoulli', p: 0.9 } },
    state: { normal: { dist: 'categorical', values: ['idle', 'run', 'stop'], weights: [0.2, 0.7, 0.1] }, anomalous: { dist: 'categorical', values: ['fault'] } },
    level: { normal: { dist: 'categorical', values: [1, 2, 3] } },
    konst: { normal: { dist: 'constant', value: 4 } },
  },
};
