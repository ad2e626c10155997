/**
 * `paranom grow --end TIME` reaches an instant: the same dataset, byte for byte, as
 * `--rows` with the rows a scenario's `timeline.end` would count, for a series and for a
 * fleet; an end the dataset already passed, or no instant at all, is refused (exit 2) and
 * leaves the dataset as it was.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const CLI = join(import.meta.dirname, '../dist/src/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** Every file of a dataset, by relative path, with its bytes. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[join(f.parentPath, f.name).slice(dir.length)] = readFileSync(join(f.parentPath, f.name)).toString('base64');
  }
  return out;
}

const SERIES = {
  seed: 5,
  timeline: { start: '2024-01-01T00:00:00.500Z', step: '1m', rows: 1000 },
  anomalies: { frequency: 0.02, duration: [5, 10] },
  variables: { x: { normal: { dist: 'normal', mean: 0, sd: 1 }, anomalous: { dist: 'normal', mean: 6, sd: 1 } } },
};

describe('grow --end', () => {
  it.each([
    ['a series', SERIES],
    ['a fleet', { ...SERIES, entities: { key: 'host', count: 3 } }],
  ])('%s: the same bytes as --rows with the rows timeline.end would count', (_name, doc) => {
    const dir = tempDir();
    const scenario = join(dir, 's.json');
    writeFileSync(scenario, JSON.stringify(doc));
    for (const d of ['a', 'b']) expect(cli('generate', scenario, '--out', join(dir, d), '--workers', '1').status).toBe(0);
    // 2024-01-02T00:00:00Z is 1,439.99 steps after the start: rows 0–1,439 fall before it.
    const end = '2024-01-02T00:00:00Z';
    const g = cli('grow', join(dir, 'a'), '--end', end, '--workers', '1');
    expect(g.status, g.stderr).toBe(0);
    expect(cli('grow', join(dir, 'b'), '--rows', '1440', '--workers', '1').status).toBe(0);
    expect(files(join(dir, 'a'))).toEqual(files(join(dir, 'b')));
    const scenarioEnd = join(dir, 'e.json');
    writeFileSync(scenarioEnd, JSON.stringify({ ...doc, timeline: { start: doc.timeline.start, step: doc.timeline.step, end } }));
    expect(cli('validate', scenarioEnd).stdout).toContain('1,440 rows');
  });

  it('refuses an end already passed, a non-instant, and --rows beside it, leaving the dataset as it was', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.json'), JSON.stringify(SERIES));
    expect(cli('generate', join(dir, 's.json'), '--out', join(dir, 'a')).status).toBe(0);
    const before = files(join(dir, 'a'));
    for (const [args, said] of [
      [['--end', '2024-01-01T10:00:00Z'], "the dataset already reaches its last row at 2024-01-01T16:39:00.500Z; name a later end"],
      [['--end', '2023-06-01'], 'the dataset already reaches its last row'],
      [['--end', 'tomorrow'], `--end: expected an ISO 8601 instant such as "2024-07-01T00:00:00Z", got 'tomorrow'`],
      [['--end', '2024-02-01', '--rows', '5000'], 'give --rows or --end, not both'],
    ] as const) {
      const r = cli('grow', join(dir, 'a'), ...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(said);
      expect(files(join(dir, 'a'))).toEqual(before);
    }
  });
});
