/**
 * The paranom command line as a function: `runCli(args, io)` parses, runs one command and
 * returns its exit code, so the same code serves the binary (main.ts) and in-process
 * tests. User mistakes print what and where, and exit 2; runtime failures exit 1; hard
 * uniqueness failures 3; Ctrl-C 130; a stack trace only with --verbose.
 */
import { join } from 'node:path';
import yargs from 'yargs';
import { EXIT_CODES, exitCodeOf, outOfFileDescriptors, ParanomError, SYSTEM_ERRORS } from '../errors.js';
import type { OutputFormat } from '../plan/planner.js';
import type { GenerateResult } from '../run/generate-options.js';
import { parsePart, partFromEnvironment, type Part } from '../plan/parts.js';
import type { ParquetCompression } from '../formats/parquet.js';
import { createProgress } from './progress.js';
import { formatRunReport } from './report.js';
import { trainVaeCommand } from './train-vae.js';
import { benchCommand } from './bench.js';
import { intOption, LIMITS, stringOption } from './options.js';
import { evalCommand } from './eval.js';
import { initCommand } from './init.js';
import { checkDatasetArgs, runStreamCommand, wantsStream } from './stream.js';
import { previewCommand, reportCommand } from './report-page.js';
import { runSplitsCommand } from './splits.js';
import { ENGINE_VERSION } from '../version.js';
import { countOf } from './thousands.js';
import { type KnownOptions, optionHint, unknownCommand } from './option-hint.js';
import { rowsUntil } from './grow-end.js';
import { MANIFEST_FILE } from '../dataset/manifest.js';

/** Where the CLI writes. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CliIO = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

/** Thrown to end a command with an exit code (never escapes runCli). */
class CliExit {
  constructor(readonly code: number) {}
}

/** Prints an error and returns its exit code. */
function report(err: unknown, verbose: boolean, io: CliIO): number {
  if (err instanceof ParanomError) {
    io.stderr(`paranom: ${err.message}\n`);
    if (verbose) {
      const stack = (err.details['stack'] as string | undefined) ?? err.stack;
      if (stack) io.stderr(`${stack}\n`);
    }
    return exitCodeOf(err);
  }
  const descriptors = outOfFileDescriptors(err);
  if (descriptors) return report(descriptors, verbose, io);
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && SYSTEM_ERRORS[code]) {
    const io_ = new ParanomError('IO_FAILED', `${e.path ? `${e.path}: ` : ''}${SYSTEM_ERRORS[code]} (${code}${e.syscall ? ` during ${e.syscall}` : ''})`);
    return report(io_, verbose, io);
  }
  io.stderr(`paranom: internal error: ${e?.message ?? String(err)}\n`);
  io.stderr(verbose ? `${e?.stack ?? ''}\n` : '(run again with --verbose for the stack trace)\n');
  return 1;
}

/**
 * Ctrl-C or SIGTERM (a scheduler pre-empting the job, `kill`) stops the run as cleanly as it
 * can: workers are ended if they do not stop within a second or so, a stream ends on a whole
 * row; a second signal exits at once.
 */
function interruptible(io: CliIO): { signal: AbortSignal; done(): void } {
  const ctrl = new AbortController();
  const second = () => process.exit(EXIT_CODES.INTERRUPTED);
  const first = (name: NodeJS.Signals) => {
    io.stderr(`\nparanom: stopping (${name === 'SIGINT' ? 'Ctrl-C' : name} again to force)…\n`);
    process.removeListener('SIGINT', first);
    process.removeListener('SIGTERM', first);
    ctrl.abort();
    process.once('SIGINT', second);
    process.once('SIGTERM', second);
  };
  process.once('SIGINT', first);
  process.once('SIGTERM', first);
  return {
    signal: ctrl.signal,
    done() {
      for (const name of ['SIGINT', 'SIGTERM'] as const) {
        process.removeListener(name, first);
        process.removeListener(name, second);
      }
    },
  };
}

/** Runs a generation with a progress bar and prints the report. */
async function runWithProgress(io: CliIO, out: string, run: (onProgress: (d: number, t: number) => void, signal: AbortSignal) => Promise<GenerateResult>): Promise<GenerateResult> {
  const progress = createProgress();
  const t0 = performance.now();
  const stop = interruptible(io);
  try {
    const result = await run((d, t) => progress.update(d, t), stop.signal);
    progress.finish();
    io.stdout(formatRunReport(result, out, (performance.now() - t0) / 1000));
    for (const w of result.warnings) io.stderr(`paranom: warning: ${w}\n`);
    return result;
  } finally {
    stop.done();
  }
}

function resolvePart(part: unknown, parts: unknown): Part | undefined {
  const p = stringOption('part', part);
  const n = intOption('parts', parts, LIMITS.parts);
  if (p !== undefined) {
    const q = parsePart(p);
    if (n !== undefined && n !== q.n) throw new ParanomError('USAGE', `--part ${p} and --parts ${n} disagree`);
    return q;
  }
  return n !== undefined ? partFromEnvironment(n) : undefined;
}

/**
 * `--out -` as `--out=-`: yargs takes a lone `-` after a long option for an argument of its
 * own (refused as unknown), though it takes it after `-o`; `-` names standard output.
 */
function standardOutputDash(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

/** Runs the paranom command line on `args` (without the node and script names); resolves to the exit code. */
/** The commands, as `--help` lists them (a test holds the two equal). */
export const COMMANDS = ['init', 'generate', 'validate', 'grow', 'verify', 'merge-manifests', 'merge', 'train-vae', 'bench', 'eval', 'report', 'preview'] as const;

export async function runCli(args: readonly string[], io: CliIO = processIO): Promise<number> {
  const verbose = args.includes('--verbose');
  /** Errors fail() has reported, with their exit codes. */
  const reported = new WeakMap<object, number>();
  // Each command ends by throwing CliExit (errors included), so nothing exits the process.
  // A command that reads a scenario file names it, so a problem of that file found later
  // (a callback module's exports) is reported at its line too.
  const guard = (body: () => Promise<void> | void, scenarioFile?: string) => async () => {
    try {
      await body();
    } catch (err) {
      if (err instanceof CliExit) throw err;
      const located = scenarioFile === undefined ? err : (await import('../reader/load.js')).atScenarioLine(scenarioFile, err);
      throw new CliExit(report(located, verbose, io));
    }
  };
  const parser = yargs(standardOutputDash(args))
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
          .option('rows', { type: 'string', describe: 'Override timeline.rows' })
          .option('seed', { type: 'string', describe: 'Override the scenario seed' })
          .option('format', { choices: ['parquet', 'arrow', 'csv', 'ndjson'] as const, describe: 'Shard file format (default parquet), or stream format (default csv; arrow is an IPC stream)' })
          .option('compression', { choices: ['snappy', 'zstd', 'none'] as const, describe: 'Parquet compression (default snappy); Arrow and CSV files are not compressed' })
          .option('shard-rows', { type: 'string', describe: 'Rows per shard (rounded to whole 65,536-row blocks)' })
          .option('workers', { alias: 'w', type: 'string', describe: 'Worker threads (default: available cores)' })
          .option('force', { type: 'boolean', default: false, describe: 'Replace an older paranom dataset in --out (never files paranom did not write)' })
          .option('part', { type: 'string', describe: 'Generate only part K/N of the shards (e.g. 2/4), for runs split over machines' })
          .option('parts', { type: 'string', describe: 'Split into N parts and take K from the scheduler (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, ...)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and exit' })
          .option('with-clean', { type: 'boolean', default: false, describe: 'Also write <name>_clean: each anomaly-affected variable without anomalies' })
          .option('splits', { type: 'string', describe: "Write train_clean, train and test datasets under --out; optional value: train's rows, fraction or duration (default: the scenario's splits, or 0.5)" })
          .option('rate', { type: 'string', describe: 'Stream: pace to R rows per second' })
          .option('realtime', { type: 'boolean', describe: "Stream: pace by the timeline's timestamps" })
          .option('speed', { type: 'string', describe: 'Stream: with --realtime, X times faster than real time' })
          .option('start-at', { type: 'string', describe: 'Stream: start at this ISO 8601 time (first row at or after it) or row index' })
          .option('labels-to', { type: 'string', describe: "Stream: also write the streamed rows' segment table (Parquet) to FILE" }),
      (argv) =>
        guard(async () => {
          const rows = intOption('rows', argv.rows, LIMITS.rows);
          const seed = intOption('seed', argv.seed, LIMITS.seed);
          const shardRows = intOption('shard-rows', argv['shard-rows'], LIMITS.shardRows);
          const workers = intOption('workers', argv.workers, LIMITS.workers);
          const parts = intOption('parts', argv.parts, LIMITS.parts);
          const parsed = { ...argv, rows, seed, workers, parts, 'shard-rows': shardRows };
          if (wantsStream(argv) && argv.splits !== undefined) throw new ParanomError('USAGE', '--splits writes three dataset directories; a stream (--stdout) is one series: drop one of them');
          // Only Parquet is compressed: refused rather than ignored, so no one believes an Arrow file is zstd.
          const fileFormat = wantsStream(argv) ? undefined : (argv.format ?? 'parquet');
          if (argv.compression !== undefined && fileFormat !== 'parquet') {
            throw new ParanomError('USAGE', `--compression ${argv.compression} applies to Parquet files; ${fileFormat ? `--format ${fileFormat} files are` : 'a stream is'} written uncompressed: drop --compression${fileFormat ? ' or choose --format parquet' : ''}`);
          }
          if (wantsStream(argv)) {
            const stop = interruptible(io);
            try {
              await runStreamCommand(parsed, stop.signal);
            } finally {
              stop.done();
            }
            return;
          }
          checkDatasetArgs(parsed);
          // A dry run writes nothing: its plan needs no directory.
          if (argv.out === undefined && !argv['dry-run']) throw new ParanomError('USAGE', 'generate needs --out DIR (a dataset directory) or --stdout (a stream)');
          const out = stringOption('out', argv.out) ?? '';
          const format = (argv.format ?? 'parquet') as OutputFormat;
          const part = resolvePart(argv.part, argv.parts);
          // The library's options, one for one: the CLI only parses and prints.
          const options = {
            ...(rows !== undefined ? { rows } : {}),
            ...(seed !== undefined ? { seed } : {}),
            format,
            compression: (argv.compression ?? 'snappy') as ParquetCompression,
            ...(shardRows ? { shardRows } : {}),
            ...(workers ? { workers } : {}),
            withClean: argv['with-clean'] === true,
            force: argv.force,
          };
          // The engine loads only when a command needs it, so --help and --version stay quick.
          const [{ loadScenario }, { describePlan }, { generate, planRun }] = await Promise.all([
            import('../reader/load.js'),
            import('../plan/planner.js'),
            import('../run/generate.js'),
          ]);
          const s = loadScenario(argv.scenario);
          if (argv.splits !== undefined || s.splits) {
            if (part) throw new ParanomError('USAGE', 'splits write three datasets; --part splits one dataset over machines: use one or the other');
            await runSplitsCommand(io, s, { ...options, out, splitsText: argv.splits, dryRun: argv['dry-run'] === true }, (dir, run) => runWithProgress(io, dir, run));
            return;
          }
          if (argv['dry-run']) {
            io.stdout(describePlan(planRun(argv.scenario, options)) + '\n');
            return;
          }
          await runWithProgress(io, out, (onProgress, signal) => generate(s, { ...options, out, ...(part ? { part } : {}), signal, onProgress }));
        }, argv.scenario)(),
    )
    .command(
      'validate <scenario>',
      'Check a scenario file, load its modules and files, and report every problem',
      (y) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' }),
      (argv) =>
        guard(async () => {
          const { loadScenario } = await import('../reader/load.js');
          const s = loadScenario(argv.scenario);
          const { checkScenarioLoads } = await import('../run/check-loads.js');
          await checkScenarioLoads(s);
          const { inertAnomalies } = await import('../run/label-warnings.js');
          const inert = inertAnomalies(s);
          if (inert) io.stderr(`paranom: warning: ${argv.scenario}: ${inert}.\n`);
          // Said before a run too: a long generate should not be the first to tell.
          const { learnedScaleWarnings } = await import('../run/learned-scale.js');
          for (const w of learnedScaleWarnings(s)) io.stderr(`paranom: warning: ${argv.scenario}: ${w}\n`);
          const { supportWarnings } = await import('../anomaly/kinds/support.js');
          for (const w of supportWarnings(s)) io.stderr(`paranom: warning: ${argv.scenario}: ${w}\n`);
          const { epochUnitWarnings } = await import('../run/epoch-unit-warnings.js');
          for (const w of epochUnitWarnings(s)) io.stderr(`paranom: warning: ${argv.scenario}: ${w}\n`);
          io.stdout(`${argv.scenario}: ok — ${countOf(s.variables.length, 'variable')}, ${countOf(s.timeline.rows, 'row')}${s.entities ? ` × ${countOf(s.entities.count, 'entity', 'entities')}` : ''}, anomalies: ${s.anomalies.mode}\n`);
        }, argv.scenario)(),
    )
    .command(
      'grow <dataset>',
      'Extend a dataset to more rows (a fleet: also more entities); complete shards are kept byte for byte',
      (y) =>
        y
          .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
          .option('rows', { type: 'string', describe: 'New total row count (a fleet: rows per entity)' })
          .option('end', { type: 'string', describe: "Or grow to this ISO 8601 instant (exclusive), as the scenario's timeline.end counts rows" })
          .option('entities', { type: 'string', describe: 'A fleet: the new number of entities' })
          .option('workers', { alias: 'w', type: 'string', describe: 'Worker threads (default: available cores)' }),
      (argv) =>
        guard(async () => {
          if (argv.rows !== undefined && argv.end !== undefined) throw new ParanomError('USAGE', 'give --rows or --end, not both');
          const rows = argv.end !== undefined ? rowsUntil(argv.dataset, argv.end) : intOption('rows', argv.rows, LIMITS.rows);
          const entities = intOption('entities', argv.entities, { min: 1, max: 2 ** 31 - 1 });
          if (rows === undefined && entities === undefined) throw new ParanomError('USAGE', 'grow needs --rows N or --end TIME (more rows) or, for a fleet, --entities N (more entities)');
          const workers = intOption('workers', argv.workers, LIMITS.workers);
          const { grow } = await import('../run/grow.js');
          await runWithProgress(io, argv.dataset, (onProgress, signal) => grow(argv.dataset, { rows, entities }, { ...(workers ? { workers } : {}), signal, onProgress }));
        })(),
    )
    .command(
      'verify <dataset>',
      'Re-hash every shard and regenerate a sample of blocks to prove the bytes',
      (y) =>
        y
          .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
          .option('sample', { type: 'string', describe: 'Blocks to regenerate and compare (0: hashes only; default 8)' }),
      (argv) =>
        guard(async () => {
          // The default applied here: as a yargs default it stood in for a --sample without its value.
          const sample = intOption('sample', argv.sample, LIMITS.sample) ?? 8;
          // Loaded on use: `generate`, the common case, never pays for readers and mergers.
          const { verify } = await import('../run/verify.js');
          const r = await verify(argv.dataset, { sampleBlocks: sample });
          for (const p of r.problems) io.stdout(`MISMATCH ${p}\n`);
          for (const n of r.notes) io.stdout(`note: ${n}\n`);
          io.stdout(`${r.ok ? 'ok' : 'FAILED'}: ${r.shardsChecked} shard(s) re-hashed, ${r.blocksCompared} block(s) regenerated and compared, ${r.problems.length} problem(s)\n`);
          if (!r.ok) throw new ParanomError('VERIFY_FAILED', `${argv.dataset}: ${r.problems.length} problem(s); the dataset is not what its manifest says`, { problems: r.problems });
        })(),
    )
    .command(
      'merge-manifests <dataset>',
      'Join the part manifests of a split run (manifest-part-K-of-N.json) into one dataset',
      (y) =>
        y
          .positional('dataset', { type: 'string', demandOption: true, describe: "Directory holding every part manifest (and normally every part's data/)" })
          .option('check-files', { type: 'boolean', default: true, describe: 'Check that every shard file is present with its size (--no-check-files when shards stay in object storage)' }),
      (argv) =>
        guard(async () => {
          const { mergeManifests } = await import('../run/merge.js');
          const m = await mergeManifests(argv.dataset, { checkFiles: argv['check-files'] });
          io.stdout(`merged ${m.shards.length} shard${m.shards.length === 1 ? '' : 's'}, ${m.rows.toLocaleString('en-US')} row${m.rows === 1 ? '' : 's'} into ${join(argv.dataset, MANIFEST_FILE)}\n`);
        })(),
    )
    .command(
      'merge <dataset>',
      'Write the whole dataset as one Parquet file (streaming, bounded memory); every shard is checked against the manifest first',
      (y) =>
        y
          .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory' })
          .option('to', { type: 'string', demandOption: true, describe: 'Output Parquet file (outside the dataset)' })
          .option('force', { type: 'boolean', default: false, describe: 'Replace --to if it exists' }),
      (argv) =>
        guard(async () => {
          const t0 = performance.now();
          const to = stringOption('to', argv.to ?? '') ?? '';
          const { mergeToFile } = await import('../run/merge.js');
          const r = await mergeToFile(argv.dataset, to, { force: argv.force });
          io.stdout(`wrote ${r.rows.toLocaleString('en-US')} rows (${(r.bytes / 1e6).toFixed(1)} MB) to ${to} in ${((performance.now() - t0) / 1000).toFixed(2)}s\n`);
        })(),
    )
    .command(initCommand(io.stdout))
    .command(trainVaeCommand)
    .command(benchCommand)
    .command(evalCommand)
    .command(reportCommand)
    .command(previewCommand)
    .demandCommand(1, 'Name a command: init, generate, validate, grow, verify, merge, merge-manifests, train-vae, eval, report or preview')
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      if (err instanceof CliExit) throw err;
      if (err) {
        const code = report(err, verbose, io);
        reported.set(err, code);
        throw new CliExit(code);
      }
      const said = (msg.startsWith('Unknown argument') && unknownCommand(args, COMMANDS)) || `${msg}${optionHint(msg, args, parser as unknown as KnownOptions)}`;
      io.stderr(`paranom: ${said}\nRun 'paranom --help' for usage.\n`);
      throw new CliExit(EXIT_CODES.USAGE);
    })
    .help()
    // The engine's own version: yargs would otherwise guess it from the package.json of
    // the working directory (a user's project, or none: "unknown").
    .version(ENGINE_VERSION);
  try {
    await parser.parseAsync();
    return 0;
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    // A command module's rejected handler reaches fail() and then rejects parseAsync with
    // the same error: it was reported once already.
    const code = typeof err === 'object' && err !== null ? reported.get(err) : undefined;
    return code ?? report(err, verbose, io);
  }
}
