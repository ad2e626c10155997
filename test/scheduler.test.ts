/**
 * Which failure a run reports when several shards fail: the earliest shard's, whichever
 * worker got to its failure first, so the message (its row) is the same for any worker
 * count.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBounded } from '../src/run/scheduler.js';
import { generate } from '../src/run/generate.js';
import { tempDir } from './helpers.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runBounded', () => {
  it('keeps the earliest item failure, not the first in time, and lets earlier items finish', async () => {
    const seen: string[] = [];
    const failure = await runBounded([0, 1, 2, 3], 3, () => false, async (item, _i, schedule) => {
      if (item === 0) {
        await later(80);
        // Item 1 failed meanwhile: that does not halt an earlier item.
        seen.push(`0 halted=${schedule.halted()} failed=${schedule.failed()}`);
        throw new Error('item 0');
      }
      if (item === 1) throw new Error('item 1');
      await later(20);
      seen.push(`${item} halted=${schedule.halted()}`);
    });
    expect((failure?.error as Error).message).toBe('item 0');
    // Item 3 never started (a failure came first); item 2, started before it, saw item 1's.
    expect(seen.sort()).toEqual(['0 halted=false failed=false', '2 halted=true']);
  });

  it('keeps a landing failure of an earlier item over a later task failure', async () => {
    const failure = await runBounded([0, 1], 2, () => false, async (item) => {
      if (item === 1) throw new Error('task 1');
      return { landing: later(50).then(() => Promise.reject(new Error('landing 0'))) };
    });
    expect((failure?.error as Error).message).toBe('landing 0');
  });
});

describe('a run whose shards fail', () => {
  it('names the first row at fault with 1 worker and with 2, when a later shard fails sooner', async () => {
    const dir = tempDir();
    // Shard 0 is slow and fails near its end; shard 1 fails at once.
    writeFileSync(
      join(dir, 'cb.mjs'),
      'export function v(ctx) {\n' +
        '  if (ctx.row === 0) { const until = Date.now() + 600; while (Date.now() < until); }\n' +
        "  if (ctx.row === 60000 || ctx.row === 65536) throw new Error('no reading for row ' + ctx.row);\n" +
        '  return 1;\n}\n',
    );
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'seed: 3\ntimeline: { rows: 131072 }\nvariables:\n  t: { type: callback, module: cb.mjs, normal: v }\n');
    for (const workers of [1, 2]) {
      await expect(generate(file, { out: join(dir, `out-${workers}`), workers, shardRows: 65_536 })).rejects.toThrow(/^shard 0 \(rows 0–65535\), seed 3: .* at row 60000, seed 3: threw Error: no reading for row 60000$/);
    }
  });
});
