import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/run/generate.js';
import { loadScenario } from '../src/reader/load.js';
import { tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MARCH = Date.UTC(2024, 2, 1) / 1000;

/** A scenario replaying column `at` of a CSV of 2,000 rows whose times are `time(i)`, read in `unit`. */
function setUp(time: (i: number) => string, unit: string): string {
  const dir = tempDir('paranom-epoch-unit-');
  const rows = Array.from({ length: 2000 }, (_, i) => `${time(i)},${(Math.sin(i / 30) * 10).toFixed(3)}`);
  writeFileSync(join(dir, 'e.csv'), ['at,value', ...rows].join('\n') + '\n');
  writeFileSync(join(dir, 's.yaml'), [
    'name: epoch-unit',
    'seed: 1',
    'timeline: { start: 2024-03-01T00:00:00Z, step: 1m, rows: 500 }',
    'variables:',
    `  v: { type: source, file: e.csv, column: value, timestamps: { map: at, unit: ${unit} } }`,
  ].join('\n') + '\n');
  return join(dir, 's.yaml');
}

const validate = (file: string) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'validate', file], { encoding: 'utf8' });

describe('epoch numbers read in too small a unit', () => {
  it('epoch seconds read as ms: validate warns, naming the column, both ranges and the line to write, and exits 0', () => {
    const r = validate(setUp((i) => String(MARCH + 60 * i), 'ms'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("variables.v: the times in column 'at' of e.csv, read in ms, fall in 1970 (1970-01-20T18:47:31.200Z to 1970-01-20T18:49:31.140Z)");
    expect(r.stderr).toContain('its 2,000 rows span 2 min, replayed along a timeline step of 1 min');
    expect(r.stderr).toContain('Read in s they would run from 2024-03-01T00:00:00.000Z to 2024-03-02T09:19:00.000Z: if that is when they were recorded, write timestamps: { map: at, unit: s }');
  });

  it('epoch milliseconds read as us: generate returns the warning, suggesting ms', async () => {
    const file = setUp((i) => String((MARCH + 60 * i) * 1000), 'us');
    const r = await generate(loadScenario(file), { out: join(tempDir(), 'd'), workers: 1 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/read in us, fall in 1970 .* write timestamps: \{ map: at, unit: ms \}$/);
  });

  it('the right unit, and times meant to start at 0 (seconds since a start), are not warned of', async () => {
    for (const [time, unit] of [[(i: number) => String(MARCH + 60 * i), 's'], [(i: number) => String(60 * i), 's'], [(i: number) => String(60_000 * i), 'ms']] as const) {
      const file = setUp(time, unit);
      const r = validate(file);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr, `${unit}: ${time(1)}`).toBe('');
      expect((await generate(loadScenario(file), { out: join(tempDir(), 'd'), workers: 1 })).warnings).toEqual([]);
    }
  });
});
