/** A source series with missing readings, for the tests of how a source replays them (missing: hold, keep). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Timeline rows of the scenarios; the files hold 100 more. */
export const ROWS = 400;
export const START = Date.UTC(2024, 2, 1);
/** File rows whose reading is missing, spelled as pandas reads them as NaN (and the empty cell). */
export const SPELLED_GAPS: ReadonlyArray<[number, string]> = [[0, 'null'], [10, ''], [11, ' '], [20, 'NaN'], [30, 'NA'], [31, 'N/A'], [40, 'None'], [50, '#N/A'], [60, '<NA>'], [61, 'nan']];
/** The reading of file row i. */
export const reading = (i: number) => Number((Math.sin(i / 9) * 50 + i / 10).toFixed(3));

/** Writes a 1-minute CSV series of ROWS + 100 rows whose row i holds `cell(i)` (null: no row). */
export function csvFile(dir: string, name: string, cell: (i: number) => string | null): void {
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS + 100; i++) {
    const c = cell(i);
    if (c !== null) lines.push(`${new Date(START + i * 60_000).toISOString()},${c}`);
  }
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}
