/**
 * `paranom eval`: scores a detector's predictions against labels and prints a table (or
 * JSON). The scoring modules load only when this command runs.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ParanomError } from '../errors.js';
import { decimalOption } from './options.js';
import { parseDecimal } from '../input/decimal.js';
import type { EvalOptions } from '../eval/evaluate.js';

function builder(a: Argv) {
  return a
    .usage(
      '$0 eval [predictions] --labels LABELS [options]\n\n' +
        'Scores predictions (a .csv or .parquet file with a timestamp and a score or 0/1 column) against labels, joined on the timestamp (many series — a fleet dataset, or a labels file with --entity-column — on the entity and the timestamp). ' +
        'LABELS is a paranom dataset directory, a .csv/.parquet file with a label column, NAB-style windows JSON (with --key), ' +
        "or AnomalyGenerator's eval JSON ({targets, candidates, range}; then no predictions file).",
    )
    .positional('predictions', { type: 'string', describe: 'Predictions file (.csv or .parquet)' })
    .option('labels', { alias: 'l', type: 'string', demandOption: true, describe: 'Dataset directory, labels .csv/.parquet, windows .json, or AnomalyGenerator eval .json' })
    .option('key', { type: 'string', describe: 'Which series of a windows JSON (e.g. realKnownCause/nyc_taxi.csv)' })
    .option('score-column', { type: 'string', describe: 'Prediction column (default: anomaly_score, score, prediction, predicted, alarm or is_alarm)' })
    .option('label-column', { type: 'string', describe: 'Label column of a labels file (default: is_anomaly, label, anomaly or is_anomalous)' })
    .option('time-column', { type: 'string', describe: 'Timestamp column of both files (default: timestamp, time, ts, datetime or date)' })
    .option('windows', { choices: ['segments', 'runs'] as const, default: 'segments' as const, describe: "A dataset's event windows: its segment table, or runs of is_anomaly" })
    .option('threshold', { type: 'string', describe: "Alarm where score ≥ threshold; 'best' reports the best point-Fβ threshold (default: best for scores, 0.5 for 0/1)" })
    .option('beta', { type: 'string', describe: 'β of the point Fβ (e.g. 0.1 as in LSTM-AD; default 1)' })
    .option('tolerance', { type: 'string', describe: 'Event tolerance in rows: a window is found by an alarm within ±t rows (default 0; AnomalyGenerator input: its range)' })
    .option('gap', { type: 'string', describe: 'Alarm runs separated by at most this many rows are one run (default 0)' })
    .option('alpha', { type: 'string', describe: 'Range recall: existence reward α in [0, 1] (default 0)' })
    .option('bias', { choices: ['flat', 'front', 'back', 'middle'] as const, default: 'flat' as const, describe: 'Range recall: positional bias' })
    .option('precision-bias', { choices: ['flat', 'front', 'back', 'middle'] as const, default: 'flat' as const, describe: 'Range precision: positional bias' })
    .option('cardinality', { choices: ['one', 'reciprocal'] as const, default: 'one' as const, describe: 'Range precision/recall: overlap cardinality γ' })
    .option('probation', { type: 'string', describe: "NAB: share of rows in the probationary period (default NAB's 0.15)" })
    .option('nab-threshold', { choices: ['sweep', 'same'] as const, describe: "NAB: each profile's own best threshold (sweep, as NAB), or the evaluation threshold (same). Default: sweep when the threshold is 'best'" })
    .option('entity-column', { type: 'string', describe: "Many series: the column naming each row's entity, in the predictions (default: a fleet dataset's key column) and in a labels file (which is then scored as a fleet)" })
    .option('per-entity', { type: 'boolean', default: false, describe: "Many series (a fleet dataset, or a labels file with --entity-column): each entity's point and event figures too" })
    .option('missing-scores', { choices: ['error', 'skip'] as const, default: 'error' as const, describe: "Prediction rows without a score (empty, NaN, null: a detector's warm-up): error refuses them; skip leaves them unscored, as rows the detector wrote none for, and counts them" })
    .option('only-labelled', { type: 'boolean', default: false, describe: 'Score only the prediction rows that have a label row (a detector run over a longer series than the labelled part); the rest are left out and counted' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' });
}

type EvalArgs = ReturnType<typeof builder> extends Argv<infer U> ? U : never;

function usage(message: string): ParanomError {
  return new ParanomError('USAGE', message);
}

function threshold(v: unknown): number | 'best' | undefined {
  if (v === 'best') return v;
  if (v === undefined || Array.isArray(v)) return decimalOption('threshold', v);
  // Decimal only, as every number eval reads: Number() took 0x10 as 16.
  const n = typeof v === 'string' ? parseDecimal(v) : Number.NaN;
  if (!Number.isFinite(n)) throw usage(`--threshold takes a number or 'best', got '${String(v)}'`);
  return n;
}

function options(argv: ArgumentsCamelCase<EvalArgs>): EvalOptions {
  const t = threshold(argv.threshold);
  // Read as text and parsed here, defaults applied after: yargs' number type made a missing
  // value 0 and 0x10 16, and a default would stand in for a missing value.
  const probation = decimalOption('probation', argv.probation) ?? 0.15;
  if (!(probation >= 0 && probation < 1)) throw usage(`--probation takes a share in [0, 1), got ${probation}`);
  const tolerance = decimalOption('tolerance', argv.tolerance);
  return {
    ...(t !== undefined ? { threshold: t } : {}),
    beta: decimalOption('beta', argv.beta) ?? 1,
    ...(tolerance !== undefined ? { tolerance } : {}),
    gap: decimalOption('gap', argv.gap) ?? 0,
    range: { alpha: decimalOption('alpha', argv.alpha) ?? 0, bias: argv.bias, precisionBias: argv['precision-bias'], cardinality: argv.cardinality },
    nab: { probationPercent: probation, ...(argv['nab-threshold'] ? { threshold: argv['nab-threshold'] } : {}) },
  };
}

/** AnomalyGenerator input is recognised by content, so it is read before anything else. */
async function anomalyGeneratorDoc(path: string): Promise<Record<string, unknown> | null> {
  if (!path.toLowerCase().endsWith('.json')) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null; // the labels reader reports a missing or malformed file
  }
  const { isAnomalyGeneratorInput } = await import('../eval/anomalygenerator.js');
  return isAnomalyGeneratorInput(doc) ? doc : null;
}

/**
 * Labels and predictions read and joined. Only the descriptions of the sources are kept:
 * their timestamp and label columns (17 bytes a row) are garbage once joined.
 */
async function joinFiles(predictions: string, argv: ArgumentsCamelCase<EvalArgs>) {
  const { readLabels } = await import('../eval/label-source.js');
  const { readPredictions, joinOnTime } = await import('../eval/join.js');
  // A labels file names its entities by --entity-column; a fleet dataset by its key column.
  const isFile = !(existsSync(argv.labels) && statSync(argv.labels).isDirectory());
  const entityColumn = isFile ? argv['entity-column'] : undefined;
  const labels = readLabels(argv.labels, { labelColumn: argv['label-column'], timeColumn: argv['time-column'], key: argv.key, windows: argv.windows, entityColumn });
  if (labels.fleet) return { fleet: await joinFleetFiles(predictions, labels.description, labels.fleet, argv) };
  for (const o of ['entity-column', 'per-entity'] as const) {
    if (argv[o] !== undefined && argv[o] !== false) throw usage(`--${o} applies to many series: a fleet dataset's labels, or a CSV or Parquet labels file with --entity-column; ${argv.labels} is one series`);
  }
  const preds = readPredictions(predictions, { scoreColumn: argv['score-column'], timeColumn: argv['time-column'], skipScoreless: argv['missing-scores'] === 'skip' });
  const joined = { ...joinOnTime(labels, preds, { onlyLabelled: argv['only-labelled'] }), predictionRowsScoreless: preds.scoreless };
  return { labels: { description: labels.description }, preds: { description: preds.description }, joined };
}

/** What a join left out or put in order: the same for one series and for a fleet's entities together. */
interface JoinCounts {
  reordered: boolean;
  windowsOutside: number;
  labelRowsUnscored: number;
  labelledRowsUnscored: number;
  predictionRowsUnlabelled: number;
  /** Prediction rows without a score, left out before the join (`--missing-scores skip`). */
  predictionRowsScoreless: number;
}

/** The join's counts as `--json` names them. */
function joinFields(j: JoinCounts) {
  return { windows_outside: j.windowsOutside, label_rows_unscored: j.labelRowsUnscored, labelled_rows_unscored: j.labelledRowsUnscored, prediction_rows_unlabelled: j.predictionRowsUnlabelled, prediction_rows_scoreless: j.predictionRowsScoreless, predictions_reordered: j.reordered };
}

/** The notes on rows and windows the join left unscored (the reordering note differs and goes first). */
function unscoredNotes(j: JoinCounts): string[] {
  const int = (v: number) => v.toLocaleString('en-US');
  return [
    ...(j.predictionRowsScoreless > 0 ? [`note: ${int(j.predictionRowsScoreless)} prediction row(s) have no score and are left out (--missing-scores skip); their label rows count below`] : []),
    ...(j.labelRowsUnscored > 0 ? [`note: ${int(j.labelRowsUnscored)} label row(s) have no prediction row and are not scored (${int(j.labelledRowsUnscored)} of them labelled anomalous)`] : []),
    ...(j.predictionRowsUnlabelled > 0 ? [`note: ${int(j.predictionRowsUnlabelled)} prediction row(s) have no label row and are not scored (--only-labelled)`] : []),
    ...(j.windowsOutside > 0 ? [`note: ${j.windowsOutside} label window(s) cover no predicted row and are left out`] : []),
  ];
}

/**
 * A 0/1 column is read as alarms, anything else as scores. A threshold, if given, still
 * sets which rows alarm; but 0/1 values rank nothing, so ROC-AUC and average precision stay null.
 */
function asPredictions(values: Float64Array): { alarms: Float64Array } | { scores: Float64Array } {
  return values.every((v) => v === 0 || v === 1) ? { alarms: values } : { scores: values };
}

/** A fleet's labels and predictions read and joined on (entity, timestamp). */
async function joinFleetFiles(predictions: string, description: string, labels: import('../eval/fleet-labels.js').FleetLabels, argv: ArgumentsCamelCase<EvalArgs>) {
  const { readFleetPredictions, joinFleet } = await import('../eval/fleet-join.js');
  const preds = readFleetPredictions(predictions, labels, { scoreColumn: argv['score-column'], timeColumn: argv['time-column'], entityColumn: argv['entity-column'], onlyLabelled: argv['only-labelled'], skipScoreless: argv['missing-scores'] === 'skip' });
  return { labels: description, key: labels.key, count: labels.entities.length, preds: preds.description, joined: { ...joinFleet(labels, preds, { onlyLabelled: argv['only-labelled'] }), predictionRowsScoreless: preds.scoreless } };
}

type FleetFiles = Awaited<ReturnType<typeof joinFleetFiles>>;

/** A fleet scored as one corpus: the same output as one series', with its entities counted (and, asked for, each one's figures). */
async function fleetHandler(f: FleetFiles, opts: EvalOptions, argv: ArgumentsCamelCase<EvalArgs>, print: (s: string) => void): Promise<void> {
  const { evaluateFleet } = await import('../eval/fleet-evaluate.js');
  const { formatEvalResult, formatPerEntity } = await import('../eval/report.js');
  const j = f.joined;
  const { per_entity, entities, ...r } = evaluateFleet(j.isAnomaly, asPredictions(j.values), j.entities, opts, argv['per-entity']);
  const result = {
    labels: f.labels,
    predictions: f.preds,
    ...joinFields(j),
    ...r,
    entities,
    entities_unscored: j.entitiesUnscored.length,
    ...(per_entity ? { per_entity } : {}),
  };
  if (argv.json) return void print(JSON.stringify(result, null, 2) + '\n');
  const int = (v: number) => v.toLocaleString('en-US');
  const unscored = j.entitiesUnscored;
  const notes = [
    ...(j.reordered ? ["note: some entity's prediction rows are not in time order; each entity's rows are scored in timestamp order"] : []),
    ...(unscored.length > 0 ? [`note: ${int(unscored.length)} of ${int(f.count)} entities have no prediction row and are not scored (${unscored.slice(0, 5).join(', ')}${unscored.length > 5 ? ', …' : ''})`] : []),
    ...unscoredNotes(j),
  ];
  const probation = `the first rows of each entity (${int(r.nab.probation_rows)} in all)`;
  const heading = [`labels       ${f.labels}`, `predictions  ${f.preds}`, `fleet        ${int(entities)} ${entities === 1 ? 'entity' : 'entities'} scored as one corpus, one threshold`, ...notes];
  print(formatEvalResult(r, heading, probation));
  if (per_entity) print('\n' + formatPerEntity(per_entity, f.key));
}

/** What LABELS is, as far as the options that apply to one kind of labels go. */
type LabelsKind = 'AnomalyGenerator eval input' | 'a dataset' | 'a windows JSON' | 'a labels file';

/**
 * Refuses an option that does nothing for this kind of labels: silently ignored, a `--key`
 * or `--label-column` would let a user believe the file was read as they said.
 */
function refuseUnusedLabelOptions(argv: ArgumentsCamelCase<EvalArgs>, kind: LabelsKind): void {
  const what = `${argv.labels} is ${kind}`;
  if (argv.key !== undefined && kind !== 'a windows JSON') throw usage(`--key chooses the series of a windows JSON (NAB's combined_windows.json); ${what}: drop --key`);
  if (argv['label-column'] !== undefined && kind !== 'a labels file') {
    throw usage(`--label-column names the label column of a .csv or .parquet labels file; ${what}${kind === 'a dataset' ? ', labelled by its is_anomaly column' : ''}: drop --label-column`);
  }
}

async function handler(argv: ArgumentsCamelCase<EvalArgs>): Promise<void> {
  const opts = options(argv);
  const print = (s: string) => process.stdout.write(s);
  const ag = await anomalyGeneratorDoc(argv.labels);
  const isDir = existsSync(argv.labels) && statSync(argv.labels).isDirectory();
  refuseUnusedLabelOptions(argv, ag ? 'AnomalyGenerator eval input' : isDir ? 'a dataset' : argv.labels.toLowerCase().endsWith('.json') ? 'a windows JSON' : 'a labels file');
  if (ag) {
    if (argv.predictions !== undefined) throw usage(`${argv.labels} is AnomalyGenerator eval input (it holds the candidates); drop the predictions file ${argv.predictions}`);
    const { anomalyGeneratorInput, evaluateAnomalyGenerator } = await import('../eval/anomalygenerator.js');
    const { formatEvalResult } = await import('../eval/report.js');
    const series = evaluateAnomalyGenerator(anomalyGeneratorInput(ag, argv.labels), opts);
    if (argv.json) return void print(JSON.stringify({ labels: argv.labels, series }, null, 2) + '\n');
    series.forEach((r, i) => {
      const c = r.anomalygenerator;
      print(formatEvalResult(r, [`AnomalyGenerator series ${i} of ${argv.labels}`]));
      print(`AnomalyGenerator counting (±${r.event.tolerance}): exact ${c.exact_match}, detected ${c.detected_anomaly}, missed ${c.missed_anomaly}, false ${c.false_anomaly}; tdir ${c.tdir ?? '—'}, dair ${c.dair ?? '—'}\n\n`);
    });
    return;
  }
  if (argv.predictions === undefined) throw usage('name the predictions file: paranom eval PREDICTIONS --labels LABELS');
  const { evaluate } = await import('../eval/evaluate.js');
  const { formatEvalResult } = await import('../eval/report.js');
  const files = await joinFiles(argv.predictions, argv);
  if ('fleet' in files) return fleetHandler(files.fleet, opts, argv, print);
  const { labels, preds, joined } = files;
  const r = evaluate(joined.labels, asPredictions(joined.values), opts);
  const result = {
    labels: labels.description,
    predictions: preds.description,
    ...joinFields(joined),
    ...r,
  };
  if (argv.json) return void print(JSON.stringify(result, null, 2) + '\n');
  const notes = [
    ...(joined.reordered ? ['note: the predictions file is not in time order; its rows are scored in timestamp order'] : []),
    ...unscoredNotes(joined),
  ];
  print(formatEvalResult(result, [`labels       ${labels.description}`, `predictions  ${preds.description}`, ...notes]));
}

/** The `eval` command, for `.command(evalCommand)`. */
export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval [predictions]',
  describe: 'Score a detector: point, event, range-based and NAB metrics against labels',
  builder,
  handler,
};
