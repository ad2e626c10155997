/**
 * Where a report may be written: a new file, or a file paranom wrote before (a report page
 * carries `<meta name="generator" content="paranom">`, an image a PNG text chunk). Anything
 * else is refused before any work starts, so no user file is ever replaced.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { isOwnPng } from './png.js';
import { extensionOf } from '../formats/parquet-name.js';

const HTML_MARK = '<meta name="generator" content="paranom">';

/** Extensions of files other than a page or an image, and of each of those two. */
const OTHER_FILES = ['html', 'htm', 'png', 'jpg', 'jpeg', 'gif', 'svg', 'pdf', 'webp', 'csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow', 'txt', 'md'];

/** Throws a usage error unless `file` is absent or was written by paranom as `kind`. */
export function checkWritable(file: string, kind: 'html' | 'png', option: string): void {
  // A page named as an image or a data file (report.png, report.csv) would be opened by the wrong program.
  const ext = extensionOf(file);
  if (ext !== undefined && OTHER_FILES.includes(ext) && !(kind === 'html' ? ['html', 'htm'] : ['png']).includes(ext)) {
    throw new ParanomError('USAGE', kind === 'html' ? `${option} ${file} names a .${ext} file, but ${option} writes the HTML page; name it .html${ext === 'png' ? ' (--png FILE.png writes an image)' : ''}` : `${option} ${file} names a .${ext} file, but ${option} writes a PNG image; name it .png`);
  }
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) throw new ParanomError('USAGE', `${option} ${file}: is a directory; name a file`);
  const own = kind === 'html' ? readFileSync(file, 'utf8').slice(0, 4096).includes(HTML_MARK) : isOwnPng(file);
  if (!own) throw new ParanomError('USAGE', `${option} ${file}: the file exists and paranom did not write it; choose another name or remove it`);
}
