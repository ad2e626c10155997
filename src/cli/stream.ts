/**
 * The command line of `generate --stdout` (or `--out -`): checks the stream options, runs
 * the stream, and keeps standard output for data alone (progress and messages go to
 * standard error). A reader that goes away (`| head`) ends the run quietly with exit 0.
 */
import { ParanomError } from '../errors.js';
import type { Pace, StreamFormat } from '../run/stream.js';
import { positiveOption } from './options.js';
import { createProgress } from './progress.js';

/** The options of `generate` that concern streams (as yargs parsed them). */
export interface StreamArgs {
  scenario: string;
  out?: string | undefined;
  stdout?: boolean | undefined;
  format?: string | undefined;
  rows?: number | undefined;
  seed?: number | undefined;
  workers?: number | undefined;
  rate?: number | string | undefined;
  realtime?: boolean | undefined;
  speed?: number | string | undefined;
  'start-at'?: string | undefined;
  'labels-to'?: string | undefined;
  'with-clean'?: boolean | undefined;
  part?: string | undefined;
  parts?: number | undefined;
  'shard-rows'?: number | undefined;
  'dry-run'?: boolean | undefined;
  force?: boolean | undefined;
}

const STREAM_FORMATS: readonly string[] = ['csv', 'ndjson', 'arrow'];

/** True when the command asks for a stream rather than a dataset directory. */
export function wantsStream(argv: Pick<StreamArgs, 'out' | 'stdout'>): boolean {
  return argv.stdout === true || argv.out === '-';
}

/** Refuses stream-only options on a dataset run (they would be silently ignored). */
export function checkDatasetArgs(argv: StreamArgs): void {
  const used = (['rate', 'realtime', 'speed', 'start-at', 'labels-to'] as const).filter((k) => argv[k] !== undefined && argv[k] !== false);
  if (used.length > 0) throw new ParanomError('USAGE', `--${used[0]} applies to a stream: add --stdout (or --out -)`);
  if (argv.format === 'ndjson') throw new ParanomError('USAGE', `--format ndjson is a stream format: add --stdout, or choose parquet, arrow or csv for a dataset`);
}

function paceOf(argv: StreamArgs): Pace | undefined {
  if (argv.rate !== undefined && argv.realtime) throw new ParanomError('USAGE', '--rate and --realtime pace the stream two ways; choose one');
  if (argv.speed !== undefined && !argv.realtime) throw new ParanomError('USAGE', '--speed applies to --realtime');
  const rate = positiveOption('rate', argv.rate, 'rows per second');
  if (rate !== undefined) return { rate };
  if (argv.realtime) return { realtime: true, speed: positiveOption('speed', argv.speed, 'a factor') ?? 1 };
  return undefined;
}

/** Runs `generate … --stdout`. */
export async function runStreamCommand(argv: StreamArgs, signal: AbortSignal): Promise<void> {
  if (argv.out !== undefined && argv.out !== '-') throw new ParanomError('USAGE', `--stdout and --out ${argv.out}: a run writes either a stream or a dataset directory`);
  const datasetOnly = (['part', 'parts', 'shard-rows', 'dry-run', 'force'] as const).filter((k) => argv[k] !== undefined && argv[k] !== false);
  if (datasetOnly.length > 0) throw new ParanomError('USAGE', `--${datasetOnly[0]} applies to a dataset directory, not to a stream (--stdout)`);
  const format = (argv.format ?? 'csv') as StreamFormat;
  if (!STREAM_FORMATS.includes(format)) throw new ParanomError('USAGE', `--format ${format} cannot be streamed (Parquet needs its footer); choose csv, ndjson or arrow with --stdout`);
  const pace = paceOf(argv);
  const progress = createProgress(process.stderr);
  // A reader that went away is a normal end (result.closed): nothing more to say.
  const { streamRows } = await import('../run/stream.js');
  await streamRows(argv.scenario, {
    out: process.stdout,
    format,
    rows: argv.rows,
    seed: argv.seed,
    withClean: argv['with-clean'],
    workers: argv.workers,
    startAt: argv['start-at'],
    pace,
    labelsTo: argv['labels-to'],
    signal,
    onProgress: (d, t) => progress.update(d, t),
  });
  progress.finish();
}
