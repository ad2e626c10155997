/**
 * `paranom report` and `paranom preview`: the HTML report of a dataset, or of a scenario's
 * first rows generated in memory; `--png` adds an image of its first screen. The report
 * modules are imported on use, so other commands never load them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ParanomError } from '../errors.js';

interface Outputs {
  out?: string | undefined;
  png?: string | undefined;
}

/** Writes the page to --out (or a temporary file when only --png is wanted) and the image, at `targets`: where `o` leads. */
async function emit(report: PageData.Report, o: Outputs, targets: Outputs, seconds: () => number): Promise<void> {
  const { writePage } = await import('../report/page.js');
  const { screenshot } = await import('../report/png.js');
  const tmp = targets.out ? undefined : mkdtempSync(join(tmpdir(), 'paranom-report-'));
  try {
    const html = targets.out ?? join(tmp!, 'report.html');
    const bytes = writePage(html, report);
    if (o.out) process.stdout.write(`wrote ${o.out} (${(bytes / 1e6).toFixed(2)} MB, ${report.series.length} series, ${report.eventCount.toLocaleString('en-US')} events) in ${seconds().toFixed(2)}s\n`);
    if (targets.png) {
      screenshot(html, targets.png);
      process.stdout.write(`wrote ${o.png}\n`);
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Refuses outputs that cannot both be written, or that would land inside the dataset read
 * (`dataset`): a file there is one paranom did not record, and grow and generate would then
 * refuse the dataset as holding foreign files.
 */
async function checkOutputs(o: Outputs, dataset?: string): Promise<Outputs> {
  if (!o.out && !o.png) throw new ParanomError('USAGE', 'name an output: --out FILE.html and/or --png FILE.png');
  if (o.png) (await import('../report/png.js')).requireChromium();
  const { checkWritable } = await import('../report/output.js');
  const { checkOutputPath, followedFile, realPath } = await import('../run/output-dir.js');
  // A link is followed: checked and written where it leads, and stays a link.
  const targets: Outputs = { out: o.out ? followedFile(o.out, '--out') : o.out, png: o.png ? followedFile(o.png, '--png') : o.png };
  const landing = (file: string) => join(realPath(dirname(resolve(file))), basename(file));
  if (targets.out && targets.png && landing(targets.out) === landing(targets.png)) throw new ParanomError('USAGE', `--out and --png both name ${o.png}; the image would replace the page — give each its own file`);
  const { datasetHolding } = await import('../run/dataset-holding.js');
  for (const [option, given, file] of [['--out', o.out, targets.out], ['--png', o.png, targets.png]] as const) {
    if (file === undefined || given === undefined) continue;
    // Not yet a dataset: reading it says so first.
    const inside = dataset !== undefined && existsSync(join(dataset, 'manifest.json')) && landing(file).startsWith(realPath(dataset) + sep);
    // Any other dataset too (its folder or its data/), for report and preview alike.
    const host = inside ? dataset : datasetHolding(dirname(landing(file)));
    if (host !== undefined) throw new ParanomError('USAGE', `${option} ${given} is inside the dataset ${host}; a file there is not the dataset's own, and grow and generate would refuse the dataset for it — write the report elsewhere`);
    // Its folder (made if missing) must be one that can be written: known now, not once the report is built.
    checkOutputPath(dirname(resolve(file)), option);
  }
  if (o.out) checkWritable(o.out, 'html', '--out');
  if (o.png) checkWritable(o.png, 'png', '--png');
  return targets;
}

/** The outputs both commands share. */
function withOutputs<T>(a: Argv<T>) {
  return a
    .option('out', { alias: 'o', type: 'string', describe: 'HTML file to write (one self-contained file)' })
    .option('png', { type: 'string', describe: 'Also write an image of the overview (needs Chromium)' });
}

function reportBuilder(a: Argv) {
  return withOutputs(
    a
      .positional('dataset', { type: 'string', demandOption: true, describe: 'Dataset directory (with manifest.json)' })
      .option('workers', { alias: 'w', type: 'string', describe: 'Threads reading shards (default 1)' })
      .option('entity', { type: 'string', describe: 'A fleet: the entity to show, by key (default: the first)' }),
  );
}
type ReportArgs = ReturnType<typeof reportBuilder> extends Argv<infer U> ? U : never;

/** The `report` command. */
export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dataset>',
  describe: 'Write a self-contained HTML report of a dataset: series, events, distributions',
  builder: reportBuilder,
  handler: async (argv: ArgumentsCamelCase<ReportArgs>) => {
    const t0 = performance.now();
    const { intOption, LIMITS } = await import('./options.js');
    const workers = intOption('workers', argv.workers, LIMITS.workers);
    const targets = await checkOutputs(argv, argv.dataset);
    const { datasetReport } = await import('../report/dataset.js');
    await emit(await datasetReport(argv.dataset, { ...(workers ? { workers } : {}), entity: argv.entity }), argv, targets, () => (performance.now() - t0) / 1000);
  },
};

function previewBuilder(a: Argv) {
  return withOutputs(
    a
      .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' })
      .option('rows', { type: 'number', describe: 'Rows to generate (default 100,000, or fewer when the scenario has fewer)' })
      .option('duration', { type: 'string', describe: 'Or the time range to generate from the start, such as 2d or 36h (rows = duration / step)' })
      .option('seed', { type: 'number', describe: 'Override the scenario seed' })
      .option('entity', { type: 'string', describe: 'A fleet: the entity to show, by key (default: the first)' }),
  );
}
type PreviewArgs = ReturnType<typeof previewBuilder> extends Argv<infer U> ? U : never;

/**
 * A preview holds every column of its rows in memory (about 90 bytes a row for the
 * reference scenario, 0.9 GB at this many rows); a larger request would exhaust the
 * machine rather than fail, so it is refused and pointed at `report` on a dataset.
 */
const PREVIEW_MAX_ROWS = 10_000_000;

/** The `preview` command. */
export const previewCommand: CommandModule<object, PreviewArgs> = {
  command: 'preview <scenario>',
  describe: "Report on a scenario's first rows, generated in memory (nothing else is written)",
  builder: previewBuilder,
  handler: async (argv: ArgumentsCamelCase<PreviewArgs>) => {
    try {
      await preview(argv);
    } catch (err) {
      // A problem of the scenario met after it was read (a callback module's exports) is reported at its line.
      throw (await import('../reader/load.js')).atScenarioLine(argv.scenario, err);
    }
  },
};

async function preview(argv: ArgumentsCamelCase<PreviewArgs>): Promise<void> {
  const t0 = performance.now();
  const targets = await checkOutputs(argv);
  if (argv.rows !== undefined && (!Number.isSafeInteger(argv.rows) || argv.rows < 1)) throw new ParanomError('USAGE', `--rows takes a whole number of rows above 0, got ${argv.rows}`);
  if (argv.rows !== undefined && argv.duration !== undefined) throw new ParanomError('USAGE', '--rows and --duration both set the preview length; give one');
  const { loadScenario, withOverrides } = await import('../reader/load.js');
  const { previewReport } = await import('../report/preview.js');
  const scenario = withOverrides(loadScenario(argv.scenario), { seed: argv.seed });
  let rows = argv.rows;
  if (argv.duration !== undefined) {
    const { parseDurationMs } = await import('../model/units.js');
    const ms = parseDurationMs(argv.duration);
    if (ms === undefined || ms <= 0) throw new ParanomError('USAGE', `--duration takes a duration such as 90m, 36h or 2d, got '${argv.duration}'`);
    rows = Math.max(1, Math.ceil(ms / scenario.timeline.stepMs));
  }
  if (rows !== undefined && rows > PREVIEW_MAX_ROWS) {
    const asked = argv.rows !== undefined ? `--rows ${rows.toLocaleString('en-US')}` : `--duration ${argv.duration} (${rows.toLocaleString('en-US')} rows)`;
    throw new ParanomError('USAGE', `${asked} is more than a preview generates in memory (at most ${PREVIEW_MAX_ROWS.toLocaleString('en-US')} rows); for more, generate the dataset and run \`paranom report DIR\`, which reads its files`);
  }
  await emit(await previewReport(scenario, { ...(rows !== undefined ? { rows } : {}), entity: argv.entity }), argv, targets, () => (performance.now() - t0) / 1000);
}
