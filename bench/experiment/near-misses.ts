/**
 * How many events of condition (c) stay below `min_effect` after their tries and are kept
 * as normal-labelled near misses (`below: normal`), over every NAB series, for one seed:
 *
 *   node dist/bench/experiment/near-misses.js [--seed 1] [--nab ../shared/data/nab]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../src/reader/load.js';
import { prepareScenario } from '../../src/variables/registry.js';
import { eventsOverlapping } from '../../src/anomaly/events.js';
import { segmentsOf } from '../../src/generate/event-outcome.js';
import { loadNab, robustScale } from './nab.js';
import { FULL, scenarioText, writeTrainingCsv } from './conditions.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const nabDir = resolve(arg('nab') ?? join(here, '../../../../shared/data/nab'));
  const seed = Number(arg('seed') ?? 1);
  const dir = mkdtempSync(join(tmpdir(), 'paranom-near-misses-'));
  let placed = 0;
  let near = 0;
  try {
    for (const s of loadNab(nabDir)) {
      const csv = writeTrainingCsv(s, dir);
      const ctx = { sd: robustScale(s.values.subarray(0, s.cut)).scale, rows: s.cut };
      const scenario = parseScenario(scenarioText(s, csv, FULL.anomalies(ctx), seed, FULL.drift!(ctx)), csv + '.yaml');
      await prepareScenario(scenario);
      const events = eventsOverlapping(scenario, 0, scenario.timeline.rows);
      placed += events.length;
      near += segmentsOf(scenario, events).dropped;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`condition (c), seed ${seed}: ${placed} events placed, ${near} kept as near misses (${((100 * near) / placed).toFixed(1)}%)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
