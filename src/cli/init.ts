/**
 * `paranom init`: drafts a scenario from a real series (reader/scenario-draft.ts) and
 * writes it where no file is, so a user goes from a CSV of their sensor to a labelled
 * training set in two commands. It never replaces a file.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { dirname, extname, relative } from 'node:path';
import { ParanomError } from '../errors.js';
import { decimalOption, stringOption } from './options.js';
import { EPOCH_UNITS, type EpochUnit } from '../input/epoch.js';

function builder(a: Argv) {
  return a
    .usage(
      '$0 init <series> --out SCENARIO.yaml [options]\n\n' +
        'Drafts a scenario that replays a real series (.csv with a header row, or .parquet) and injects labelled anomalies into it, sized in robust sd of the series: ' +
        'the hand-written and shape kinds (and the learned kind, with --model), min_effect, label: changed and a slow normal drift. Writes it only where no file is.',
    )
    .positional('series', { type: 'string', describe: 'The real series: .csv with a header row, or .parquet' })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Scenario file to write (.yaml or .yml); paths in it are relative to its folder (absolute where a symbolic link on the way would lead them elsewhere)' })
    .option('column', { type: 'string', describe: 'Column to replay (default: the only one besides the time column)' })
    .option('time-column', { type: 'string', describe: "Time column, mapped onto the timeline; 'none' replays rows in file order (default: timestamp, if there is one)" })
    .option('time-unit', { type: 'string', describe: 'Unit of a time column of epoch numbers: s, ms, us or ns (an epoch number does not say its own)' })
    .option('model', { type: 'string', describe: 'Model directory written by train-vae on this series: adds the learned kind' })
    .option('copies', { type: 'string', describe: 'Times the series is replayed: the timeline has copies × its rows (default 8)' })
    .option('seed', { type: 'string', describe: 'Seed of the scenario (default 1)' });
}

type InitArgs = ReturnType<typeof builder> extends Argv<infer U> ? U : never;

function wholeOption(name: string, raw: unknown, fallback: number, min: number): number {
  const n = decimalOption(name, raw) ?? fallback;
  if (!Number.isInteger(n) || n < min || n > Number.MAX_SAFE_INTEGER) throw new ParanomError('USAGE', `--${name} takes a whole number of at least ${min}, got '${String(raw)}'`);
  return n;
}

async function handler(argv: ArgumentsCamelCase<InitArgs>, print: (text: string) => void): Promise<void> {
  const out = stringOption('out', argv.out)!;
  const series = stringOption('series', argv.series);
  if (series === undefined) throw new ParanomError('USAGE', 'init needs the real series to draft from: paranom init SERIES.csv --out SCENARIO.yaml');
  if (!['.yaml', '.yml'].includes(extname(out).toLowerCase())) throw new ParanomError('USAGE', `--out ${out}: a scenario is written as YAML; name it .yaml or .yml`);
  if (/[\\/]$/.test(out)) throw new ParanomError('USAGE', `--out ${out} names a folder; name the scenario file in it, as ${out}scenario.yaml`);
  if (existsSync(out)) throw new ParanomError('OUTPUT_EXISTS', `--out ${out} exists; paranom init never replaces a file — choose another name, or remove it`, { out });
  const { checkOutputPath, followedFile, realPath } = await import('../run/output-dir.js');
  // A link to nothing is refused naming where it leads (no file can be made new there); a
  // folder that is a file, or under /proc, is named before the series is read.
  const folder = dirname(followedFile(out, '--out'));
  checkOutputPath(folder, '--out');
  const { datasetHolding } = await import('../run/dataset-holding.js');
  const host = datasetHolding(realPath(folder));
  if (host !== undefined) throw new ParanomError('USAGE', `--out ${out} is inside the dataset ${host}; a file there is not the dataset's own, and grow and generate would refuse the dataset for it — write the scenario elsewhere`, { out });
  const copies = wholeOption('copies', argv.copies, 8, 1);
  const seed = wholeOption('seed', argv.seed, 1, 0);
  const timeUnit = stringOption('time-unit', argv['time-unit']);
  if (timeUnit !== undefined && !(EPOCH_UNITS as readonly string[]).includes(timeUnit)) throw new ParanomError('USAGE', `--time-unit takes s, ms, us or ns, got '${timeUnit}'`);
  if (timeUnit !== undefined && argv['time-column'] === 'none') throw new ParanomError('USAGE', '--time-unit names the unit of a time column, but --time-column none reads none');
  const { draftScenario, shellWord } = await import('../reader/scenario-draft.js');
  const draft = draftScenario({ series, out, column: stringOption('column', argv.column), timeColumn: stringOption('time-column', argv['time-column']), timeUnit: timeUnit as EpochUnit | undefined, model: stringOption('model', argv.model), copies, seed });
  const { writeNewFile } = await import('../formats/files.js');
  if (!writeNewFile(out, draft.text)) throw new ParanomError('OUTPUT_EXISTS', `--out ${out} appeared while drafting; paranom init never replaces a file — nothing was written`, { out });
  const scenario = relative(process.cwd(), out) || out;
  print(
    `wrote ${scenario}: '${draft.column}' of ${series} (${draft.fileRows.toLocaleString('en-US')} rows, robust sd ${Number(draft.scale.toPrecision(4))}) replayed ${copies} times, ${draft.rows.toLocaleString('en-US')} rows, anomaly events on about 10% of them` +
      (draft.missing === 'hold' ? '; its missing readings replay as the reading before' : '') +
      `\nnext: paranom generate ${shellWord(scenario)} --out data/${draft.variable} --with-clean\n`,
  );
}

/** The `init` command, printing through `print` (the command line's standard output), for `.command(initCommand(print))`. */
export function initCommand(print: (text: string) => void): CommandModule<object, InitArgs> {
  return {
    command: 'init [series]',
    describe: 'Draft a scenario that injects labelled anomalies into a real series',
    builder,
    handler: (argv) => handler(argv, print),
  };
}
