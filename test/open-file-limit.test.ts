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
import { errorData, EXIT_CODES, outOfFileDescriptors } from '../src/errors.js';
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

describe('what a failure for want of file descriptors says', () => {
  const errno = (code: string, message = `${code}: something, open '/x'`) => Object.assign(new Error(message), { code });

  it("EMFILE names this process's limit, as `ulimit -n` shows it; exit 1, not a user's mistake", () => {
    const limit = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
    const e = outOfFileDescriptors(errno('EMFILE'))!;
    expect(e.code).toBe('RESOURCE_LIMIT');
    expect(EXIT_CODES[e.code]).toBe(1);
    expect(e.message).toBe(`too many open files (EMFILE): the open-file limit (ulimit -n) is ${limit}, too low for this run; raise it, e.g. \`ulimit -n 4096\`, and run the same command again`);
  });

  it('a worker thread that could not start for it says the same; ENFILE names the system-wide limit; other errors are not its', () => {
    const worker = errno('ERR_WORKER_INIT_FAILED', 'Worker initialization failure: EMFILE');
    expect(outOfFileDescriptors(worker)!.message).toBe(outOfFileDescriptors(errno('EMFILE'))!.message);
    expect(outOfFileDescriptors(errno('ENFILE'))!.message).toMatch(/^too many open files on this system \(ENFILE\): the system-wide limit is reached; /);
    expect(outOfFileDescriptors(errno('ERR_WORKER_INIT_FAILED', 'Worker initialization failure: ENOMEM'))).toBeUndefined();
    expect(outOfFileDescriptors(errno('ENOSPC'))).toBeUndefined();
    expect(outOfFileDescriptors(new Error('EMFILE in a message only'))).toBeUndefined();
    // From a worker, as data: the limit's code, not a generation failure.
    expect(errorData(errno('EMFILE')).code).toBe('RESOURCE_LIMIT');
  });
});
