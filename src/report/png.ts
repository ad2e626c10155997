/**
 * `--png`: a static image of a report's first screen (summary and the overview charts),
 * taken by a headless Chromium when one is installed. The image is marked as paranom's
 * (a PNG text chunk) so a later run may replace it and never a file paranom did not write.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { ParanomError } from '../errors.js';
import { writeFileAtomic } from '../formats/files.js';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** A Chromium to drive: $PARANOM_CHROMIUM, else the first of the usual names on $PATH. */
function findChromium(): string | null {
  const env = process.env['PARANOM_CHROMIUM'];
  if (env) return existsSync(env) ? env : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  return null;
}

const MARK_KEY = 'Software';
const MARK_VALUE = 'paranom report';

/** The PNG with a tEXt chunk `Software: paranom report` before IEND. */
function markPng(png: Buffer): Buffer {
  const iend = png.length - 12;
  if (png.toString('latin1', iend + 4, iend + 8) !== 'IEND') throw new Error('not a PNG ending in IEND');
  const data = Buffer.from(`${MARK_KEY}\0${MARK_VALUE}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/** True when `file` is a PNG that paranom wrote. */
export function isOwnPng(file: string): boolean {
  return readFileSync(file).includes(Buffer.from(`tEXt${MARK_KEY}\0${MARK_VALUE}`, 'latin1'));
}

/**
 * The Chromium `--png` will drive, or USAGE (exit 2) naming where it looked. The commands
 * ask before any work, so a missing browser leaves no page behind and costs no generation.
 */
export function requireChromium(): string {
  const chrome = findChromium();
  if (!chrome) {
    throw new ParanomError(
      'USAGE',
      `--png needs a Chromium and none was found (looked for $PARANOM_CHROMIUM, then ${NAMES.join(', ')} on PATH); install one (Debian: apt-get install chromium) or open the HTML report and take the image from the browser`,
    );
  }
  return chrome;
}

/** Screenshot of `html` (a file) into `png`, `width` × `height` CSS pixels. */
export function screenshot(html: string, png: string, width = 1400, height = 1000): void {
  const chrome = requireChromium();
  const dir = mkdtempSync(join(tmpdir(), 'paranom-png-'));
  try {
    const shot = join(dir, 'shot.png');
    const r = spawnSync(
      chrome,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=${width},${height}`,
        '--virtual-time-budget=5000',
        `--screenshot=${shot}`,
        pathToFileURL(resolve(html)).href,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (!existsSync(shot)) {
      throw new ParanomError('GENERATION_FAILED', `${chrome} did not write a screenshot (exit ${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`);
    }
    writeFileAtomic(png, markPng(readFileSync(shot)), { amongUserFiles: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
