/** A one-line progress bar (rows, rows/s, ETA) on a terminal; silent otherwise. */
import { thousands } from './thousands.js';

export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
}

/** A progress bar counting `unit` (rows, windows…) on `stream` when it is a terminal. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, unit = 'rows'): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  const t0 = performance.now();
  let last = '';
  return {
    update(done, total) {
      const secs = (performance.now() - t0) / 1000;
      const rate = done / Math.max(secs, 1e-9);
      const frac = total > 0 ? done / total : 1;
      const width = 28;
      const filled = Math.round(frac * width);
      last = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}%  ${thousands(done)}/${thousands(total)} ${unit}  ${fmtRate(rate)} ${unit}/s  ETA ${fmtDuration((total - done) / rate)}`;
      stream.write(`\r${last}\x1b[K`);
    },
    finish() {
      if (last) stream.write('\n');
    },
  };
}
