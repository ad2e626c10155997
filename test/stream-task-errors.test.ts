/**
 * A stream block's failure in its worker travels as data (errors.ts, errorData), like a
 * shard's: a system error keeps its meaning. A worker that had no file descriptor left
 * (EMFILE: loading a module, preparing the scenario) said "rows 0–65535, seed 42: EMFILE:
 * too many open files, open '…'", a generation failure naming a file, instead of the
 * open-file limit and how to raise it.
 */
import { describe, expect, it, vi } from 'vitest';
import { outOfFileDescriptors } from '../src/errors.js';
import { runStreamTask, type StreamBlockResult } from '../src/run/stream-task.js';
import { scenarioFrom } from './helpers.js';
import { tinyScenario } from './reliability-helpers.js';

const failure = vi.hoisted(() => ({ err: undefined as unknown }));

vi.mock('../src/variables/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/variables/registry.js')>();
  return {
    ...real,
    prepareScenario: async (...args: Parameters<typeof real.prepareScenario>) => {
      if (failure.err) throw failure.err;
      return real.prepareScenario(...args);
    },
  };
});

describe('a stream block that fails in its worker', () => {
  it('for want of file descriptors: the open-file limit, as any command says it; the block still names its rows', async () => {
    const emfile = Object.assign(new Error("EMFILE: too many open files, open '/some/module.js'"), { code: 'EMFILE', syscall: 'open', path: '/some/module.js' });
    failure.err = emfile;
    const r = (await runStreamTask({ type: 'stream', scenario: scenarioFrom(tinyScenario(1000)), rowStart: 0, rowEnd: 1000, format: 'csv', unitRows: 1 })) as StreamBlockResult;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('RESOURCE_LIMIT');
    expect(r.error.message).toBe(outOfFileDescriptors(emfile)!.message);
    expect(r.error.details).toMatchObject({ seed: 3, rowStart: 0, rowEnd: 1000 });
  });

  it('any other error stays a generation failure with its own words', async () => {
    failure.err = new Error('something else');
    const r = (await runStreamTask({ type: 'stream', scenario: scenarioFrom(tinyScenario(1000)), rowStart: 0, rowEnd: 1000, format: 'csv', unitRows: 1 })) as StreamBlockResult;
    expect(r.ok ? null : { code: r.error.code, message: r.error.message }).toEqual({ code: 'GENERATION_FAILED', message: 'something else' });
  });
});
