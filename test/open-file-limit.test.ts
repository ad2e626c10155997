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
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
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

/**
 * An open-file limit too low for the run itself. Node needs some descriptors of its own,
 * each worker thread a few more; a limit between "Node can start" and "the run fits" met
 * paranom at every step: loading its modules (Node's stack trace), its workers failing to
 * start (a task queued for a worker that never came: the run hung until a signal), a
 * worker's shard file, the journal (messages naming a file, not the limit), and the lock
 * left behind when its release could not read it. At every such limit the run now either
 * completes or says, in one line, that the open-file limit is too low, exits 1, and leaves
 * what the same command, run again under a normal limit, completes.
 */
describe('an open-file limit too low for the run', () => {
  /** Runs `args` (node and its arguments) under `ulimit -n n`; killed (signal set) past 15 s. */
  const underLimit = (n: number, args: string[]) =>
    spawnSync('/bin/sh', ['-c', `ulimit -n ${n} && exec "$0" "$@"`, process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL', maxBuffer: 1 << 30 });

  /**
   * Runs the CLI with `args(n)` under each limit from the lowest Node starts at (with a module
   * to read: below it no code of paranom's runs) until the command succeeds twice in a row.
   * Each run ends by itself: with its result checked by `done`, or in one line naming the
   * limit, exit 1, checked by `failed`. Asserts that some limit was too low.
   */
  const walkLimits = (base: string, args: (n: number) => string[], done: (n: number, stdout: string) => void, failed: (n: number) => void): void => {
    const empty = join(base, 'empty.mjs');
    writeFileSync(empty, '');
    let n = 8;
    while (underLimit(n, [empty]).status !== 0) n++;
    let failures = 0;
    let fits = 0;
    for (; fits < 2 && n < 80; n++) {
      const r = underLimit(n, [CLI, ...args(n)]);
      expect(r.signal, `ulimit -n ${n}: ${r.stderr}`).toBeNull();
      expectClean({ code: r.status, out: '', err: r.stderr });
      if (r.status === 0) {
        fits++;
        done(n, r.stdout);
        continue;
      }
      fits = 0;
      failures++;
      expect(r.status, r.stderr).toBe(1);
      const said = `paranom: too many open files (EMFILE): the open-file limit (ulimit -n) is ${n}, too low for this run; raise it, e.g. \`ulimit -n 4096\`, and run the same command again\n`;
      // Where not even the words could be loaded (a limit Node itself barely starts under), Node's own line names the module, with the advice.
      if (r.stderr !== said) expect(r.stderr).toMatch(/^paranom: EMFILE: too many open files, open '[^'\n]+\.js'; raise the open-file limit \(ulimit -n\)\n$/);
      failed(n);
    }
    expect(fits, 'no limit under 80 let the command complete').toBe(2);
    expect(failures, 'no limit was too low for the command').toBeGreaterThan(0);
  };

  it('generate, from the lowest limit Node starts at up to one the run fits in: done, or one line naming the limit, exit 1; never a hang', () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(200_000));
    const args = (out: string) => ['generate', scenario, '--out', out, '--shard-rows', '65536', '--workers', '2'];
    const ref = join(base, 'ref');
    expect(cliProcess(args(ref)).code).toBe(0);
    const outAt = (n: number) => join(base, `limit-${n}`);
    /** Directories a failed run left (made by it, or holding an unfinished run). */
    const left: string[] = [];
    walkLimits(
      base,
      (n) => args(outAt(n)),
      (n) => expect(treeHashes(outAt(n))).toEqual(treeHashes(ref)),
      (n) => {
        if (!existsSync(outAt(n))) return;
        left.push(outAt(n));
        // What is left is an unfinished run's (a journal, whole shards), never its lock nor a temporary file.
        expect(readdirSync(outAt(n), { recursive: true }).map(String).filter((f) => /\.lock|\.tmp/.test(f))).toEqual([]);
      },
    );
    // The same command under a normal limit completes every directory a failure left, as any run would have written it.
    for (const out of left) {
      expect(cliProcess(args(out)).code).toBe(0);
      expect(treeHashes(out)).toEqual(treeHashes(ref));
    }
    if (left.length > 0) {
      const v = cliProcess(['verify', left.at(-1)!]);
      expect(v.code, v.err).toBe(0);
    }
  }, 120_000);

  it('a stream to standard output: done with the same rows, or one line naming the limit (a block that failed in its worker said it as a generation failure)', () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(140_000));
    const args = ['generate', scenario, '--stdout', '--workers', '2'];
    const ref = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(ref.status, ref.stderr).toBe(0);
    walkLimits(
      base,
      () => args,
      (_n, stdout) => expect(stdout === ref.stdout, 'the rows streamed differ').toBe(true),
      () => undefined,
    );
  }, 120_000);
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

  it("--verbose shows where the descriptor ran out: the failure's own stack, not the message's", () => {
    const err = errno('EMFILE');
    expect(outOfFileDescriptors(err)!.details['stack']).toBe(err.stack);
  });
});
