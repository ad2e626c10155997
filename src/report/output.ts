/**
 * Where a report may be written: a new file, or a file paranom wrote before (a report page
 * carries `<meta name="generator" content="paranom">`, an image a PNG text chunk). Anything
 * else is refused before any work starts, so no user file is ever replaced.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { isOwnPng } from './png.js';

const HTML_MARK = '<meta name="generator" content="paranom">';

/** Throws a usage error unless `file` is absent or was written by paranom as `kind`. */
export function checkWritable(file: string, kind: 'html' | 'png', option: string): void {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) throw new ParanomError('USAGE', `${option} ${file}: is a directory; name a file`);
  const own = kind === 'html' ? readFileSync(file, 'utf8').slice(0, 4096).includes(HTML_MARK) : isOwnPng(file);
  if (!own) throw new ParanomError('USAGE', `${option} ${file}: the file exists and paranom did not write it; choose another name or remove it`);
}
