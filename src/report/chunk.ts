/**
 * A chunk of rows as the report reduces it: numeric columns as Float64Array (NaN for a
 * missing value), categories as codes (-1 for missing), and the anomaly flag. Datasets and
 * previews both produce chunks, so the two reports are built by the same code.
 */
export interface Chunk {
  rowStart: number;
  rows: number;
  /** 1 on anomalous rows. */
  isAnomaly: Uint8Array;
  numeric: Map<string, Float64Array>;
  categorical: Map<string, Int32Array>;
}
