/**
 * `paranom train-vae`: trains a VAE on real series for `type: vae` variables. TensorFlow is
 * imported only when this command runs (a dynamic import), so `paranom --help` and
 * generation never load it.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ParanomError } from '../errors.js';
import { createProgress } from './progress.js';
import { decimalOption } from './options.js';

function list(v: string | undefined, what: string, parse: (s: string) => number | string): Array<number | string> | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new ParanomError('USAGE', `--${what} takes a comma-separated list, got '${v}'`);
  return parts.map(parse);
}

function fmt(x: number | null): string {
  return x === null ? '—' : x >= 1000 ? x.toFixed(0) : x.toPrecision(4);
}

function builder(a: Argv) {
  return a
    .usage('$0 train-vae --data FILE.csv|.parquet --out models/NAME [options]\n\nTrains a dense VAE on sliding windows of the data and saves it (TF.js layers format), its normalisation, and the latent statistics that define the inner and outlier regions.')
    .option('data', { type: 'string', demandOption: true, describe: 'Training series: .csv with a header row, or .parquet' })
    .option('columns', { type: 'string', describe: 'Columns to learn, comma-separated (default: every numeric column but a timestamp)' })
    .option('window', { type: 'string', describe: 'Rows per window (default 64)' })
    .option('latent', { type: 'string', describe: 'Latent dimensions (default 16)' })
    .option('hidden', { type: 'string', default: '64,64', describe: "Hidden layer widths of the encoder (the decoder mirrors them); 'none' for no hidden layer" })
    .option('activation', { choices: ['relu', 'tanh'] as const, default: 'relu' as const, describe: 'Hidden activation' })
    .option('epochs', { type: 'string', describe: 'Maximum epochs (default 50)' })
    .option('seed', { type: 'string', describe: 'Seed of initial weights, shuffling and noise (same seed, same model; default 0)' })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Model directory to write' })
    .option('batch-size', { type: 'string', describe: 'Windows per gradient step (default 64)' })
    .option('learning-rate', { type: 'string', describe: 'Adam learning rate (default 0.001)' })
    .option('beta', { type: 'string', describe: 'Weight of the KL term (default 1)' })
    .option('validation-split', { type: 'string', describe: 'Fraction of the series (its tail) held out for validation; 0: none (default 0.1, or more to hold 8 windows)' })
    .option('patience', { type: 'string', describe: 'Stop after this many epochs without a better validation loss (default 10)' })
    .option('stride', { type: 'string', describe: 'Model rows between window starts (default 1; window/100 for long windows; more to keep at most 50,000 windows)' })
    .option('gaps', { choices: ['skip', 'span'] as const, default: 'skip' as const, describe: 'Gaps in the time column (a missing day of a 5-minute series): skip takes no window across one; span trains across them. Either way they are named' })
    .option('missing', { choices: ['error', 'skip'] as const, default: 'error' as const, describe: "Missing readings (empty cells, NaN, NA, null): error refuses the file; skip leaves their rows out, in a file with a time column, where they become gaps" })
    .option('downsample', { type: 'string', describe: 'Learn block means of F rows: a window of --window rows is --window / F model rows (recorded in the model; generation interpolates back to rows; default 1)' })
    .option('backend', { choices: ['auto', 'wasm', 'cpu', 'tensorflow'] as const, default: 'auto' as const, describe: 'TF.js backend: tensorflow needs the optional @tensorflow/tfjs-node; wasm is WebAssembly (shipped with paranom); auto takes the first that loads of tensorflow, wasm, cpu' });
}

type TrainOptions = ReturnType<typeof builder> extends Argv<infer U> ? U : never;

async function handler(argv: ArgumentsCamelCase<TrainOptions>): Promise<void> {
  const { trainVae } = await import('../vae/train.js');
  const columns = list(argv.columns, 'columns', (s) => s) as string[] | undefined;
  // No hidden layer is asked for by name: an empty value is more often a shell variable
  // that expanded to nothing than a wish for a linear model.
  if (argv.hidden.trim() === '') throw new ParanomError('USAGE', "--hidden needs layer widths (e.g. 64,64), or 'none' for no hidden layer");
  const hidden = argv.hidden.trim() === 'none' ? [] : list(argv.hidden, 'hidden', (s) => {
    if (!/^\d+$/.test(s)) throw new ParanomError('USAGE', `--hidden takes comma-separated layer widths (whole numbers), got '${s}' in '${argv.hidden}'`);
    return Number(s);
  }) as number[] | undefined;
  const progress = createProgress(process.stderr, 'windows');
  // Epoch lines go above the progress bar: clear the bar's line first.
  const out = (s: string) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${s}` : s);
  const r = await trainVae({
    data: argv.data,
    columns,
    // Numbers are read strictly (options.ts): yargs' own number type takes a flag without
    // its value as the default, 0x10 as 16 and abc as NaN. trainVae checks their ranges.
    window: decimalOption('window', argv.window) ?? 64,
    latent: decimalOption('latent', argv.latent) ?? 16,
    hidden: hidden ?? [],
    activation: argv.activation,
    epochs: decimalOption('epochs', argv.epochs) ?? 50,
    seed: decimalOption('seed', argv.seed) ?? 0,
    out: argv.out,
    batchSize: decimalOption('batch-size', argv['batch-size']) ?? 64,
    learningRate: decimalOption('learning-rate', argv['learning-rate']) ?? 1e-3,
    beta: decimalOption('beta', argv.beta) ?? 1,
    validationSplit: decimalOption('validation-split', argv['validation-split']),
    patience: decimalOption('patience', argv.patience) ?? 10,
    stride: decimalOption('stride', argv.stride),
    downsample: decimalOption('downsample', argv.downsample) ?? 1,
    backend: argv.backend,
    gaps: argv.gaps,
    missing: argv.missing,
    onGaps: (note) => process.stderr.write(`paranom: note: ${note}\n`),
    // Said before training starts, so a training that then fails still tells what it settled.
    onSettled: (st) => {
      for (const line of st.settled) process.stderr.write(`paranom: ${line}\n`);
      for (const d of st.removed) process.stderr.write(`paranom: removed ${d}, the staging folder of an interrupted train-vae of the same --out\n`);
      for (const d of st.kept) process.stderr.write(`paranom: left ${d}, the staging folder of an interrupted train-vae: it holds files paranom did not write\n`);
    },
    onBatch: (done, total) => progress.update(done, total),
    onEpoch: (e) => {
      const w = String(e.epochs).length;
      out(
        `epoch ${String(e.epoch).padStart(w)}/${e.epochs}  recon ${fmt(e.recon)}  kl ${fmt(e.kl)}  loss ${fmt(e.loss)}` +
          (e.valLoss !== null ? `  │ val recon ${fmt(e.valRecon)}  kl ${fmt(e.valKl)}  loss ${fmt(e.valLoss)}` : '') +
          `  ${e.seconds.toFixed(2)}s${e.best ? '  *' : ''}\n`,
      );
    },
  });
  progress.finish();
  const m = r.meta;
  const s = m.latentStats;
  const t = m.training;
  const q = (p: number) => s.radius.r[s.radius.p.indexOf(p)]!;
  process.stdout.write(
    [
      `trained on ${t.data.file}: ${m.channels.join(', ')}, ${t.data.trainWindows} training and ${t.data.validationWindows} validation windows of ${m.window * (m.downsample ?? 1)} rows${m.downsample ? ` (${m.window} block means of ${m.downsample} rows)` : ''} (stride ${t.stride})`,
      `backend ${r.backend}${r.fallback ? ' (@tensorflow/tfjs-node not loaded)' : ''}; ${t.epochsRun} epoch(s)${r.stoppedEarly ? ' (stopped early)' : ''}, best ${t.bestEpoch}; ${r.seconds.toFixed(1)}s`,
      `latent: ${m.latent} dimensions, ${s.active} active; radius of training codes: median ${q(0.5).toFixed(3)}, q0.95 ${q(0.95).toFixed(3)}, q0.99 ${q(0.99).toFixed(3)}, q0.9999 ${q(0.9999).toFixed(3)}`,
      `wrote ${r.out}/ (vae.json, decoder/, encoder/)`,
      '',
    ].join('\n'),
  );
}

/** The `train-vae` command, for `.command(trainVaeCommand)`. */
export const trainVaeCommand: CommandModule<object, TrainOptions> = {
  command: 'train-vae',
  describe: 'Train a VAE on real series for vae variables (AnoGen)',
  builder,
  handler,
};
