/**
 * Missing readings in a source's column: the empty cells, NaNs and spelled-out blanks of
 * real sensor files. They are refused unless the scenario says how to replay them
 * (`missing: hold`), because any choice changes the series a detector will learn from, and
 * the user should make it knowingly.
 *
 * `hold` gives each missing reading the value of the last reading before it, as a sensor
 * log that repeats its last value does; readings missing before the first one present take
 * that first value. With mapped timestamps, over the file's first pass, a missing row
 * between two readings replays as if it were left out (the timeline holds each reading
 * until the next); its time still counts, in `cycle`'s span and at the file's start.
 *
 * `keep` keeps each gap: the row is null in the output (value and clean twin alike), as
 * normal data, never labelled by itself. The column keeps its NaNs here; the compiled
 * source (source.ts) gives anomaly kinds the held reading to work from at those rows, and
 * the pipeline nulls them after the kinds (generate/pipeline.ts), so no kind fills a gap.
 *
 * Which cells are missing readings: input/missing-cell.ts.
 */

export const MISSING_MODES = ['error', 'hold', 'keep'] as const;
export type MissingMode = (typeof MISSING_MODES)[number];

/** The missing readings met while a column is read: how many, and where the first was. */
export class MissingReadings {
  count = 0;
  private first = '';

  /** One missing reading, `where` naming its line or row and cell. */
  add(where: string): void {
    if (this.count++ === 0) this.first = where;
  }

  /**
   * Replays the missing readings of `values` (NaN there) as `mode` says, in place; or the
   * reason they cannot be, for the caller to refuse the file with.
   */
  replay(values: Float64Array, column: string, mode: MissingMode): string | null {
    if (this.count === 0) return null;
    const share = `${this.count.toLocaleString('en-US')} of ${values.length.toLocaleString('en-US')} rows`;
    if (mode === 'error') {
      return `${this.first} is a missing reading (${share} are missing): write missing: hold to replay each as the reading before it, missing: keep to keep each as a null, or fill them in the file`;
    }
    if (this.count === values.length) return `every value in column '${column}' is missing (${share})`;
    if (mode === 'hold') holdGaps(values);
    return null;
  }
}

/** Gives each missing reading (NaN) of `values`, in place, the one before it (leading ones the first present). */
function holdGaps(values: Float64Array): void {
  let last = values.find((x) => !Number.isNaN(x)) ?? NaN;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) values[i] = last;
    else last = values[i]!;
  }
}

/**
 * The readings of `values` with each missing one (NaN) replaced as `hold` replays it: what
 * kinds work from at a kept gap's rows before the pipeline nulls them.
 */
export function heldReadings(values: Float64Array): Float64Array {
  const out = Float64Array.from(values);
  holdGaps(out);
  return out;
}
