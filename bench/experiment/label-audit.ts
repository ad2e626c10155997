/**
 * Label audit of generated training data (no NAB test label is read): for each condition,
 * how far each labelled row moved from the clean series, in units of the training part's
 * robust sd (the detector's own unit), by kind, and how many events with labelled rows
 * move it by less than 1 such sd RMS.
 *
 *   node dist/bench/experiment/label-audit.js [--protocol long] [--conditions b,e] [--seed 1] [--series N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNab, robustScale } from './nab.js';
import { CANDIDATES } from './candidates.js';
import { generateCondition, scenarioText, trainModel, writeTrainingCsv, type SeriesContext } from './conditions.js';
import { LONG_GENERATED, longSeries } from './long.js';
import { parseScenario } from '../../src/reader/load.js';
import { prepareScenario } from '../../src/variables/registry.js';
import { eventsOverlapping } from '../../src/anomaly/events.js';
import { eventOutcome, measuresEvents } from '../../src/generate/event-outcome.js';

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

interface Acc { rows: number[]; events: number; labelled: number; eventRows: number; /** Each event's RMS move over its rows, in the training part's robust sd. */ rms: number[] }

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const long = arg('protocol') === 'long';
  const all = long ? longSeries(loadNab(resolve(join(here, '../../../../shared/data/nab')))) : loadNab(resolve(join(here, '../../../../shared/data/nab')));
  const series = arg('series') ? all.slice(0, Number(arg('series'))) : all;
  const seed = Number(arg('seed') ?? 1);
  const pool = long ? [...LONG_GENERATED, ...CANDIDATES] : CANDIDATES;
  const conds = (arg('conditions') ?? 'b,e').split(',').map((id) => pool.find((c) => c.id === id)!);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-audit-'));
  const acc = new Map<string, Acc>();
  const add = (key: string): Acc => acc.get(key) ?? (acc.set(key, { rows: [], events: 0, labelled: 0, eventRows: 0, rms: [] }), acc.get(key)!);
  try {
    for (const s of series) {
      const real = s.values.subarray(0, s.cut);
      const { scale } = robustScale(real);
      const csv = writeTrainingCsv(s, dir);
      const model = conds.some((c) => c.needsModel) ? await trainModel(csv, s.cut) : undefined;
      const ctx: SeriesContext = { sd: scale, rows: s.cut, fileRows: s.values.length, ...(model ? { model } : {}) };
      for (const c of conds) {
        const data = await generateCondition(s, csv, c, ctx, seed);
        const sc = parseScenario(scenarioText(s, csv, c.anomalies(ctx), seed, c.drift?.(ctx), c.replicates?.(ctx), c.variables?.(csv, ctx)), csv + '.yaml');
        await prepareScenario(sc);
        const kindOf = new Int32Array(data.values.length).fill(-1);
        const kinds: string[] = [];
        const events = eventsOverlapping(sc, 0, sc.timeline.rows);
        for (const e of events) {
          const ev = measuresEvents(sc) ? eventOutcome(sc, e).event : e;
          const k = `${c.id}:${ev.kind}`;
          let ki = kinds.indexOf(k);
          if (ki < 0) (kinds.push(k), (ki = kinds.length - 1));
          add(k).events++;
          add(k).eventRows += e.end - e.start;
          let ss = 0;
          let labelled = 0;
          for (let r = e.start; r < e.end; r++) {
            kindOf[r] = ki;
            ss += ((data.values[r]! - data.clean[r]!) / scale) ** 2;
            labelled += data.labels[r]!;
          }
          // Events dropped or kept as near misses (no labelled row) are not anomalies.
          if (labelled > 0) (add(k).rms.push(Math.sqrt(ss / Math.max(1, e.end - e.start))), add(`${c.id}:ALL`).rms.push(Math.sqrt(ss / Math.max(1, e.end - e.start))));
        }
        for (let j = 0; j < data.values.length; j++) {
          if (!data.labels[j]) continue;
          const d = Math.abs(data.values[j]! - data.clean[j]!) / scale;
          add(`${c.id}:ALL`).rows.push(d);
          if (kindOf[j]! >= 0) add(kinds[kindOf[j]!]!).rows.push(d);
        }
        add(`${c.id}:ALL`).labelled += data.labels.reduce((a, b) => a + b, 0);
        add(`${c.id}:ALL`).eventRows += data.values.length;
      }
      process.stderr.write(`${s.name} done\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| condition:kind | events | labelled rows | <0.5 sd | <1 sd | <2 sd | median |Δ| sd | labelled events with RMS move < 1 sd |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [k, a] of [...acc].sort()) {
    const r = Float64Array.from(a.rows).sort();
    const share = (t: number): string => (r.filter((x) => x < t).length / Math.max(1, r.length)).toFixed(3);
    console.log(`| ${k} | ${a.events} | ${r.length} | ${share(0.5)} | ${share(1)} | ${share(2)} | ${(r[r.length >> 1] ?? NaN).toFixed(2)} | ${(a.rms.filter((x) => x < 1).length / Math.max(1, a.rms.length)).toFixed(3)} |`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
