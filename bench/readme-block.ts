/**
 * The README's performance figures as one block, written by `npm run bench` between two
 * markers of README.md (`--readme README.md`), so every figure there comes from one run of
 * one command, printed with the machine and its load.
 */
import type { StartupCase } from './startup.js';
import { median } from './stats.js';

export const BEGIN = '<!-- bench:begin (written by `npm run bench -- --readme README.md`; do not edit by hand) -->';
export const END = '<!-- bench:end -->';

export interface BlockInput {
  machine: string;
  command: string;
  /** 1-minute load averages sampled through the run. */
  loads: number[];
  startup: StartupCase[] | undefined;
  /** Markdown tables by section (headline, scaling, disk, phases, timeline, writers). */
  blocks: Record<string, string>;
}

function startupTable(cases: StartupCase[]): string {
  const lines = ['| command | median wall | target |', '|---|---:|---|'];
  for (const c of cases) {
    const m = median(c.seconds);
    lines.push(`| \`${c.name}\` | ${m.toFixed(3)} s | ${c.target === undefined ? 'baseline' : `≤ ${c.target} s: ${m <= c.target ? 'met' : 'not met'}`} |`);
  }
  return lines.join('\n');
}

export function readmeBlock(b: BlockInput): string {
  const lo = Math.min(...b.loads).toFixed(1);
  const hi = Math.max(...b.loads).toFixed(1);
  const out = [
    `Figures of one run of \`${b.command}\` on ${new Date().toISOString().slice(0, 10)}: ${b.machine}; load average ${lo}–${hi} during the run` +
      // The bench's own runs load both cores (about 2); above that, something else ran too.
      `${Number(hi) > 3.5 ? ' (other work was running: wall times are inflated)' : Number(hi) > 1.5 ? ' (the bench\'s own two-worker runs included)' : ''}.`,
  ];
  const section = (title: string, body: string | undefined) => {
    if (body) out.push('', title, '', body);
  };
  section('Against DuckDB, the reference scenario run as above (medians of alternating runs; wall time, start-up and npx included):', b.blocks['headline']);
  if (b.startup) section('Start-up (wall time of the process, medians of 7):', startupTable(b.startup));
  section('Scaling with the cores (`node dist/src/cli/main.js generate`, medians of alternating runs):', b.blocks['scaling']);
  section('Toward the disk (medians of alternating runs):', b.blocks['disk'] ? `| what | MB/s |\n|---|---:|\n${b.blocks['disk']}` : undefined);
  section("Where a shard's time goes, timed inside the workers (`node dist/bench/phases.js`; wall time per phase):", b.blocks['phases']);
  section('The same runs as timelines (shard start and end in the workers):', b.blocks['timeline']);
  section('The PRNG, one block of uniform doubles on one thread (tinybench):', b.blocks['prng']);
  section("Encoding one 65,536-row block of the reference scenario from an Arrow table in memory (tinybench; parquet-wasm's figure includes its Arrow IPC round trip):", b.blocks['encode']);
  section('Parquet writers on one thread, 1M rows of the same 13 columns from memory to a file (bench/writers.ts; here parquet-wasm also pays for its Arrow IPC round trip and writes a 1M-row table at once):', b.blocks['writers'] ? '```\n' + b.blocks['writers'] + '\n```' : undefined);
  section('Peak RSS of whole runs (`generate` with default workers, then `merge --to` of the same dataset into one file):', b.blocks['rss']);
  return out.join('\n');
}

/** `readme` with the text between the bench markers replaced by `block`. */
export function replaceReadmeBlock(readme: string, block: string): string {
  const a = readme.indexOf(BEGIN);
  const z = readme.indexOf(END);
  if (a < 0 || z < a) throw new Error(`the README has no bench markers (${BEGIN} … ${END})`);
  return `${readme.slice(0, a + BEGIN.length)}\n${block}\n${readme.slice(z)}`;
}
