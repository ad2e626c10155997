/**
 * The usefulness experiment (`npm run experiment`) in reduced form: one seed, two NAB
 * series. It asserts only that the run completes and prints a well-formed table with every
 * condition; the figures themselves are the README's, from the full run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run experiment (reduced)', () => {
  it('runs on two series with one seed and prints one well-formed row per condition', () => {
    const r = spawnSync(process.execPath, [join(root, 'dist/bench/experiment/run.js'), '--seeds', '1', '--series', '2'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| condition |'));
    expect(header).toBeGreaterThanOrEqual(0);
    const columns = lines[header]!.split('|').length;
    expect(lines[header + 1]).toMatch(/^\|(---\|)+$/);
    const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
    const num = String.raw`-?\d+\.\d{3} ± \d+\.\d{3}`;
    for (const row of rows) {
      expect(row.split('|').length, row).toBe(columns);
      const cells = row.split('|').slice(2, -1).map((c) => c.trim());
      for (const c of cells) expect(c, row).toMatch(new RegExp(`^(${num}( of \\d+)?|–)$`));
    }
    const titles = rows.map((r) => r.split('|')[1]!.trim());
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
    expect(r.stdout).toMatch(/2 series, 1 seeds, \d+ s/);
  }, 300_000); // thirteen conditions, a VAE trained: about 30 s quiet, minutes beside other heavy test files
});
