/**
 * train-vae on a series with missing readings (empty cells, pandas' NaN spellings, Parquet
 * nulls): refused by default, naming the line and the way out; with `--missing skip` their
 * rows are left out, and where they were is a gap no window spans — the model is the one a
 * file without those rows trains.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainVae } from '../src/vae/train.js';
import { readSeries } from '../src/vae/series.js';
import { findGaps, modelBreaks } from '../src/vae/gaps.js';
import { duck, tempDir } from './helpers.js';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'dist/src/cli/main.js');
const T0 = Date.UTC(2024, 0, 1);
const STEP = 300_000;
const ROWS = 1200;
/** Rows whose reading is missing, spelled as a logger or a pandas export writes them. */
const GAPS = new Map<number, string>([[200, ''], [201, 'NaN'], [640, 'NA'], [641, 'null'], [642, ' ']]);

/** The series with each missing reading spelled (`gaps`) or its row left out. */
function series(dir: string, name: string, gaps: boolean, time = true): string {
  const lines = [time ? 'timestamp,value,load' : 'value,load'];
  for (let i = 0; i < ROWS; i++) {
    const cell = GAPS.get(i);
    if (cell !== undefined && !gaps) continue;
    const value = cell ?? (10 + 5 * Math.sin((2 * Math.PI * i) / 96)).toFixed(4);
    lines.push(`${time ? `${new Date(T0 + i * STEP).toISOString()},` : ''}${value},${(i % 7).toString()}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('missing readings in training data', () => {
  it('are refused by default, naming the line, column and --missing skip; text that is not a number stays refused with it', () => {
    const dir = tempDir();
    expect(() => readSeries(series(dir, 'gaps.csv', true))).toThrow(`gaps.csv:202: column 'value' holds no value, a missing reading; --missing skip leaves such rows out (where they were is then a gap no window spans), or clean the data first`);
    writeFileSync(join(dir, 'bad.csv'), 'timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:05:00Z,abc\n');
    expect(() => readSeries(join(dir, 'bad.csv'), undefined, {}, 'skip')).toThrow(`bad.csv:3: column 'value' holds 'abc', not a finite number; clean the data first`);
  });

  it('--missing skip reads the rows a file without them holds, in CSV and Parquet', async () => {
    const dir = tempDir();
    const skipped = readSeries(series(dir, 'gaps.csv', true), undefined, {}, 'skip');
    const without = readSeries(series(dir, 'without.csv', false));
    expect(skipped.leftOut).toBe(GAPS.size);
    expect(skipped.rows).toBe(ROWS - GAPS.size);
    expect(skipped.values.map((v) => Array.from(v))).toEqual(without.values.map((v) => Array.from(v)));
    expect(Array.from(skipped.times!.at)).toEqual(Array.from(without.times!.at));
    await duck(`COPY (SELECT timestamp::TIMESTAMP AS timestamp, CASE WHEN trim(value) IN ('', 'NA', 'null') THEN NULL ELSE value::DOUBLE END AS value, load::DOUBLE AS load FROM read_csv('${dir}/gaps.csv', all_varchar = true)) TO '${dir}/gaps.parquet' (FORMAT parquet)`);
    expect(() => readSeries(join(dir, 'gaps.parquet'))).toThrow(/gaps\.parquet: row 200 of column 'value' is null, a missing reading; --missing skip/);
    const pq = readSeries(join(dir, 'gaps.parquet'), undefined, {}, 'skip');
    expect(pq.values.map((v) => Array.from(v))).toEqual(without.values.map((v) => Array.from(v)));
  });

  it('train-vae --missing skip trains the model a file without those rows trains, and says what it left out', async () => {
    const dir = tempDir();
    const opts = { window: 48, latent: 2, hidden: [8], epochs: 1, seed: 1, stride: 4, backend: 'wasm' as const };
    const notes: string[] = [];
    const skip = (await trainVae({ ...opts, data: series(dir, 'gaps.csv', true), missing: 'skip', out: join(dir, 'skip'), onGaps: (n) => notes.push(n) })).meta.training.data;
    const without = (await trainVae({ ...opts, data: series(dir, 'without.csv', false), out: join(dir, 'without') })).meta.training.data;
    expect(notes[0]).toBe('gaps.csv: 5 rows with a missing reading left out (--missing skip)');
    expect(notes[1]).toMatch(/^gaps\.csv has 2 gaps in its 'timestamp' times \(step 5m\): .*\(20m, about 3 rows missing\).*\(15m, about 2 rows missing\)/);
    expect(skip.windowsLeftOut).toBeGreaterThan(0);
    expect({ ...skip, file: '', sha256: '' }).toEqual({ ...without, file: '', sha256: '' });
    for (const f of ['encoder/weights.bin', 'decoder/weights.bin']) expect(readFileSync(join(dir, 'skip', f)).equals(readFileSync(join(dir, 'without', f))), f).toBe(true);
  }, 120_000);

  it('a left-out row beside a row whose time cell is no time is still a gap no window spans (before: no gap, windows joined its neighbours)', () => {
    const dir = tempDir();
    const file = (name: string, missing: boolean) => {
      const lines = ['timestamp,value'];
      for (let i = 0; i < 300; i++) lines.push(`${i === 51 ? 'n/a' : new Date(T0 + i * STEP).toISOString()},${missing && i === 50 ? '' : Math.sin(i / 10).toFixed(4)}`);
      const path = join(dir, name);
      writeFileSync(path, lines.join('\n') + '\n');
      return path;
    };
    // Row 50 left out: rows 49 and 51 (no time) and 52 are neighbours in the file without it.
    const s = readSeries(file('left-out.csv', true), undefined, {}, 'skip');
    const g = findGaps(s.times!)!;
    expect(g.gaps).toHaveLength(1);
    // Where the row was, between 49 and 52, is not known: no window holds rows 49 and 50 (row 51 of the file), nor 50 and 51.
    expect(modelBreaks(g.gaps, 1)).toEqual([50, 51]);
    // A time cell that is no time, with no row left out, is no gap: its neighbours are two steps apart over two rows.
    expect(findGaps(readSeries(file('whole.csv', false)).times!)!.gaps).toEqual([]);
  });

  it('a file without times cannot lose rows: refused, saying why; the command line takes error or skip only', () => {
    const dir = tempDir();
    expect(() => readSeries(series(dir, 'untimed.csv', true, false), undefined, {}, 'skip')).toThrow(/untimed\.csv: 5 of 1200 rows hold a missing reading, and the file has no time column \(timestamp, time, date, datetime, ts\) to show where rows were left out/);
    const bad = spawnSync(process.execPath, [CLI, 'train-vae', '--data', series(dir, 'gaps.csv', true), '--out', join(dir, 'm'), '--missing', 'hold'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Argument: missing, Given: "hold", Choices: "error", "skip"/);
  });
});
