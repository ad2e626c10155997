/**
 * A Parquet INT64 past ±(2^53 − 1) is refused by train-vae and eval as a source refuses it
 * (test/foreign-files.test.ts): read as a 64-bit float it becomes a neighbour of itself, so
 * a counter near 2^60 that varies by a few units trained as "constant", and scores that
 * ranked a detector's alarms apart tied (ROC-AUC 0.5 for a perfect detector).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSeries } from '../src/vae/series.js';
import { duck, tempDir } from './helpers.js';
import { cliProcess } from './reliability-helpers.js';

const dir = tempDir();
const times = `TIMESTAMP '2024-03-01' + i * INTERVAL 5 MINUTE AS timestamp`;

describe('64-bit integers past ±(2^53 − 1)', () => {
  it('train-vae refuses the row and value (before: "constant over the training rows")', async () => {
    const path = join(dir, 'counter.parquet');
    await duck(`COPY (SELECT ${times}, (1152921504606846976 + (i * 7919) % 13)::BIGINT AS value FROM range(40) t(i)) TO '${path}'`);
    expect(() => readSeries(path)).toThrow(`${path}: row 0 of column 'value' is 1152921504606846976, beyond ±(2^53 − 1), the largest integers training reads exactly (as a 64-bit float it is 1152921504606847000, and its neighbours tie with it)`);
    // At the edge, exactly.
    const edge = join(dir, 'edge.parquet');
    await duck(`COPY (SELECT ${times}, (9007199254740991 - i * (i % 2))::BIGINT AS value FROM range(40) t(i)) TO '${edge}'`);
    expect(readSeries(edge).values[0]![3]).toBe(9007199254740991 - 3);
  });

  it('eval refuses a score past it, naming the row, exit 2 (before: every score tied, ROC-AUC 0.5)', async () => {
    const preds = join(dir, 'preds.parquet');
    const labels = join(dir, 'labels.csv');
    await duck(`COPY (SELECT ${times}, (1152921504606846976 + (i * 7919) % 13)::BIGINT AS score FROM range(40) t(i)) TO '${preds}'`);
    await duck(`COPY (SELECT ${times}, ((i * 7919) % 13 > 6)::INT AS is_anomaly FROM range(40) t(i)) TO '${labels}'`);
    const r = cliProcess(['eval', preds, '--labels', labels]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${preds} row 0: '1152921504606846976' in score column 'score' is beyond ±(2^53 − 1)`);
    // The same scores less their base are read exactly: a perfect detector.
    const small = join(dir, 'small.parquet');
    await duck(`COPY (SELECT ${times}, ((i * 7919) % 13)::BIGINT AS score FROM range(40) t(i)) TO '${small}'`);
    const ok = cliProcess(['eval', small, '--labels', labels, '--json']);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).roc_auc).toBe(1);
  });
});
