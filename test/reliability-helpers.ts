/**
 * Helpers for the data-safety tests: the CLI in-process (runCli) and as a process, a tiny
 * scenario, and hashes of the files a user owns, taken before and after a command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../src/cli/app.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'dist/src/cli/main.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the CLI in this process (same code as the binary, minus process start-up). */
export async function cli(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

/**
 * Runs the CLI binary in a child process (what kill -9, Ctrl-C and working directories need).
 * `cpuSeconds` bounds the CPU time the process may use (it is killed past it, code null):
 * a bound on work that holds however loaded the machine is, unlike a wall-clock timeout,
 * which is then only a last resort against a process that waits forever.
 */
export function cliProcess(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; cpuSeconds?: number } = {}): CliRun {
  const [cmd, argv] = options.cpuSeconds === undefined ? [process.execPath, [CLI, ...args]] : ['/bin/sh', ['-c', `ulimit -t ${options.cpuSeconds} && exec "$0" "$@"`, process.execPath, CLI, ...args]];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: options.timeout ?? 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr + (r.signal ? `\n(ended by ${r.signal})` : '') };
}

/** CPU time (user and system, all threads) this process has used, in milliseconds: a measure of work that load does not stretch. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Starts the CLI binary without waiting. */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<CliRun>((res) => child.on('close', (code, signal) => res({ code: code ?? (signal ? -1 : null), out, err })));
  return { child, done };
}

/** What every user-facing message must not contain. */
export function expectClean(r: CliRun): void {
  expect(r.err).not.toMatch(/internal error/);
  expect(r.err).not.toMatch(/^\s+at /m);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of every file under `dir`, by relative path. */
export function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = sha256(readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Writes user files (relative path → text) under `dir` and returns their hashes. */
export function placeUserFiles(dir: string, files: Record<string, string>): Record<string, string> {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return userHashes(dir, Object.keys(files));
}

/** Hashes of the given user files (missing: 'missing'). */
export function userHashes(dir: string, files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, existsSync(join(dir, f)) ? sha256(readFileSync(join(dir, f))) : 'missing']));
}

/** A small valid scenario document. */
export function tinyScenario(rows = 140_000, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    seed: 3,
    timeline: { start: '2024-01-01T00:00:00Z', step: '1s', rows },
    anomalies: { frequency: 0.01, duration: [5, 20] },
    variables: {
      temp: { normal: { dist: 'normal', mean: 20, sd: 2 }, anomalous: { dist: 'uniform', min: 40, max: 60 } },
      state: { normal: { dist: 'categorical', values: ['idle', 'run'] } },
    },
    ...extra,
  };
}

/** Writes a scenario document as JSON into `dir` and returns its path. */
export function writeScenario(dir: string, doc: unknown, name = 'scenario.json'): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc, null, 2));
  return p;
}
