/**
 * parquet-wasm compiles 5 MB of WebAssembly when it is required, in every thread that
 * requires it. A run that writes snappy or uncompressed Parquet never needs it, so neither
 * the main thread nor a shard worker may load it; zstd still does (the control, which also
 * shows the probe sees workers: they inherit its --require).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'paranom-lazy-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A --require probe that appends the thread's id to `log` whenever parquet-wasm is loaded. */
const probe = join(dir, 'probe.cjs');
writeFileSync(
  probe,
  `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'parquet-wasm') appendFileSync(process.env.PROBE_LOG, 'thread ' + threadId + '\\n');
  return load.call(this, request, ...rest);
};
`,
);

function generate(name: string, compression: string): string[] {
  const log = join(dir, `${name}.log`);
  const r = spawnSync(
    process.execPath,
    ['--require', probe, 'dist/src/cli/main.js', 'generate', 'scenarios/reference-13col.yaml', '--out', join(dir, name), '--rows', '70000', '--shard-rows', '35000', '--workers', '2', '--compression', compression],
    { encoding: 'utf8', env: { ...process.env, PROBE_LOG: log } },
  );
  expect(r.status, r.stderr).toBe(0);
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

describe('parquet-wasm is loaded only where it is used', () => {
  it('a snappy run and an uncompressed run load it in no thread', () => {
    expect(generate('snappy', 'snappy')).toEqual([]);
    expect(generate('none', 'none')).toEqual([]);
  });

  it('a zstd run loads it in the workers that encode (the probe sees worker threads)', () => {
    const loads = generate('zstd', 'zstd');
    expect(loads.some((l) => l !== 'thread 0')).toBe(true);
  });
});
