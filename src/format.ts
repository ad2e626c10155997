/**
 * Constants of the data format. Changing any of them changes output bytes, so each change
 * bumps FORMAT_VERSION and the golden hashes (D6).
 */

/**
 * Version of the dataset format written to manifests and Parquet metadata. grow, verify,
 * merge and resumed runs refuse a dataset of another version (dataset/manifest.ts,
 * run/identity.ts); report and eval read any.
 *
 * - 1: the first format.
 * - 2: the segment table gained each event's effect (`effect_rms`, `effect_max`,
 *   `changed_rows`) and `attempt`, the learned kind's radius quantile and latent distance in
 *   its parameters, and `entities` for fleet outages; run journals record this version.
 */
export const FORMAT_VERSION = 2;

/** Rows per block: shards are whole numbers of blocks; generation works block by block. */
export const BLOCK_ROWS = 65536;

/** Default shard size: 8 blocks (524,288 rows) keeps a worker's memory near 100–250 MB. */
export const DEFAULT_SHARD_ROWS = 8 * BLOCK_ROWS;

/** Rows per anomaly-placement epoch: candidate events are drawn per epoch (D1–D3). */
export const EPOCH_ROWS = 65536;

/** Normal rows kept between two anomaly events so that every event is a separate segment. */
export const EVENT_GAP = 1;
