#!/usr/bin/env node
/**
 * The paranom command line. User mistakes print what and where, and exit 2; runtime
 * failures exit 1; a stack trace only with --verbose.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ParanomError } from '../errors.js';
import { loadScenario, withOverrides } from '../scenario/load.js';
import { describePlan, planGeneration, type OutputFormat } from '../plan/planner.js';
import { generate } from '../run/generate.js';
import type { ParquetCompression } from '../output/parquet.js';
import { createProgress } from './progress.js';

function fail(err: unknown, verbose: boolean): never {
  if (err instanceof ParanomError) {
    process.stderr.write(`paranom: ${err.message}\n`);
    if (verbose) {
      const stack = (err.details['stack'] as string | undefined) ?? err.stack;
      if (stack) process.stderr.write(`${stack}\n`);
    }
    process.exit(err.exitCode);
  }
  const e = err as Error;
  process.stderr.write(`paranom: internal error: ${e?.message ?? String(err)}\n`);
  process.stderr.write(verbose ? `${e?.stack ?? ''}\n` : '(run again with --verbose for the stack trace)\n');
  process.exit(1);
}

const verbose = process.argv.includes('--verbose');

await yargs(hideBin(process.argv))
  .scriptName('paranom')
  .usage('$0 <command> [options]\n\nGenerate reproducible, labelled time-series anomaly datasets.')
  .option('verbose', { type: 'boolean', default: false, describe: 'Show stack traces on errors' })
  .command(
    'generate <scenario>',
    'Generate a dataset from a scenario file',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Output directory' })
        .option('rows', { type: 'number', describe: 'Override timeline.rows' })
        .option('seed', { type: 'number', describe: 'Override the scenario seed' })
        .option('format', { choices: ['parquet', 'arrow', 'csv'] as const, default: 'parquet' as const, describe: 'Shard file format' })
        .option('compression', { choices: ['snappy', 'zstd', 'none'] as const, default: 'snappy' as const, describe: 'Parquet compression' })
        .option('shard-rows', { type: 'number', describe: 'Rows per shard (rounded to whole 65,536-row blocks)' })
        .option('workers', { alias: 'w', type: 'number', describe: 'Worker threads (default: available cores)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace a dataset already in --out' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan and exit' }),
    async (argv) => {
      try {
        const overrides = { rows: argv.rows, seed: argv.seed };
        if (argv['dry-run']) {
          const s = withOverrides(loadScenario(argv.scenario), overrides);
          const plan = planGeneration(s, { format: argv.format as OutputFormat, ...(argv['shard-rows'] ? { shardRows: argv['shard-rows'] } : {}) });
          process.stdout.write(describePlan(plan) + '\n');
          return;
        }
        const progress = createProgress();
        const t0 = performance.now();
        const { manifest } = await generate(argv.scenario, {
          out: argv.out,
          ...overrides.rows !== undefined ? { rows: overrides.rows } : {},
          ...overrides.seed !== undefined ? { seed: overrides.seed } : {},
          format: argv.format as OutputFormat,
          compression: argv.compression as ParquetCompression,
          ...(argv['shard-rows'] ? { shardRows: argv['shard-rows'] } : {}),
          ...(argv.workers ? { workers: argv.workers } : {}),
          force: argv.force,
          onProgress: (d, t) => progress.update(d, t),
        });
        progress.finish();
        const secs = (performance.now() - t0) / 1000;
        const a = manifest.anomalies;
        const requested = a.mode === 'frequency' ? `requested fraction ${a.requested.frequency}` : a.mode === 'count' ? `requested ${a.requested.count} events` : 'none requested';
        process.stdout.write(
          `wrote ${manifest.rows.toLocaleString('en-US')} rows in ${manifest.shards.length} shard(s) to ${argv.out} in ${secs.toFixed(2)}s (${Math.round(manifest.rows / secs).toLocaleString('en-US')} rows/s)\n` +
            `anomalies: ${a.realised.events} events, ${a.realised.anomalous_rows.toLocaleString('en-US')} rows (fraction ${a.realised.fraction.toFixed(5)}; ${requested})` +
            (a.realised.truncated_events ? `, ${a.realised.truncated_events} cut by the end of the timeline` : '') +
            (manifest.growth_stable ? '' : '\nnote: count mode places events over the whole timeline; this dataset is not growth-stable') +
            '\n',
        );
      } catch (err) {
        fail(err, verbose);
      }
    },
  )
  .command(
    'validate <scenario>',
    'Check a scenario file and report every problem',
    (y) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (YAML or JSON)' }),
    (argv) => {
      try {
        const s = loadScenario(argv.scenario);
        process.stdout.write(`${argv.scenario}: ok — ${s.variables.length} variable(s), ${s.timeline.rows.toLocaleString('en-US')} rows, anomalies: ${s.anomalies.mode}\n`);
      } catch (err) {
        fail(err, verbose);
      }
    },
  )
  .demandCommand(1, 'Name a command: generate or validate')
  .strict()
  .fail((msg, err, y) => {
    if (err) fail(err, verbose);
    process.stderr.write(`${y.help() && ''}paranom: ${msg}\nRun 'paranom --help' for usage.\n`);
    process.exit(2);
  })
  .help()
  .version()
  .parseAsync();
