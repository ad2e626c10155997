/**
 * A Parquet file written under another data format's name (`labels.csv`) would be misread
 * by every tool that trusts the name: such names are refused wherever paranom writes a
 * Parquet file the user names (`merge --to`, `--labels-to`).
 */
import { basename } from 'node:path';

/** File extensions of other data formats. */
const OTHER_FORMATS = ['csv', 'tsv', 'txt', 'json', 'ndjson', 'jsonl', 'arrow', 'feather', 'ipc', 'arrows', 'orc', 'avro', 'xlsx', 'xls'];

/** The extension of a file's name, lower case ('csv' of 'Labels.CSV'), or undefined without one. */
export function extensionOf(path: string): string | undefined {
  return /\.([A-Za-z0-9]+)$/.exec(basename(path))?.[1]?.toLowerCase();
}

/** The extension of `path` when it names another data format than Parquet, else undefined. */
export function otherFormatExtension(path: string): string | undefined {
  const ext = extensionOf(path);
  return ext !== undefined && OTHER_FORMATS.includes(ext) ? ext : undefined;
}
