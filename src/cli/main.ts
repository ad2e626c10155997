#!/usr/bin/env node
/**
 * The paranom command line. User mistakes print what and where, and exit 2; runtime
 * failures exit 1; a stack trace only with --verbose.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_CODES, exitCodeOf, ParanomError } from '../errors.js';
import type { OutputFormat } from '../plan/planner.js';
import type { GenerateResult } from '../run/generate.js';
import type { Part } from '../plan/parts.js';
import type { ParquetCompression } from '../formats/parquet.js';
import { createProgress } from './progress.js';
import { formatRunReport } from './report.js';
import { trainVaeCommand } from './train-vae.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './eval.js';
import { previewCommand, reportCommand } from './report-page.js';

/**
 * The one way out for every error of every command: the message, the stack only with
 * --verbose, and the exit code of the error's code (errors.ts).
 */
function fail(err: unknown, verbose: boolean): never {
  if (err instanceof ParanomError) {
    process.stderr.write(`paranom: ${err.message}\n`);
    if (verbose) {
      const stack = (err.details['stack'] as string | undefined) ?? err.stack;
      if (stack) process.stderr.write(`${stack}\n`);
    }
  } else {
    const e = err as Error;
    process.stderr.write(`paranom: internal error: ${e?.message ?? String(err)}\n`);
    process.stderr.write(verbose ? `${e?.stack ?? ''}\n` : '(run again with --verbose for the stack trace)\n');
  }
  process.exit(exitCodeOf(err));
}

const verbose = process.argv.includes('--verbose');

/** Ctrl-C stops the pool; finished shards stay and the same command resumes. */
function interruptible(): AbortSignal {
  const ctrl = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nparanom: stopping (Ctrl-C again to force)…\n');
    ctrl.abort();
    process.once('SIGINT', () => process.exit(EXIT_CODES.INTERRUPTED));
  });
  return ctrl.signal;
}

/** Runs a generation with a progress bar and prints the report. */
async function runWithProgress(out: string, run: (onProgress: (d: number, t: number) => void, signal: AbortSignal) => Promise<GenerateResult>): Promise<void> {
  const progress = createProgress();
  const t0 = performance.now();
  const result = await run((d, t) => progress.update(d, t), interruptible());
  progress.finish();
  process.stdout.write(formatRunReport(result, out, (performance.now() - t0) / 1000));
  for (const w of result.warnings) process.stderr.write(`paranom: warning: ${w}\n`);
}

async function resolvePart(part: string | undefined, parts: number | undefined): Promise<Part | undefined> {
  const { parsePart, partFromEnvironment } = await import('../plan/parts.js');
  if (part !== undefined) {
    const p = parsePart(part);
    if (parts !== undefined && parts !== p.n) throw new ParanomError('USAGE', `--part ${part} and --parts ${parts} disagree`);
    return p;
  }
  return parts !== undefined ? partFromEnvironment(parts) : undefined;
}

const cli = yargs(hideBin(process.argv))
  .scriptName('paranom')
  .usage('$0 <command> [options]\n\nGenerate reproducible, labelled time-series anomaly datasets.')
  .option('verbose', { type: 'boolean', default: false, describe: 'Show stack traces on errors' })
  .command(
    'generate <scenario>',
    'Generate a dataset from a scenario file',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' })
        .option('out', { alias: 'o', type: 'string', describe: "Output directory ('-' for standard output, as --stdout)" })
        .option('stdout', { type: 'boolean', describe: 'Stream the rows to standard output in timestamp order (csv, ndjson or arrow)' })
        .option('rows', { type: 'number', describe: 'Override timeline.rows' })
        .option('seed', { type: 'number', describe: 'Override the scenario seed' })
        .option('format', { choices: ['parquet', 'arrow', 'csv', 'ndjson'] as const, describe: 'Shard file format (default parquet), or stream format (default csv; arrow is an IPC stream)' })
        .option('compression', { choices: ['snappy', 'zstd', 'none'] as const, default: 'snappy' as const, describe: 'Parquet compression' })
        .option('shard-rows', { type: 'number', describe: 'Rows per shard (rounded to whole 65,536-row blocks)' })
        .option('workers', { alias: 'w', type: 'number', describe: 'Worker threads (default: available cores)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace a different dataset already in --out' })
        .option('part', { type: 'string', describe: 'Generate only part K/N of the shards (e.g. 2/4), for runs split over machines' })
        .option('parts', { type: 'number', describe: 'Split into N parts and take K from the scheduler (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, ...)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and exit' })
        .option('with-clean', { type: 'boolean', default: false, describe: 'Also write <name>_clean: each anomaly-affected variable without anomalies' })
        .option('rate', { type: 'number', describe: 'Stream: pace to R rows per second' })
        .option('realtime', { type: 'boolean', describe: "Stream: pace by the timeline's timestamps" })
        .option('speed', { type: 'number', describe: 'Stream: with --realtime, X times faster than real time' })
        .option('start-at', { type: 'string', describe: 'Stream: start at this ISO 8601 time (first row at or after it) or row index' })
        .option('labels-to', { type: 'string', describe: "Stream: also write the streamed rows' segment table (Parquet) to FILE" }),
    async (argv) => {
      // Each command loads what it uses when it runs: `--help`, `--version` and the other
      // commands never evaluate the scenario reader, the planner, the pool or the writers.
      const { checkDatasetArgs, runStreamCommand, wantsStream } = await import('./stream.js');
      if (wantsStream(argv)) {
        await runStreamCommand(argv, interruptible());
        return;
      }
      checkDatasetArgs(argv);
      const out = argv.out;
      if (out === undefined) throw new ParanomError('USAGE', 'generate needs --out DIR (a dataset directory) or --stdout (a stream)');
      const format = (argv.format ?? 'parquet') as OutputFormat;
      // The library's options, one for one: the CLI only parses and prints.
      const options = {
        ...(argv.rows !== undefined ? { rows: argv.rows } : {}),
        ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
        format,
        compression: argv.compression as ParquetCompression,
        ...(argv['shard-rows'] ? { shardRows: argv['shard-rows'] } : {}),
        ...(argv.workers ? { workers: argv.workers } : {}),
        withClean: argv['with-clean'],
        force: argv.force,
      };
      const { generate, planRun } = await import('../run/generate.js');
      if (argv['dry-run']) {
        const { describePlan } = await import('../plan/planner.js');
        process.stdout.write(describePlan(planRun(argv.scenario, options)) + '\n');
        return;
      }
      const part = await resolvePart(argv.part, argv.parts);
      await runWithProgress(out, (onProgress, signal) => generate(argv.scenario, { ...options, out, ...(part ? { part } : {}), signal, onProgress }));
    },
  )
  .command(
    'validate <scenario>',
    'Check a scenario file and report every problem',
    (y) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' }),
    async (argv) => {
      const { loadScenario } = await import('../reader/load.js');
      const s = loadScenario(argv.scenario);
      process.stdout.write(`${argv.scenario}: ok — ${s.variables.length} variable(s), ${s.timeline.rows.toLocaleString('en-US')} rows, anomalies: ${s.anomalies.mode}\n`);
    },
  )
  .command(
    'grow <dataset>',
    'Extend a dataset to more rows; complete shards are kept byte for byte',
    (y) =>
      y
        .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
        .option('rows', { type: 'number', demandOption: true, describe: 'New total row count' })
        .option('workers', { alias: 'w', type: 'number', describe: 'Worker threads (default: available cores)' }),
    async (argv) => {
      const { grow } = await import('../run/generate.js');
      await runWithProgress(argv.dataset, (onProgress, signal) => grow(argv.dataset, argv.rows, { ...(argv.workers ? { workers: argv.workers } : {}), signal, onProgress }));
    },
  )
  .command(
    'verify <dataset>',
    'Re-hash every shard and regenerate a sample of blocks to prove the bytes',
    (y) =>
      y
        .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
        .option('sample', { type: 'number', default: 8, describe: 'Blocks to regenerate and compare' }),
    async (argv) => {
      const { verify } = await import('../run/verify.js');
      const r = await verify(argv.dataset, { sampleBlocks: argv.sample });
      for (const p of r.problems) process.stdout.write(`MISMATCH ${p}\n`);
      process.stdout.write(`${r.ok ? 'ok' : 'FAILED'}: ${r.shardsChecked} shard(s) re-hashed, ${r.blocksCompared} block(s) regenerated and compared, ${r.problems.length} problem(s)\n`);
      if (!r.ok) throw new ParanomError('VERIFY_FAILED', `${argv.dataset}: ${r.problems.length} problem(s); the dataset is not what its manifest says`, { problems: r.problems });
    },
  )
  .command(
    'merge-manifests <dataset>',
    'Join the part manifests of a split run (manifest-part-K-of-N.json) into one dataset',
    (y) =>
      y
        .positional('dataset', { type: 'string', demandOption: true, describe: 'Directory holding every part manifest (and normally every part\'s data/)' })
        .option('check-files', { type: 'boolean', default: true, describe: 'Check that every shard file is present with its size (--no-check-files when shards stay in object storage)' }),
    async (argv) => {
      const { mergeManifests } = await import('../run/merge.js');
      const m = await mergeManifests(argv.dataset, { checkFiles: argv['check-files'] });
      process.stdout.write(`merged ${m.shards.length} shards, ${m.rows.toLocaleString('en-US')} rows into ${argv.dataset}/manifest.json\n`);
    },
  )
  .command(
    'merge <dataset>',
    'Write the whole dataset as one Parquet file (streaming, bounded memory)',
    (y) =>
      y
        .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
        .option('to', { type: 'string', demandOption: true, describe: 'Output Parquet file' }),
    async (argv) => {
      const t0 = performance.now();
      const { mergeToFile } = await import('../run/merge.js');
      const r = await mergeToFile(argv.dataset, argv.to);
      process.stdout.write(`wrote ${r.rows.toLocaleString('en-US')} rows (${(r.bytes / 1e6).toFixed(1)} MB) to ${argv.to} in ${((performance.now() - t0) / 1000).toFixed(2)}s\n`);
    },
  )
  .command(trainVaeCommand)
  .command(benchCommand)
  .command(evalCommand)
  .command(reportCommand)
  .command(previewCommand)
  .demandCommand(1, 'Name a command: generate, validate, grow, verify, merge, merge-manifests, train-vae, eval, report or preview')
  .strict()
  .fail((msg, err, y) => {
    if (err) fail(err, verbose);
    process.stderr.write(`${y.help() && ''}paranom: ${msg}\nRun 'paranom --help' for usage.\n`);
    process.exit(EXIT_CODES.USAGE);
  })
  .help()
  .version();

try {
  await cli.parseAsync();
} catch (err) {
  fail(err, verbose);
}
