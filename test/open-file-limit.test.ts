/**
 * A run with more workers than the open-file limit lets start (each worker thread takes a
 * few descriptors: its event loop, its files). Piscina reports a worker that could not
 * start as an 'error' event on the pool; unheard, it ended the run with a stack trace
 * (exit 1) while the other workers could have done the work. And the workers the binary
 * prestarts could take the descriptors its own thread needed to load the command line
 * (a stack trace again). The run goes on with the workers that started, and writes the
 * same bytes as any other worker count.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { CLI, cliProcess, expectClean, ROOT, tinyScenario, treeHashes, writeScenario } from './reliability-helpers.js';

describe('more workers than the open-file limit lets start', () => {
  it('64 workers under ulimit -n 200: the run completes with those that started, bytes as with 2', () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(400_000));
    const ref = join(base, 'ref');
    expect(cliProcess(['generate', scenario, '--out', ref, '--shard-rows', '65536', '--workers', '2']).code).toBe(0);
    // Which workers fail, and whether the command line itself could still load, is a race: a few rounds.
    for (let round = 0; round < 3; round++) {
      const out = join(base, `many-${round}`);
      const r = spawnSync('/bin/sh', ['-c', 'ulimit -n 200 && exec "$0" "$@"', process.execPath, CLI, 'generate', scenario, '--out', out, '--shard-rows', '65536', '--workers', '64'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expectClean({ code: r.status, out: r.stdout, err: r.stderr });
      expect(r.stderr).not.toMatch(/EMFILE|Unhandled/);
      expect(treeHashes(out)).toEqual(treeHashes(ref));
    }
  }, 180_000);
});
