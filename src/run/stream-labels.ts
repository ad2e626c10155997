/**
 * `--labels-to FILE`: the segment table of the anomaly events a stream carries, written as
 * Parquet beside the stream (for a stream from row 0, the same bytes as a dataset's
 * anomalies.parquet). Written before the first row, so a consumer can read it while rows
 * arrive.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { eventsOverlapping } from '../anomaly/events.js';
import { encodeParquet } from '../formats/parquet.js';
import { PROVENANCE_KEY, shardMetadata } from '../dataset/provenance.js';
import { segmentTable } from '../dataset/segments.js';
import { writeFileAtomic } from '../formats/files.js';
import type { Scenario } from '../model/types.js';
import { segmentsOf } from '../generate/event-outcome.js';
import { cleanRowsOf } from '../generate/shard.js';
import { prepareScenario } from '../variables/registry.js';

/**
 * True when `path` is a Parquet file whose footer carries paranom's provenance key: a file
 * paranom wrote, which it may replace. The key is stored as plain bytes in the footer.
 */
function writtenByParanom(path: string): boolean {
  const size = statSync(path).size;
  if (size < 12) return false;
  const fd = openSync(path, 'r');
  try {
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') return false;
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 8 > size) return false;
    const footer = Buffer.alloc(footerLength);
    readSync(fd, footer, 0, footerLength, size - 8 - footerLength);
    return footer.includes(PROVENANCE_KEY);
  } finally {
    closeSync(fd);
  }
}

/** Writes the segment table of events overlapping rows [startRow, rows) to `path`. */
export async function writeStreamLabels(path: string, scenario: Scenario, startRow: number): Promise<number> {
  if (existsSync(path) && !(statSync(path).isFile() && writtenByParanom(path))) {
    throw new ParanomError('OUTPUT_EXISTS', `--labels-to '${path}' exists and is not a segment table paranom wrote; choose another path`, { path });
  }
  const rows = scenario.timeline.rows;
  // Measuring events generates rows on this thread: load what the variables need.
  await prepareScenario(scenario);
  // Events as the stream's rows carry them: settled (min_effect), with their effect.
  const { segments } = segmentsOf(scenario, eventsOverlapping(scenario, startRow, rows));
  const metadata = shardMetadata(scenario, { index: -1, rowStart: 0, rowEnd: rows });
  writeFileAtomic(path, encodeParquet(segmentTable(scenario, segments, cleanRowsOf(scenario)), metadata, 'snappy'));
  return segments.length;
}
