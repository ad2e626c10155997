/**
 * Start-up of the command line: `paranom --help` and a one-block (65,536-row) generate of
 * the reference scenario, each beside `node -e 0` (what any Node program pays) measured in
 * the same run, with the targets (≤ 0.1 s and ≤ 0.2 s wall) marked met or not met.
 *
 * Wall time of whole child processes, so a loaded machine inflates every figure alike;
 * the load average is printed with them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, referenceScenario, runChild } from './end-to-end.js';
import { median } from './stats.js';

export interface StartupCase {
  name: string;
  /** Target in seconds, or undefined for the baseline. */
  target?: number;
  seconds: number[];
}

/** Runs each case `reps` times, round-robin, and returns the samples. */
export async function runStartupBench(reps = 7): Promise<StartupCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paranom-startup-'));
  const out = join(dir, 'ds');
  const cases: { c: StartupCase; args: string[] }[] = [
    { c: { name: 'node -e 0 (baseline)', seconds: [] }, args: ['-e', '0'] },
    { c: { name: 'paranom --help', target: 0.1, seconds: [] }, args: [CLI, '--help'] },
    { c: { name: 'paranom generate reference-13col --rows 65536', target: 0.2, seconds: [] }, args: [CLI, 'generate', referenceScenario(), '--rows', '65536', '--out', out] },
  ];
  try {
    for (let r = 0; r < reps; r++) {
      for (const { c, args } of cases) {
        rmSync(out, { recursive: true, force: true });
        const run = await runChild(process.execPath, args);
        if (run.status !== 0) throw new Error(`${c.name} exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
        c.seconds.push(run.seconds);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cases.map((x) => x.c);
}

/** The start-up table: median and minimum wall seconds, target, met / not met. */
export function formatStartup(cases: readonly StartupCase[]): string {
  const lines = cases.map((c) => {
    const m = median(c.seconds);
    const verdict = c.target === undefined ? '' : `  target ≤ ${c.target} s: ${m <= c.target ? 'met' : 'not met'}`;
    return `${c.name.padEnd(48)} median ${m.toFixed(3)} s  min ${Math.min(...c.seconds).toFixed(3)} s${verdict}`;
  });
  return [...lines, `(wall time of ${cases[0]?.seconds.length ?? 0} runs each, round-robin; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`].join('\n');
}
