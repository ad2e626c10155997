/**
 * A dataset-wide table file (the segment table, a fleet's entity table) compared with the
 * rows the scenario gives, piece by piece: the expected rows come as pieces in row order,
 * the file is read a few pages at a time (formats/parquet-batches), and each column's first
 * differing row is named with both values. Memory is a piece of each, whatever the
 * table's length: a dataset may hold hundreds of millions of events.
 */
import type { Table } from 'apache-arrow';
import { forEachParquetRows, parquetColumns, parquetKeyValues } from '../formats/parquet-batches.js';
import { recodedDifference } from '../formats/parquet-recode.js';

/** What comparing a table file found (each difference, said without the file's name), and how it went. */
export interface TableCheck {
  differences: string[];
  /** Expected pieces compared. */
  pieces: number;
  /** The most rows of one piece, expected or read: the comparison's memory in rows. */
  mostRows: number;
}

export interface TableCheckOptions {
  /** Rows of the file read at a time. */
  pieceRows: number;
  /** Key-value metadata the file must carry (its provenance). */
  metadata: ReadonlyMap<string, string>;
  /** What a row is, said after its number in a message (an event's id and entity). */
  rowLabel?: (expected: Table, row: number) => string;
  /**
   * Compressions paranom's writer may have written the file with: once every value agrees,
   * the file must be byte for byte what the writer gives for them with one of these (none:
   * the values alone are compared, as for zstd, which parquet-wasm writes).
   */
  compressions: ReadonlyArray<'snappy' | 'none'>;
}

/** A cell as a message shows it (and as two cells are compared): -0 kept, bigints whole. */
export function cell(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

/** Stops reading the file once the comparison has said all it can. */
class Stop extends Error {}

/** Compares the Parquet file at `path` with the `expected` pieces. */
export function compareTableFile(path: string, expected: Iterable<Table>, options: TableCheckOptions): TableCheck {
  const problems: string[] = [];
  let like: Table | undefined;
  const pieces = expected[Symbol.iterator]();
  let piece: Table | undefined;
  let at = 0; // next row of `piece`
  let expectedRows = 0; // rows of the pieces taken so far
  let count = 0;
  let mostRows = 0;
  const next = (): boolean => {
    const r = pieces.next();
    if (r.done) return false;
    piece = r.value;
    like ??= piece;
    at = 0;
    expectedRows += piece.numRows;
    count++;
    mostRows = Math.max(mostRows, piece.numRows);
    return true;
  };
  next();
  const differing = new Set<string>();
  let fileRows = 0;
  try {
    const kv = parquetKeyValues(path);
    for (const [k, v] of options.metadata) if (kv.get(k) !== v) problems.push(kv.has(k) ? `its '${k}' metadata is another scenario's, seed's or engine's` : `its '${k}' metadata is missing`);
    const columns = (t: { fields: ReadonlyArray<{ name: string; type: unknown }> }) => t.fields.map((f) => `${f.name} (${String(f.type)})`).join(', ');
    const want = columns(piece!.schema);
    const have = columns(parquetColumns(path).schema);
    if (want !== have) {
      problems.push(`it has columns ${have}; the scenario gives ${want}`);
      throw new Stop();
    }
    fileRows = forEachParquetRows(path, options.pieceRows, (actual, first) => {
      mostRows = Math.max(mostRows, actual.numRows);
      let done = 0;
      while (done < actual.numRows) {
        if (at >= piece!.numRows && !next()) return; // more rows than the scenario gives: counted below
        const n = Math.min(actual.numRows - done, piece!.numRows - at);
        for (const f of piece!.schema.fields) {
          if (differing.has(f.name)) continue;
          const e = piece!.getChild(f.name)!;
          const a = actual.getChild(f.name)!;
          for (let i = 0; i < n; i++) {
            const x = cell(e.get(at + i));
            const y = cell(a.get(done + i));
            if (x !== y) {
              differing.add(f.name);
              problems.push(`column '${f.name}' differs at row ${first + done + i}${options.rowLabel?.(piece!, at + i) ?? ''}: file has ${y}, the scenario gives ${x}`);
              break;
            }
          }
        }
        done += n;
        at += n;
      }
    });
  } catch (err) {
    if (err instanceof Stop) return { differences: problems, pieces: count, mostRows };
    return { differences: [...problems, `it cannot be read (${(err as Error).message})`], pieces: count, mostRows };
  }
  // The rest of the scenario's rows, counted (the file ended before them).
  while (next());
  if (fileRows !== expectedRows) problems.push(`it has ${fileRows} rows, the scenario gives ${expectedRows}`);
  if (problems.length === 0 && options.compressions.length > 0) {
    // Equal values: the bytes too, as paranom's writer gives them with one of the compressions.
    const said = options.compressions.map((c) => recodedDifference(path, like!, new Map(options.metadata), c));
    if (!said.some((x) => x === undefined || x === null)) problems.push(said[0]!);
  }
  return { differences: problems, pieces: count, mostRows };
}
