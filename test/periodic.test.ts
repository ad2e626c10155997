/**
 * H9's label-free periodicity rule (bench/experiment/periodic.ts): a repeating pattern
 * qualifies, slow persistence, a level change and white noise do not, and the saved runs
 * re-pool over the subset it picks.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { periodicity } from '../bench/experiment/periodic.js';
import { seededRandom } from '../bench/experiment/mlp.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function noise(n: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  // Box–Muller from the seeded uniform source: a test series, not paranom's generator.
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
}

describe('periodicity', () => {
  it('finds the period of a noisy cycle', () => {
    const e = noise(600, 1);
    const p = periodicity(Float64Array.from(e, (v, t) => Math.sin((2 * Math.PI * t) / 48) + 0.3 * v));
    expect(p.periodic).toBe(true);
    expect(Math.abs(p.period - 48) <= 1 || Math.abs(p.period - 96) <= 1 || Math.abs(p.period - 144) <= 1).toBe(true);
    expect(p.r).toBeGreaterThan(0.7);
  });

  it('refuses white noise, a random walk and a level change', () => {
    expect(periodicity(noise(600, 2)).periodic).toBe(false);
    let level = 0;
    const walk = Float64Array.from(noise(600, 3), (v) => (level += v));
    expect(periodicity(walk).periodic).toBe(false);
    // Persistence: the walk is strongly autocorrelated at short lags, which alone must not qualify.
    expect(periodicity(walk).maxR).toBeGreaterThan(0.3);
    const step = Float64Array.from(noise(600, 4), (v, t) => (t >= 200 && t < 400 ? 5 : 0) + 0.2 * v);
    expect(periodicity(step).periodic).toBe(false);
    expect(periodicity(new Float64Array(100)).periodic).toBe(false);
  });

  it('re-pools the saved long-protocol runs over the periodic series only', () => {
    const r = spawnSync(process.execPath, [join(root, 'dist/bench/experiment/periodic.js'), '--protocol', 'long', '--from', join(root, 'bench/experiment/results/long.json')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const m = /(\d+) of (\d+) series periodic, (\d+) labelled windows/.exec(r.stdout);
    expect(m).not.toBeNull();
    const [kept, all, windows] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(all).toBe(15);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(all);
    // The re-pooled table counts only the subset's windows.
    expect(r.stdout).toContain(`of ${windows} |`);
    expect(r.stdout.split('\n').filter((l) => /^\| artificial|^\| real/.test(l) && l.includes('| yes |')).length).toBe(kept);
  });
});
