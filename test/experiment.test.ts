/**
 * The usefulness experiment (`npm run experiment`) in reduced form: one seed, two NAB
 * series (and one series of `--protocol long`). It asserts only that the runs complete and
 * print a well-formed table with every condition, and which series the long protocol
 * takes; the figures themselves are the README's and docs/usefulness.md's, from the full runs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNab } from '../bench/experiment/nab.js';
import { LONG, longSeries } from '../bench/experiment/long.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs the experiment; checks the table is well formed and returns its header cells and row titles. */
function table(args: string[]): { stdout: string; header: string[]; titles: string[] } {
  const r = spawnSync(process.execPath, [join(root, 'dist/bench/experiment/run.js'), ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| condition |'));
  expect(header).toBeGreaterThanOrEqual(0);
  const columns = lines[header]!.split('|').length;
  expect(lines[header + 1]!.split('|').length).toBe(columns);
  expect(lines[header + 1]).toMatch(/^\|(---\|)+$/);
  const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
  const num = String.raw`-?\d+\.\d{3} ± \d+\.\d{3}`;
  for (const row of rows) {
    expect(row.split('|').length, row).toBe(columns);
    const cells = row.split('|').slice(2, -1).map((c) => c.trim());
    for (const c of cells) expect(c, row).toMatch(new RegExp(`^(${num}( of \\d+)?|–)$`));
  }
  return { stdout: r.stdout, header: lines[header]!.split('|').map((c) => c.trim()), titles: rows.map((r) => r.split('|')[1]!.trim()) };
}

describe('npm run experiment (reduced)', () => {
  it('runs on two series with one seed and prints one well-formed row per condition', () => {
    const { stdout, titles } = table(['--seeds', '1', '--series', '2']);
    expect(titles[0]).toMatch(/null/);
    expect(titles.some((t) => t.startsWith('(a)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(b)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(c'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(d)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(c3)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(d3)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(e)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(g)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(h)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(b7)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(u)'))).toBe(true);
    expect(titles.some((t) => t.startsWith('(u-c)'))).toBe(true);
    // The hybrid rows: (a)'s forecaster with (g)'s and (b)'s classifiers, before the τ rows.
    expect(titles.slice(-10, -8).map((t) => t.split(' ')[0])).toEqual(['(g+a)', '(b+a)']);
    // The τ rows: (a)'s forecaster, thresholds from four conditions' anomalies at β 1, then at β 0.1.
    expect(titles.slice(-8).map((t) => t.split(' ')[0])).toEqual(['(b-τ)', '(u-τ)', '(e-τ)', '(d-τ)', '(b-τ.1)', '(u-τ.1)', '(e-τ.1)', '(d-τ.1)']);
    expect(stdout).toMatch(/2 series, 1 seeds, \d+ s/);
  }, 300_000); // fifteen conditions and eight τ rows, a VAE trained: about 30 s quiet, minutes beside other heavy test files

  it('--protocol long: trains on the rows before the first window, with point precision and the splice', () => {
    // The qualifying series with the shortest training part (2,094 rows) keeps the VAE's training short.
    const { stdout, header, titles } = table(['--protocol', 'long', '--seeds', '1', '--series', 'realKnownCause/machine_temperature_system_failure.csv']);
    expect(header).toContain('point precision');
    expect(header).toContain('point recall');
    expect(titles).toHaveLength(23);
    expect(titles[0]).toMatch(/null/);
    expect(titles.slice(1).map((t) => t.split(' ')[0])).toEqual(['(a)', '(b)', '(d)', '(s)', '(d2)', '(d-drop)', '(d-rand)', '(e)', '(e-m5)', '(e-m1)', '(u)', '(u-c)', '(e-m5+a)', '(b+a)', '(b-τ)', '(u-τ)', '(e-τ)', '(d-τ)', '(b-τ.1)', '(u-τ.1)', '(e-τ.1)', '(d-τ.1)']);
    // The learned τ row reads the kind with its current defaults, (d-rand)'s scenario.
    expect(titles.find((t) => t.startsWith('(d-τ)'))).toContain("(d-rand)'s anomalies");
    expect(stdout).toMatch(/1 series, 1 seeds, \d+ s/);
  }, 300_000); // one VAE (about 6 s quiet), twelve detectors and eight τ rows

  it('--from --except re-pools a saved run without the series named: fewer windows, the same rows', () => {
    const saved = join(root, 'bench/experiment/results/long.json');
    const all = table(['--from', saved]);
    const less = table(['--from', saved, '--except', 'realKnownCause/rogue_agent_key_updown.csv']);
    expect(less.titles).toEqual(all.titles);
    expect(all.stdout).toMatch(/\n15 series/);
    expect(less.stdout).toMatch(/\n14 series/);
    const windows = (out: string): number => Number(/ of (\d+) \|/.exec(out)![1]);
    expect(windows(less.stdout)).toBeLessThan(windows(all.stdout));
  });

  it('the long protocol takes the series with 2,000 rows before their first window (less the margin), none of them labelled', () => {
    const all = loadNab(join(root, '../shared/data/nab'));
    const long = longSeries(all);
    expect(long.length).toBeGreaterThan(0);
    for (const s of all) {
      const first = Math.min(...s.windows.map((w) => w[0]));
      const picked = long.find((x) => x.name === s.name);
      if (first - LONG.margin < LONG.minRows) expect(picked, s.name).toBeUndefined();
      else {
        expect(picked!.cut, s.name).toBe(first - LONG.margin);
        expect(picked!.labels.subarray(0, picked!.cut + LONG.margin).some((l) => l === 1), s.name).toBe(false);
      }
    }
  });
});
