/**
 * Phase timing of shards (src/phases.ts): asked for, every shard's phases come back summed,
 * nested as the work is (PRNG inside generation, compression inside encoding, all inside
 * the shard task), with each shard's span on its worker; the files are the same bytes with
 * timing on or off. And the README's bench block is replaced between its markers only.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { PHASES } from '../src/phases.js';
import { BEGIN, END, replaceReadmeBlock } from '../bench/readme-block.js';
import { scenarioFrom, tempDir, VALVE } from './helpers.js';

const scenario = scenarioFrom({ ...VALVE, timeline: { ...VALVE.timeline, rows: 300_000 } });

describe('phase timing', () => {
  it('returns nested phase sums when asked, nothing otherwise, and the same bytes either way', async () => {
    const base = tempDir();
    const timed = await generate(scenario, { out: join(base, 'timed'), workers: 2, shardRows: 131_072, phases: true });
    const plain = await generate(scenario, { out: join(base, 'plain'), workers: 2, shardRows: 131_072 });
    expect(timed.manifest.shards.map((s) => s.sha256)).toEqual(plain.manifest.shards.map((s) => s.sha256));
    expect(plain.phases).toBeUndefined();
    const p = timed.phases!;
    expect(Object.keys(p)).toEqual([...PHASES]);
    for (const name of ['shard', 'generate', 'prng', 'encode', 'sha256', 'write', 'fsync'] as const) expect(p[name]).toBeGreaterThan(0);
    expect(p.prng).toBeLessThan(p.generate);
    expect(p.compress).toBeLessThanOrEqual(p.encode);
    expect(p.generate + p.encode + p.sha256 + p.write + p.fsync).toBeLessThanOrEqual(p.shard);
    // One span per shard, in shard order, on at most two worker threads, each inside the run.
    const spans = timed.spans!;
    expect(plain.spans).toBeUndefined();
    expect(spans.map((s) => s.shard)).toEqual(timed.manifest.shards.map((s) => s.index));
    expect(spans.map((s) => s.rows)).toEqual(timed.manifest.shards.map((s) => s.rows));
    expect(new Set(spans.map((s) => s.thread)).size).toBeLessThanOrEqual(2);
    for (const s of spans) {
      expect(s.end).toBeGreaterThan(s.start);
      // On Linux the worker's on-core time is known and within the span (no upper bound elsewhere).
      if (process.platform === 'linux') expect(s.cpu).toBeGreaterThan(0);
      if (process.platform === 'linux') expect(s.cpu).toBeLessThanOrEqual(s.end - s.start + 1);
    }
  });
});

describe('README bench block', () => {
  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `# x\n\nbefore\n${BEGIN}\nold figures\n${END}\nafter\n`;
    expect(replaceReadmeBlock(readme, 'new figures')).toBe(`# x\n\nbefore\n${BEGIN}\nnew figures\n${END}\nafter\n`);
    expect(() => replaceReadmeBlock('# no markers', 'x')).toThrow(/no bench markers/);
  });
});
