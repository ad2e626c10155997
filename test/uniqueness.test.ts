/**
 * Uniqueness: the sparse parallel resolver must equal the sequential meaning
 * exactly — checked against a brute-force reference, in memory and spilled to disk — and
 * be the same for any layout, under growth, and readable as distinct tuples by DuckDB.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintRows, compileKey } from '../src/uniqueness/fingerprint.js';
import { UniquenessResolver, type Resolution } from '../src/uniqueness/resolve.js';
import { DenseResolver, isDense } from '../src/uniqueness/dense-resolver.js';
import { makePermutation } from '../src/variables/id.js';
import { generate } from '../src/run/generate.js';
import { grow } from '../src/run/grow.js';
import { cliProcess } from './reliability-helpers.js';
import { verify } from '../src/run/verify.js';
import type { Manifest } from '../src/dataset/manifest.js';
import type { Scenario } from '../src/model/types.js';
import { duck, scenarioFrom, tempDir } from './helpers.js';

function uniqueScenario(rows: number, normal: object, anomalous: object, aMax = 99): Scenario {
  return scenarioFrom({
    name: 'unique-test',
    seed: 11,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
    anomalies: { frequency: 0.1, duration: [3, 30] },
    uniqueness: { key: ['a', 'b'], normal, anomalous },
    variables: {
      a: { normal: { dist: 'integer', min: 0, max: aMax }, anomalous: { dist: 'integer', min: 100, max: 100 + aMax } },
      b: { normal: { dist: 'categorical', values: [1, 2, 3] }, anomalous: { dist: 'bernoulli', p: 0.5 }, dtype: 'int32' },
      noise: { normal: { dist: 'normal', mean: 0, sd: 1 } },
    },
  });
}

/** The sequential meaning, computed the obvious way. */
function reference(s: Scenario): { rows: number[]; attempts: number[]; nonUnique: Record<string, number> } {
  const rows: number[] = [];
  const attempts: number[] = [];
  const nonUnique: Record<string, number> = { normal: 0, anomalous: 0 };
  const seen = { normal: new Set<string>(), anomalous: new Set<string>() };
  const key = compileKey(s);
  const { anomalous } = fingerprintRows(s, 0, s.timeline.rows);
  for (let row = 0; row < s.timeline.rows; row++) {
    const cls = anomalous[row] ? 'anomalous' : 'normal';
    const rule = s.uniqueness![cls];
    if (rule.mode === 'none') continue;
    let chosen = -1;
    let tuple = '';
    for (let a = 0; a < rule.tries; a++) {
      tuple = key.map((c) => c.valueAt!(row, a, cls === 'anomalous')).join(',');
      if (!seen[cls].has(tuple)) {
        chosen = a;
        break;
      }
    }
    if (chosen < 0) {
      if (rule.mode === 'hard') throw new Error(`hard at ${row}`);
      nonUnique[cls]!++;
      chosen = rule.tries - 1;
    }
    seen[cls].add(tuple);
    if (chosen > 0) {
      rows.push(row);
      attempts.push(chosen);
    }
  }
  return { rows, attempts, nonUnique };
}

/** The sparse resolver (sorted fingerprint index), whatever the key. */
function resolveInProcess(s: Scenario, shardRows: number, memoryPairs?: number): Resolution {
  const r = new UniquenessResolver(s, s.timeline.rows, memoryPairs ? { memoryPairs } : {});
  for (let from = 0; from < s.timeline.rows; from += shardRows) r.add(fingerprintRows(s, from, Math.min(s.timeline.rows, from + shardRows)));
  return r.resolve();
}

/** The dense resolver (exact codes, bitmap), for keys with finite integer-like domains. */
function resolveDense(s: Scenario, shardRows: number): Resolution {
  expect(isDense(s)).toBe(true);
  const r = new DenseResolver(s, s.timeline.rows);
  for (let from = 0; from < s.timeline.rows; from += shardRows) r.add(fingerprintRows(s, from, Math.min(s.timeline.rows, from + shardRows), true));
  return r.resolve();
}

describe('resolution equals the sequential meaning', () => {
  const s = uniqueScenario(3000, { mode: 'soft', tries: 4 }, { mode: 'soft', tries: 3 });
  const ref = reference(s);

  it('in memory', () => {
    const got = resolveInProcess(s, 700);
    expect(ref.rows.length).toBeGreaterThan(100); // collisions are frequent: 300 normal tuples
    expect({ rows: got.rows, attempts: got.attempts }).toEqual({ rows: ref.rows, attempts: ref.attempts });
    expect(got.normal.non_unique_rows).toBe(ref.nonUnique['normal']);
    expect(got.anomalous.non_unique_rows).toBe(ref.nonUnique['anomalous']);
  });

  it('with the dense resolver (bitmap of exact codes)', () => {
    const got = resolveDense(s, 700);
    expect({ rows: got.rows, attempts: got.attempts }).toEqual({ rows: ref.rows, attempts: ref.attempts });
    expect(got.normal.non_unique_rows).toBe(ref.nonUnique['normal']);
    expect(got.normal.domain).toBe(300);
  });

  it('dense and sparse agree on a larger crowded key, and a float key is not dense', () => {
    const big = uniqueScenario(60_000, { mode: 'hard', tries: 60 }, { mode: 'soft', tries: 3 }, 59_999);
    expect(resolveDense(big, 65_536)).toEqual(resolveInProcess(big, 65_536));
    const floats = scenarioFrom({ timeline: { rows: 10 }, uniqueness: { key: ['f'], normal: { mode: 'hard' } }, variables: { f: { normal: { dist: 'normal', mean: 0, sd: 1 } } } });
    expect(isDense(floats)).toBe(false);
  });

  it('spilled to disk in small buckets', () => {
    const got = resolveInProcess(s, 1000, 50);
    expect({ rows: got.rows, attempts: got.attempts }).toEqual({ rows: ref.rows, attempts: ref.attempts });
  });

  it('with hard mode on a roomy domain: every tuple distinct', () => {
    const hard = uniqueScenario(1500, { mode: 'hard', tries: 40 }, { mode: 'none' }, 999);
    const got = resolveInProcess(hard, 512);
    const r = reference(hard);
    expect(got.rows).toEqual(r.rows);
    expect(got.normal.distinct_tuples).toBe(got.normal.rows);
    expect(got.normal.retried_rows).toBe(r.rows.length);
  });
});

describe('failures and shortfalls', () => {
  it("fails at once when the domain is exhausted (Paranom's example), exit 3, naming class, row, key and count", () => {
    const dir = tempDir();
    const file = join(dir, 'two-values.yaml');
    writeFileSync(file, ['seed: 1', 'timeline: { start: "2024-01-01T00:00:00Z", step: 1s, rows: 3 }', 'uniqueness: { key: [flag], normal: { mode: hard, tries: 16000000 } }', 'variables:', '  flag: { normal: { dist: categorical, values: [on, off] } }', ''].join('\n'));
    // No search through 16M tries: the run ends within 10 s of CPU time (a bound load does not stretch).
    const r = cliProcess(['generate', file, '--out', join(dir, 'out')], { cpuSeconds: 10, timeout: 600_000 });
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/hard uniqueness failed at normal row 2 \(2024-01-01T00:00:02\.000Z\): the key \(flag\) can take only 2 distinct values for normal rows, and earlier normal rows took all of them/);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it('leaves no shard behind when hard uniqueness fails after shards were written', async () => {
    // Dense key of 150,000 values over 200,000 rows: the first shards are written before the
    // domain runs out, and must be removed when it does.
    const s = scenarioFrom({ seed: 4, timeline: { rows: 200_000 }, uniqueness: { key: ['k'], normal: { mode: 'hard', tries: 100 } }, variables: { k: { normal: { dist: 'integer', min: 1, max: 150_000 } } } });
    const out = join(tempDir(), 'fail');
    await expect(generate(s, { out, workers: 2, shardRows: 65_536 })).rejects.toThrow(/hard uniqueness failed at normal row/);
    // The run created the directory; it leaves nothing behind, not even the directory.
    expect(existsSync(out)).toBe(false);
  });

  it('a grow that runs out of unique keys leaves the existing dataset as it was', async () => {
    const s = scenarioFrom({ seed: 4, timeline: { rows: 100_000 }, uniqueness: { key: ['k'], normal: { mode: 'hard', tries: 100 } }, variables: { k: { normal: { dist: 'integer', min: 1, max: 150_000 } } } });
    const out = join(tempDir(), 'grow-fail');
    const before = await generate(s, { out, workers: 2, shardRows: 65_536 });
    await expect(grow(out, 200_000, { workers: 2 })).rejects.toThrow(/hard uniqueness failed/);
    const after = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(after).toEqual(before.manifest);
    expect((await verify(out, { sampleBlocks: 2 })).ok).toBe(true);
  });

  it('verify regenerates a CSV shard with its rows\' resolved attempts', async () => {
    // Before: a CSV shard was regenerated without the retries, so every retried row differed.
    const s = uniqueScenario(70_000, { mode: 'soft', tries: 4 }, { mode: 'soft', tries: 4 });
    const out = join(tempDir(), 'csv-unique');
    const { manifest } = await generate(s, { out, workers: 2, shardRows: 65_536, format: 'csv' });
    expect(manifest.uniqueness!.normal.retried_rows).toBeGreaterThan(0);
    const report = await verify(out, { sampleBlocks: 2 });
    expect(report.problems).toEqual([]);
    expect(report.blocksCompared).toBe(2);
  });

  it('soft mode on an exhausted domain finishes and reports the exact shortfall', async () => {
    const s = scenarioFrom({
      seed: 2,
      timeline: { rows: 5000 },
      uniqueness: { key: ['d'], normal: { mode: 'soft', tries: 5 } },
      variables: { d: { normal: { dist: 'integer', min: 1, max: 1000 } } },
    });
    const out = join(tempDir(), 'soft');
    const { manifest } = await generate(s, { out, workers: 2 });
    const u = manifest.uniqueness!;
    expect(u.normal).toMatchObject({ rows: 5000, domain: 1000 });
    // At most 1000 distinct values exist; the shortfall is exactly what was not unique.
    expect(u.normal.distinct_tuples + u.normal.non_unique_rows).toBe(5000);
    expect(u.normal.non_unique_rows).toBeGreaterThanOrEqual(4000);
    const [r] = await duck(`SELECT count(DISTINCT d) AS n FROM read_parquet('${out}/data/*.parquet')`);
    expect(Number(r!['n'])).toBe(u.normal.distinct_tuples);
  });
});

describe("a class's domain is the tuples its own definitions can give", () => {
  // A string key's dictionary holds every class's categories, a categorical may give a
  // value weight 0 and a bernoulli p = 1: none of these is a value the class can draw.
  const s = scenarioFrom({
    seed: 5,
    timeline: { rows: 400 },
    anomalies: { frequency: 0.1, duration: [2, 5] },
    uniqueness: { key: ['a', 'n', 'f'], normal: { mode: 'soft', tries: 50 }, anomalous: { mode: 'soft', tries: 50 } },
    variables: {
      a: { normal: { dist: 'categorical', values: ['x', 'y'] }, anomalous: { dist: 'constant', value: 'q' } },
      n: { dtype: 'int32', normal: { dist: 'categorical', values: [1, 2, 3], weights: [1, 1, 0] } },
      f: { dtype: 'bool', normal: { dist: 'bernoulli', p: 1 } },
    },
  });

  it('is reported per class, as the sparse resolver reports it, with the same retries', () => {
    const dense = resolveDense(s, 128);
    expect(dense.normal.domain).toBe(4);
    expect(dense.anomalous.domain).toBe(2);
    const sparse = resolveInProcess(s, 128);
    expect({ normal: dense.normal, anomalous: dense.anomalous }).toEqual({ normal: sparse.normal, anomalous: sparse.anomalous });
    const ref = reference(s);
    expect({ rows: dense.rows, attempts: dense.attempts }).toEqual({ rows: ref.rows, attempts: ref.attempts });
  });

  it('ends a hard run at once when exhausted, naming the class domain', () => {
    const hard = { ...s, uniqueness: { ...s.uniqueness!, normal: { mode: 'hard' as const, tries: 50 } } };
    expect(() => resolveDense(hard, 128)).toThrow(/the key \(a, n, f\) can take only 4 distinct values for normal rows/);
  });
});

describe('layout independence and growth', () => {
  const s = uniqueScenario(200_000, { mode: 'hard', tries: 60 }, { mode: 'soft', tries: 5 }, 199_999);
  const hashes = (m: Manifest) => m.shards.map((x) => x.sha256);

  it('W=1 ≡ W=2, shard sizes and parts agree; growing keeps the prefix', async () => {
    const s2 = scenarioFrom({
      seed: 5,
      timeline: { rows: 200_000 },
      anomalies: { frequency: 0.05, duration: [5, 40] },
      uniqueness: { key: ['k'], normal: { mode: 'hard', tries: 60 }, anomalous: { mode: 'hard', tries: 60 } },
      variables: { k: { normal: { dist: 'integer', min: 0, max: 599_999 }, anomalous: { dist: 'integer', min: 0, max: 99_999 } }, v: { normal: { dist: 'uniform', min: 0, max: 1 } } },
    });
    const base = tempDir();
    const w1 = await generate(s2, { out: join(base, 'w1'), workers: 1, shardRows: 65_536 });
    const w2 = await generate(s2, { out: join(base, 'w2'), workers: 2, shardRows: 65_536 });
    expect(hashes(w2.manifest)).toEqual(hashes(w1.manifest));
    expect(w1.manifest.uniqueness!.normal.retried_rows).toBeGreaterThan(10_000);
    const [d] = await duck(`SELECT count(*) FILTER (WHERE NOT is_anomaly) AS n, count(DISTINCT k) FILTER (WHERE NOT is_anomaly) AS dn,
      count(*) FILTER (WHERE is_anomaly) AS a, count(DISTINCT k) FILTER (WHERE is_anomaly) AS da FROM read_parquet('${base}/w1/data/*.parquet')`);
    expect(d!['dn']).toBe(d!['n']);
    expect(d!['da']).toBe(d!['a']);

    const part = await generate(s2, { out: join(base, 'p2'), workers: 1, shardRows: 65_536, part: { k: 2, n: 2 } });
    expect(hashes(part.manifest)).toEqual(hashes(w1.manifest).slice(2));

    const checked = await verify(join(base, 'w1'), { sampleBlocks: 4 });
    expect(checked.problems).toEqual([]);

    const small = await generate(s2, { out: join(base, 'g'), rows: 100_000, workers: 2, shardRows: 65_536 });
    const grown = await grow(join(base, 'g'), 200_000, { workers: 2 });
    expect(hashes(grown.manifest)).toEqual(hashes(w1.manifest));
    expect(hashes(small.manifest)[0]).toBe(hashes(w1.manifest)[0]);
  });

  it('resolves identically with other shard boundaries (in process)', () => {
    const a = resolveInProcess(s, 65_536);
    const b = resolveInProcess(s, 131_072);
    expect(b).toEqual(a);
  });
});

describe('ids unique by construction', () => {
  it('is a permutation of the declared range', () => {
    for (const size of [1, 2, 7, 1000, 4096, 12_345]) {
      const p = makePermutation(size, new Uint32Array([1, 2, 3, 4]));
      const seen = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        const y = p(i);
        expect(y >= 0 && y < size).toBe(true);
        seen[y]!++;
      }
      expect(seen.every((c) => c === 1), `size ${size}`).toBe(true);
    }
  });

  it('never repeats in a dataset, stays in range, and keeps its values when the dataset grows', async () => {
    const doc = { seed: 9, timeline: { rows: 150_000 }, variables: { order_id: { type: 'id', min: 1_000_000, max: 1_999_999 }, x: { normal: { dist: 'uniform', min: 0, max: 1 } } } };
    const base = tempDir();
    await generate(scenarioFrom(doc), { out: join(base, 'a'), workers: 2, shardRows: 65_536 });
    const [r] = await duck(`SELECT count(*) AS n, count(DISTINCT order_id) AS d, min(order_id) >= 1000000 AND max(order_id) <= 1999999 AS inside FROM read_parquet('${base}/a/data/*.parquet')`);
    expect(r).toEqual({ n: '150000', d: '150000', inside: true });
    await generate(scenarioFrom({ ...doc, timeline: { rows: 50_000 } }), { out: join(base, 'b'), workers: 1 });
    const [same] = await duck(`SELECT count(*) AS n FROM read_parquet('${base}/a/data/*.parquet') a JOIN read_parquet('${base}/b/data/*.parquet') b USING (timestamp) WHERE a.order_id = b.order_id`);
    expect(same!['n']).toBe('50000');
  });
});
