/**
 * `--labels-to FILE`: the segment table of the anomaly events a stream carries, written as
 * Parquet beside the stream (for a stream from row 0, the same bytes as a dataset's
 * anomalies.parquet). Written before the first row, so a consumer can read it while rows
 * arrive.
 */
import { otherFormatExtension } from '../formats/parquet-name.js';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { datasetHolding } from './dataset-holding.js';
import { checkOutputPath, followedFile, realPath } from './output-dir.js';
import { ParanomError } from '../errors.js';
import { eventsOverlapping } from '../anomaly/events.js';
import { encodeParquet } from '../formats/parquet.js';
import { shardMetadata, writtenByParanom } from '../dataset/provenance.js';
import { segmentTable } from '../dataset/segments.js';
import { writeFileAtomic } from '../formats/files.js';
import type { Scenario } from '../model/types.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { reachedFrom } from '../generate/label-margin.js';
import { cleanRowsOf } from '../generate/shard.js';
import { prepareScenario } from '../variables/registry.js';

/** Events measured between two looks at the abort signal (about 0.2 s of work). */
const MEASURE_SLICE = 1000;

/**
 * Writes the segment table of the events the streamed rows [startRow, rows) carry to `path`:
 * those overlapping them, and those before whose label margin reaches into them (a row
 * labelled for an event has its segment row).
 */
export async function writeStreamLabels(path: string, scenario: Scenario, startRow: number, signal?: AbortSignal): Promise<number> {
  const ext = otherFormatExtension(path);
  if (ext !== undefined) throw new ParanomError('USAGE', `--labels-to ${path} names a .${ext} file, but the segment table is written as Parquet; name it .parquet`, { path });
  // A link is followed: checked and written where it leads, and stays a link.
  const target = followedFile(path, '--labels-to');
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new ParanomError('OUTPUT_EXISTS', `--labels-to '${path}' is a directory; name a file in it, e.g. '${path.replace(/[\\/]+$/, '')}/labels.parquet'`, { path });
  }
  // A dataset's shards and segment table carry the provenance an earlier --labels-to file
  // does, so the check below would let them be replaced.
  const host = datasetHolding(realPath(dirname(target)));
  if (host !== undefined) throw new ParanomError('USAGE', `--labels-to ${path} is inside the dataset ${host}; a file written there would change it — write it elsewhere`, { path });
  if (existsSync(target) && !(statSync(target).isFile() && writtenByParanom(target))) {
    throw new ParanomError('OUTPUT_EXISTS', `--labels-to '${path}' exists and is not a segment table paranom wrote; choose another path`, { path });
  }
  // Its folder (made if missing) must be one that can be written: known before the events are measured.
  checkOutputPath(dirname(target), '--labels-to');
  const rows = scenario.timeline.rows;
  // Measuring events generates rows on this thread: load what the variables need.
  await prepareScenario(scenario);
  // Events as the stream's rows carry them: settled (min_effect), with their effect.
  const placed = eventsOverlapping(scenario, Math.max(0, reachedFrom(scenario, startRow)), rows);
  // Measuring an event generates its rows (about 0.2 ms each: minutes for a long timeline's
  // events), so it goes in slices, between which Ctrl-C is heard; then nothing is written.
  const segments: ReturnType<typeof segmentsOf>['segments'] = [];
  for (let i = 0; i < placed.length || i === 0; i += MEASURE_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new ParanomError('INTERRUPTED', `interrupted while measuring the events for --labels-to (${i.toLocaleString('en-US')} of ${placed.length.toLocaleString('en-US')}); nothing was written or streamed`);
    for (const seg of segmentsOf(scenario, placed.slice(i, i + MEASURE_SLICE)).segments) segments.push(seg);
  }
  const metadata = shardMetadata(scenario, { index: -1, rowStart: 0, rowEnd: rows });
  writeFileAtomic(target, encodeParquet(segmentTable(scenario, segments, cleanRowsOf(scenario)), metadata, 'snappy'), { amongUserFiles: true });
  return segments.length;
}
