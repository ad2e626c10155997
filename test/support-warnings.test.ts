/**
 * The warning for a variable without `limits` that an anomaly kind can push out of the
 * range its distribution keeps it in (a Poisson count below 0): `validate` and `generate`
 * name the variable, the kind, the range and the line to add; a variable with limits, a
 * kind that cannot leave the range, and a distribution without one are quiet.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { supportWarnings } from '../src/anomaly/kinds/support.js';
import { scenarioFrom, tempDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');

let work: string;
beforeAll(() => {
  work = tempDir('paranom-support-');
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

function write(name: string, doc: unknown): string {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const counts = (limits: boolean, direction: string) => ({
  timeline: { rows: 2_000 },
  anomalies: { frequency: 0.05, duration: [5, 10], kinds: [{ kind: 'level_shift', shift: 3, direction }] },
  variables: { requests: { normal: { dist: 'poisson', lambda: 2 }, ...(limits ? { limits: [0, null] } : {}) }, load: { normal: { dist: 'normal', mean: 0, sd: 1 } } },
});

describe('the warning for a variable without limits', () => {
  it('names the variable, the kind, its range and the line to add, from validate and generate', () => {
    const file = write('warn.json', counts(false, 'down'));
    const v = cli('validate', file);
    expect(v.status, v.stderr).toBe(0);
    const g = cli('generate', file, '--out', join(work, 'warn-out'));
    expect(g.status, g.stderr).toBe(0);
    for (const stderr of [v.stderr, g.stderr]) {
      const lines = stderr.split('\n').filter((l) => l.includes('limits: ['));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('paranom: warning: ');
      expect(lines[0]).toContain("variable 'requests' takes values >= 0 (poisson)");
      expect(lines[0]).toContain('below 0 by level_shift');
      expect(lines[0]).toContain('limits: [0, null]');
      // `load` (normal) has no range to leave.
      expect(stderr).not.toContain("'load'");
    }
  });

  it('is not given with limits, nor for a kind that cannot leave the range', () => {
    for (const [name, doc] of [['bounded-count.json', counts(true, 'down')], ['up-count.json', counts(false, 'up')]] as const) {
      const v = cli('validate', write(name, doc));
      expect(v.status, v.stderr).toBe(0);
      expect(v.stderr).not.toContain('limits:');
    }
  });

  it('knows which way each kind pushes, and each distribution’s range', () => {
    const warnings = (kinds: unknown[], variables: Record<string, unknown>, extra: Record<string, unknown> = {}) => supportWarnings(scenarioFrom({ timeline: { rows: 1_000 }, anomalies: { frequency: 0.05, duration: [5, 10], kinds }, variables, ...extra }));
    const share = { share: { normal: { dist: 'uniform', min: 0, max: 1 } } };
    expect(warnings([{ kind: 'noise', magnitude: 0.1 }], share)).toEqual([expect.stringContaining("'share' takes values from 0 to 1 (uniform), but anomaly kinds can push it below 0 by noise and above 1 by noise")]);
    expect(warnings([{ kind: 'noise', magnitude: 0.1 }], share)[0]).toContain('limits: [0, 1]');
    expect(warnings([{ kind: 'spike', magnitude: 1, direction: 'up' }], { n: { normal: { dist: 'exponential', rate: 1 } } })).toEqual([]);
    // Amplitude up to 1 stays between values the series took; above 1 it can leave the range.
    expect(warnings([{ kind: 'amplitude', factor: [0.2, 0.9] }], share)).toEqual([]);
    expect(warnings([{ kind: 'amplitude', factor: [0.5, 2] }], share)).toHaveLength(1);
    // flat_line by the value it holds; the shape kinds move the series' own values.
    expect(warnings([{ kind: 'flat_line', value: 0.5 }], share)).toEqual([]);
    expect(warnings([{ kind: 'flat_line', value: 2 }], share)[0]).toContain('above 1 by flat_line');
    expect(warnings([{ kind: 'smoothing', window: 5 }, { kind: 'reversal' }], share)).toEqual([]);
    expect(warnings([{ kind: 'trend', slope: 1 }], { temp: { type: 'process', components: [{ type: 'constant', value: 1 }] } })).toEqual([]);
    // A fleet's outages add their amount (level_shift, spike) or hold a value the series had (flat_line).
    const fleet = (outages: Record<string, unknown>, anomalies: Record<string, unknown> = {}) => supportWarnings(scenarioFrom({ timeline: { rows: 1_000 }, entities: { count: 3, key: 'host' }, anomalies: { ...anomalies, outages: { frequency: 0.1, duration: [5, 10], share: 0.5, variables: ['ou'], ...outages } }, variables: { ou: { normal: { dist: 'exponential', rate: 1 } } } }));
    expect(fleet({ kind: 'level_shift', amount: -5 }, { frequency: 0.05, duration: [5, 10], kinds: [{ kind: 'level_shift', shift: 1, direction: 'up' }] })).toEqual([expect.stringContaining("'ou' takes values >= 0 (exponential), but anomaly kinds can push it below 0 by outages (level_shift)")]);
    expect(fleet({ kind: 'spike', amount: [-3, 2] })).toEqual([expect.stringContaining('below 0 by outages (spike)')]);
    expect(fleet({ kind: 'level_shift', amount: [1, 5] })).toEqual([]);
    expect(fleet({ kind: 'flat_line' })).toEqual([]);
    expect(warnings([{ kind: 'level_shift', shift: 1, direction: 'down' }], { u: { type: 'correlated', marginal: { dist: 'lognormal', mu: 0, sigma: 1 } }, w: { type: 'correlated', marginal: { dist: 'normal', mean: 0, sd: 1 } } }, { correlations: { g: { variables: ['u', 'w'], correlation: [[1, 0.5], [0.5, 1]] } } })[0]).toContain("'u' takes values >= 0 (lognormal)");
  });
});
