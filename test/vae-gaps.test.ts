/**
 * train-vae across gaps in the data's times: a 5-minute series missing a day is named (the
 * gap's times, its length, the rows missing) and, by default, no training or validation
 * window spans the gap; `--gaps span` trains across it as before, still saying so. A
 * series without gaps trains on exactly the windows it did.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainVae } from '../src/vae/train.js';
import { readSeries } from '../src/vae/series.js';
import { findGaps, modelBreaks } from '../src/vae/gaps.js';
import { fitNormalisation, slidingWindows } from '../src/vae/windows.js';
import { duck, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');
const T0 = Date.UTC(2024, 0, 1);
const STEP = 300_000;
const DAY = 288;

/** Six days of a 5-minute daily cycle, day 2 (rows 576–863) missing when `gap`. */
function series(dir: string, name: string, gap: boolean): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < 6 * DAY; i++) {
    if (gap && i >= 2 * DAY && i < 3 * DAY) continue;
    lines.push(`${new Date(T0 + i * STEP).toISOString()},${(10 + 5 * Math.sin((2 * Math.PI * i) / DAY)).toFixed(4)}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Windows of W rows at stride s over [from, to) that hold rows g − 1 and g. */
const spanning = (from: number, to: number, W: number, s: number, g: number) => {
  let n = 0;
  for (let t0 = from; t0 + W <= to; t0 += s) if (t0 < g && g < t0 + W) n++;
  return n;
};

describe('gaps in a training series', () => {
  it('are found in a Parquet TIMESTAMP column too, and in epoch numbers of any unit', async () => {
    const dir = tempDir();
    const path = join(dir, 'gap.parquet');
    await duck(`COPY (SELECT TIMESTAMP '2024-01-01' + INTERVAL (5 * i) MINUTE AS timestamp, sin(i / 10)::DOUBLE AS value FROM range(600) t(i) WHERE i NOT BETWEEN 300 AND 311) TO '${path}'`);
    const s = readSeries(path);
    expect(findGaps(s.times!)!.gaps).toEqual([{ row: 300, from: T0 + 299 * STEP, to: T0 + 312 * STEP }]);
    expect(s.times!.instants).toBe(true);
    const epoch = join(dir, 'epoch.csv');
    writeFileSync(epoch, 'ts,value\n' + [0, 60, 120, 600, 660].map((t, i) => `${1_700_000_000 + t},${i}`).join('\n') + '\n');
    const e = readSeries(epoch);
    expect(e.times!.instants).toBe(false);
    expect(findGaps(e.times!)).toEqual({ step: 60, gaps: [{ row: 3, from: 1_700_000_120, to: 1_700_000_600 }] });
  });

  it('are found with their times and sizes, and no window holds both sides of one', () => {
    const dir = tempDir();
    const s = readSeries(series(dir, 'gap.csv', true));
    const g = findGaps(s.times!)!;
    expect(g.step).toBe(STEP);
    expect(g.gaps).toEqual([{ row: 2 * DAY, from: T0 + (2 * DAY - 1) * STEP, to: T0 + 3 * DAY * STEP }]);
    const norm = fitNormalisation(s, s.rows);
    const all = slidingWindows(s, norm, 0, s.rows, 48, 5);
    const kept = slidingWindows(s, norm, 0, s.rows, 48, 5, modelBreaks(g.gaps, 1));
    expect(kept.skipped).toBe(spanning(0, s.rows, 48, 5, 2 * DAY));
    expect(kept.count).toBe(all.count - kept.skipped);
    expect(kept.skipped).toBeGreaterThan(0);
    // A gap inside a block of 4 rows (row 2·288 = 576 is a block boundary; 578 is not) breaks before and after the block.
    expect(modelBreaks([{ row: 576, from: 0, to: 1 }], 4)).toEqual([144]);
    expect(modelBreaks([{ row: 578, from: 0, to: 1 }], 4)).toEqual([144, 145]);
    // Equal stamps and a file without gaps: nothing found.
    expect(findGaps(readSeries(series(dir, 'whole.csv', false)).times!)!.gaps).toEqual([]);
  });

  it('train-vae names the gap and leaves out the windows across it; --gaps span trains across, saying so; a series without gaps is trained as before (before: trained across silently)', async () => {
    const dir = tempDir();
    const data = series(dir, 'gap.csv', true);
    const opts = { data, window: 48, latent: 2, hidden: [8], epochs: 1, seed: 1, stride: 4, backend: 'wasm' as const };
    const notes: string[] = [];
    const skip = (await trainVae({ ...opts, out: join(dir, 'skip'), onGaps: (n) => notes.push(n) })).meta;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^gap\.csv has 1 gap in its 'timestamp' times \(step 5m\): 2024-01-02T23:55:00\.000Z to 2024-01-04T00:00:00\.000Z \(1d 5m, about 288 rows missing\); \d+ windows that would span one left out \(\d+ training, 0 validation; --gaps span trains across them\)$/);
    const d = skip.training.data;
    const rows = 5 * DAY;
    const trainRows = d.trainRows;
    expect(d.trainWindows).toBe(Math.floor((trainRows - 48) / 4) + 1 - spanning(0, trainRows, 48, 4, 2 * DAY));
    expect(d).toMatchObject({ gaps: 1, gapsSpanned: false, windowsLeftOut: spanning(0, trainRows, 48, 4, 2 * DAY) });
    expect(rows).toBe(d.rows);

    const spanNotes: string[] = [];
    const span = (await trainVae({ ...opts, out: join(dir, 'span'), gaps: 'span', onGaps: (n) => spanNotes.push(n) })).meta.training.data;
    expect(spanNotes[0]).toMatch(/1 gap in its 'timestamp' times .*; trained across them \(--gaps span\)$/);
    expect(span).toMatchObject({ gaps: 1, gapsSpanned: true, windowsLeftOut: 0, trainWindows: Math.floor((trainRows - 48) / 4) + 1 });

    // Without a gap: no note, and the model's record has no gap keys.
    const quiet: string[] = [];
    const whole = (await trainVae({ ...opts, data: series(dir, 'whole.csv', false), out: join(dir, 'whole'), onGaps: (n) => quiet.push(n) })).meta.training.data;
    expect(quiet).toEqual([]);
    expect(Object.keys(whole)).toEqual(['file', 'sha256', 'rows', 'trainRows', 'trainWindows', 'validationWindows']);
  }, 120_000);

  it("a time column train-vae does not read as times (day-first dates) is named in a note: its gaps are not looked for (before: trained without a word)", async () => {
    const dir = tempDir();
    const lines = ['time,value'];
    for (let i = 0; i < 2 * DAY; i++) {
      const d = new Date(T0 + i * STEP);
      const dd = (n: number) => String(n).padStart(2, '0');
      lines.push(`${dd(d.getUTCDate())}/${dd(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${dd(d.getUTCHours())}:${dd(d.getUTCMinutes())},${(10 + 5 * Math.sin((2 * Math.PI * i) / DAY)).toFixed(4)}`);
    }
    const data = join(dir, 'day-first.csv');
    writeFileSync(data, lines.join('\n') + '\n');
    const notes: string[] = [];
    await trainVae({ data, window: 48, latent: 2, hidden: [8], epochs: 1, seed: 1, stride: 4, backend: 'wasm', out: join(dir, 'm'), onGaps: (n) => notes.push(n) });
    expect(notes).toEqual([`day-first.csv: its time column 'time' holds '01/01/2024 00:00', which train-vae does not read as a time (ISO 8601 text or epoch numbers): the rows' order and the gaps in their times are not checked; write the times as ISO 8601 (2024-01-31T12:00:00Z) to have them checked`]);
  });

  it('a gap that leaves the validation tail fewer than 8 windows is refused with the ways out (before: early stopping on a few windows)', async () => {
    const dir = tempDir();
    // 1000 rows of a 5-minute series, a gap before its last 50 rows: windows of 48 rows fit on either side of it in the 100-row tail only 3 times each.
    const lines = ['timestamp,value', ...Array.from({ length: 1000 }, (_, i) => `${new Date(T0 + (i < 950 ? i : i + 100) * STEP).toISOString()},${Math.sin(i / 9).toFixed(4)}`)];
    writeFileSync(join(dir, 'tail.csv'), lines.join('\n') + '\n');
    await expect(trainVae({ data: join(dir, 'tail.csv'), window: 48, latent: 2, hidden: [8], epochs: 1, seed: 1, backend: 'wasm', out: join(dir, 'm') })).rejects.toThrow(/the validation tail of tail\.csv holds 6 window\(s\) once the 47 across gaps are left out, fewer than 8; use a larger --validation-split, a smaller --window, or --gaps span; tail\.csv has 1 gap/);
    const spanned = await trainVae({ data: join(dir, 'tail.csv'), window: 48, latent: 2, hidden: [8], epochs: 1, seed: 1, backend: 'wasm', gaps: 'span', out: join(dir, 'm2') });
    expect(spanned.meta.training.data.validationWindows).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it('from the command line: a note on stderr, and --gaps takes skip or span only', () => {
    const dir = tempDir();
    const data = series(dir, 'gap.csv', true);
    const run = (extra: string[]) => spawnSync(process.execPath, [CLI, 'train-vae', '--data', data, '--window', '48', '--latent', '2', '--hidden', '8', '--epochs', '1', '--backend', 'cpu', '--out', join(dir, `m${extra.join('')}`), ...extra], { encoding: 'utf8' });
    const r = run([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/paranom: note: gap\.csv has 1 gap in its 'timestamp' times \(step 5m\): 2024-01-02T23:55:00\.000Z to 2024-01-04T00:00:00\.000Z/);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'vae.json'), 'utf8')).training.data.gaps).toBe(1);
    const bad = run(['--gaps', 'fill']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Argument: gaps, Given: "fill", Choices: "skip", "span"/);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
