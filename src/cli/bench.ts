/**
 * `paranom bench`: a thin launcher of the end-to-end benchmark harness (bench/end-to-end.ts,
 * compiled to dist/bench/), run as a child process so the CLI carries none of it. The
 * harness needs only runtime dependencies; peers whose packages are absent are skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { ParanomError } from '../errors.js';

interface BenchArgs {
  scenario?: string;
  rows?: number;
  reps?: number;
  workers?: number;
  peers: boolean;
}

/** The compiled harness, beside the compiled CLI (dist/src/cli → dist/bench). */
const HARNESS = fileURLToPath(new URL('../../bench/end-to-end.js', import.meta.url));

/** The `paranom bench` command (registered in main.ts). */
export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench [scenario]',
  describe: 'Measure end-to-end rows/s, MB/s and peak RSS beside DuckDB COPY and a naive generator',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'Scenario file (default: the bundled reference-13col)' })
      .option('rows', { type: 'number', describe: 'Rows per run (default 10,000,000)' })
      .option('reps', { type: 'number', describe: 'Runs of each case, median reported (default 3)' })
      .option('workers', { alias: 'w', type: 'number', describe: 'paranom worker threads (default: available cores)' })
      .option('peers', { type: 'boolean', default: true, describe: 'Also run the peers (--no-peers: paranom only)' }) as never,
  handler: (argv) => {
    if (!existsSync(HARNESS)) throw new ParanomError('USAGE', `the benchmark harness is not installed (${HARNESS}); build paranom from its repository to run benchmarks`);
    const args = [HARNESS, ...(argv.scenario ? [argv.scenario] : [])];
    for (const k of ['rows', 'reps', 'workers'] as const) if (argv[k] !== undefined) args.push(`--${k}`, String(argv[k]));
    if (!argv.peers) args.push('--no-peers');
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new ParanomError('GENERATION_FAILED', `the benchmark harness exited with status ${r.status ?? r.signal}`);
  },
};
