/**
 * Columns of a table file as typed arrays, converted cell by cell as the pieces stream
 * past: timestamps and scores as Float64Array, labels as Uint8Array. A bad cell is
 * reported as reading one column after another would meet it: a column named twice, then
 * a record with another cell count, then the first bad cell of the first column, then of
 * the next.
 */
import { beyondExact, inexactInteger } from '../input/exact-int.js';
import { parseTimestamp } from './timestamps.js';
import { cellNumber, columnProblem, usage, type TableFile } from './table-file.js';
import { isMissingValue } from '../input/missing-cell.js';

/** What a column holds: a timestamp, a 0/1 label, a finite number, or a key (a fleet's entity). */
export interface ColumnSpec {
  name: string;
  kind: 'time' | 'label' | 'score' | 'key';
  /** A key column's meaning: each cell's index (NaN when the cell names none), and why not. */
  keys?: KeyIndex;
  /** A score column whose missing cells (empty, NaN, null) are read as NaN, not refused. */
  missingAllowed?: boolean;
}


/** The entities a key column may name, as indices. */
export interface KeyIndex {
  index(cell: unknown): number;
  problem(cell: unknown): string;
}

/** One cell as its value, or NaN when the column cannot hold it. */
function convert(kind: ColumnSpec['kind'], c: unknown): number {
  if (kind === 'time') return typeof c === 'string' ? parseTimestamp(c) : cellNumber(c);
  if (kind === 'score' && inexactInteger(c)) return Number.NaN;
  const v = cellNumber(c);
  if (kind === 'label') return v === 0 || v === 1 ? v : Number.NaN;
  return Number.isFinite(v) ? v : Number.NaN;
}

function message(t: TableFile, spec: ColumnSpec, row: number, cell: unknown): string {
  const at = `${t.where(row)}: '${String(cell)}'`;
  if (spec.kind === 'time') return `${at} in column '${spec.name}' is not a timestamp (expected a date-time such as 2024-01-01 00:00:00 or a number)`;
  if (spec.kind === 'label') return `${at} in label column '${spec.name}' is not a label (expected 0/1 or true/false)`;
  if (spec.kind === 'key') return `${at} in entity column '${spec.name}' ${spec.keys!.problem(cell)}`;
  if (inexactInteger(cell)) return `${at} in score column '${spec.name}' is ${beyondExact(cell, 'eval reads')}`;
  // An infinity is a number, but no threshold or ranking can place it among finite scores.
  const v = cellNumber(cell);
  if (v === Infinity || v === -Infinity || (typeof cell === 'string' && /^\s*[+-]?inf(inity)?\s*$/i.test(cell))) return `${at} in score column '${spec.name}' is not a finite number (clip infinite scores to the largest and smallest finite ones)`;
  if (spec.kind === 'score' && isMissingValue(cell)) return `${at} in score column '${spec.name}' is missing (a detector's warm-up rows?); --missing-scores skip leaves rows without a score unscored, and counts them`;
  return `${at} in score column '${spec.name}' is not a number`;
}

/** Growable typed arrays: a CSV file's row count is known only once it is read. */
function grown<A extends Float64Array | Uint8Array>(a: A, need: number): A {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => A)(Math.max(need, Math.ceil(a.length * 1.5)));
  next.set(a);
  return next;
}

/**
 * The columns of `specs`, read in one pass over the file. `check(rows)` runs once the rows
 * are counted, before any cell problem is reported (a shard's row count against its
 * manifest).
 */
export function readColumns(t: TableFile, specs: readonly ColumnSpec[], check?: (rows: number) => void): { rows: number; arrays: Array<Float64Array | Uint8Array> } {
  const named = specs.map((s) => columnProblem(t, s.name));
  if (named[0]) throw usage(named[0]);
  let arrays: Array<Float64Array | Uint8Array> = specs.map((s) => (s.kind === 'label' ? new Uint8Array(t.rowsHint) : new Float64Array(t.rowsHint)));
  const bad: Array<{ row: number; cell: unknown } | undefined> = specs.map(() => undefined);
  const { rows, problem } = t.scan(
    specs.map((s) => s.name),
    (cells, first) => {
      const n = cells[0]?.length ?? 0;
      arrays = arrays.map((a) => grown(a, first + n));
      specs.forEach((s, c) => {
        const out = arrays[c]!;
        const col = cells[c]!;
        if (s.kind === 'key') {
          for (let i = 0; i < n; i++) {
            const v = s.keys!.index(col[i]);
            if (Number.isNaN(v)) bad[c] ??= { row: first + i, cell: col[i] };
            out[first + i] = v;
          }
          return;
        }
        if (ArrayBuffer.isView(col) && !(col instanceof BigInt64Array || col instanceof BigUint64Array)) {
          // Numbers already (a float column, timestamps from their words): no cell to read.
          const nums = col as unknown as ArrayLike<number>;
          if (out instanceof Float64Array) {
            // Copied natively, then checked in the copy: one loop over one array type.
            out.set(nums, first);
            const got = out.subarray(first, first + n);
            const finite = s.kind === 'score';
            for (let i = 0; i < n; i++) {
              const v = got[i]!;
              if (finite ? !Number.isFinite(v) && !(s.missingAllowed && Number.isNaN(v)) : Number.isNaN(v)) bad[c] ??= { row: first + i, cell: v };
            }
            return;
          }
          for (let i = 0; i < n; i++) {
            const v = nums[i]!;
            if (v !== 0 && v !== 1) bad[c] ??= { row: first + i, cell: v };
            out[first + i] = v;
          }
          return;
        }
        for (let i = 0; i < n; i++) {
          const v = convert(s.kind, col[i]);
          if (Number.isNaN(v) && !(s.missingAllowed && isMissingValue(col[i]))) bad[c] ??= { row: first + i, cell: col[i] };
          out[first + i] = v;
        }
      });
    },
  );
  check?.(rows);
  if (problem) throw usage(problem);
  specs.forEach((s, c) => {
    if (named[c]) throw usage(named[c]);
    const b = bad[c];
    if (b) throw usage(message(t, s, b.row, b.cell));
  });
  return { rows, arrays: arrays.map((a) => a.subarray(0, rows)) };
}
