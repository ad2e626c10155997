/** Running `paranom eval` (and other commands) from the built CLI in eval tests. */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export const CLI = 'dist/src/cli/main.js';

/** The built CLI's exit code and output. */
export function paranom(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The command's `--json` output, after checking it exited 0. */
export function json(...args: string[]): any {
  const r = paranom(...args, '--json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

/** A user's mistake: exit 2, the message, and no stack trace. */
export function expectUsageError(r: { code: number | null; err: string }, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/^\s+at /m);
}
