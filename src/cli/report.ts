/** What the CLI prints after a run: rows, speed, realised vs requested anomalies. */
import { countOf, thousands } from './thousands.js';
import type { GenerateResult } from '../run/generate-options.js';
import { join } from 'node:path';
import { csvGuessNote, labelsOutsideSample } from './csv-guess.js';

export function formatRunReport(r: GenerateResult, out: string, seconds: number): string {
  const m = r.manifest;
  const rows = m.shards.reduce((a, s) => a + s.rows, 0);
  const written = r.rowsGenerated;
  const lines = [
    `wrote ${countOf(written, 'row')} in ${countOf(r.generated, 'shard')} to ${out} in ${seconds.toFixed(2)}s (${thousands(Math.round(written / Math.max(seconds, 1e-9)))} rows/s)` +
      (r.reused > 0 ? `; kept ${r.reused} shard(s) from an earlier run; the dataset has ${countOf(rows, 'row')} in ${countOf(m.shards.length, 'shard')}` : ''),
  ];
  if (m.part) {
    lines.push(`part ${m.part.k} of ${m.part.n}: ${m.shards.length} of ${m.part.shards} shards; run 'paranom merge-manifests ${out}' once every part's files are together`);
    return lines.join('\n') + '\n';
  }
  const a = m.anomalies;
  const requested = a.mode === 'frequency' ? `requested fraction ${a.requested.frequency}` : a.mode === 'count' ? `requested ${a.requested.count} events` : 'none requested';
  // A fleet's outages and label margins label rows too: the realised fraction counts them,
  // the request does not.
  const plan = m.scenario.anomalies;
  const margin = plan.mode !== 'none' && plan.labelMargin ? ` the label_margin [${plan.labelMargin[0]}, ${plan.labelMargin[1]}] rows around each event` : '';
  const outages = m.scenario.entities?.outages ? ' the fleet\'s outages' : '';
  const besides = margin || outages ? ` with${[margin, outages].filter((x) => x).join(' and')}` : '';
  lines.push(
    `anomalies: ${countOf(a.realised.events, 'event')}, ${countOf(a.realised.anomalous_rows, 'row')} (fraction ${a.realised.fraction.toFixed(5)}${besides}; ${requested}${besides && a.mode !== 'none' ? ', for events alone' : ''})` +
      (a.realised.truncated_events ? `, ${a.realised.truncated_events} cut by the end of the timeline` : ''),
  );
  // Events min_effect gave up on are not in the realised figures: say where the shortfall went.
  const me = a.min_effect;
  if (me && me.dropped_events > 0) {
    const fate = me.below === 'normal' ? 'kept in the values, labelled normal (below: normal)' : 'dropped, their rows normal';
    lines.push(`min_effect ${me.threshold}: ${countOf(me.dropped_events, 'event')} stayed below it after ${countOf(me.tries, 'try', 'tries')} and ${me.dropped_events === 1 ? 'was' : 'were'} ${fate}; ${countOf(me.redrawn_events, 'event')} reached it on a redraw`);
  }
  if (!m.growth_stable) lines.push('note: count mode places events over the whole timeline; this dataset is not growth-stable');
  // Shard files sort in row order, so a glob over data/*.csv reads this one first. A
  // dataset without a labelled row has no anomaly_id value whose type a reader could lose.
  const first = m.shards.map((x) => x.file).sort()[0];
  const unseen = m.format === 'csv' && a.realised.anomalous_rows > 0 && first !== undefined && labelsOutsideSample(join(out, first));
  const guessed = m.format === 'csv' ? csvGuessNote(m.scenario, out, unseen) : undefined;
  if (guessed) lines.push(guessed);
  return lines.join('\n') + '\n';
}
