/**
 * The report command's memory against the size of a shard: the same wide dataset
 * (`bench/wide-scenario.ts`) written as shards of one 65,536-row page each, the baseline,
 * and as one shard holding every row, in each format; `paranom report` of each, with its
 * wall time, CPU time and peak RSS. Read a piece at a time, the one-shard report needs
 * about what the baseline does; read a shard at a time, it held the shard and more.
 *
 *   node dist/bench/report-shard-memory.js [--variables 100] [--rows 524288] [--formats parquet,arrow,csv] [--workers 1]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirBytes, runChild } from './end-to-end.js';
import { wideScenario } from './wide-scenario.js';

const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;
const PAGE_ROWS = 65536;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

async function main(): Promise<void> {
  const variables = Number(arg('variables', '100'));
  const rows = Number(arg('rows', '524288'));
  const formats = arg('formats', 'parquet,arrow,csv').split(',');
  const workers = arg('workers', '1');
  const dir = mkdtempSync(join(tmpdir(), 'paranom-shard-memory-'));
  const lines = [
    `${variables} numeric variables × ${rows.toLocaleString('en-US')} rows (bench/wide-scenario.ts), report --workers ${workers}`,
    '| format | shards | shard size | report wall | CPU | peak RSS |',
    '|---|---|---|---|---|---|',
  ];
  try {
    const scenario = join(dir, 'wide.json');
    writeFileSync(scenario, JSON.stringify(wideScenario(variables, rows)));
    for (const format of formats) {
      for (const shardRows of [PAGE_ROWS, rows]) {
        const ds = join(dir, `${format}-${shardRows}`);
        const g = await runChild(process.execPath, [CLI, 'generate', scenario, '--out', ds, '--format', format, '--shard-rows', String(shardRows), '--workers', '2']);
        if (g.status !== 0) throw new Error(`generate ${format}: ${g.stderr}`);
        const r = await runChild(process.execPath, [CLI, 'report', ds, '--out', join(dir, `${format}-${shardRows}.html`), '--workers', workers]);
        const shards = Math.ceil(rows / shardRows);
        const mb = dirBytes(join(ds, 'data')) / shards / 1e6;
        // A report that fails is a figure too (a build that read a CSV shard into one string could not report one over 512 MB).
        const said = r.status === 0 ? '' : ` (exit ${r.status}: ${r.stderr.trim().split('\n')[0]})`;
        lines.push(`| ${format} | ${shards} | ${mb.toFixed(0)} MB | ${r.seconds.toFixed(2)} s | ${r.cpuSeconds.toFixed(2)} s | ${r.peakRssMb.toFixed(0)} MB${said} |`);
        console.error(lines[lines.length - 1]);
        rmSync(ds, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  lines.push(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
