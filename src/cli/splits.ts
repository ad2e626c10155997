/** `generate` with splits (`--splits`, or a scenario's `splits`): three datasets, their plans or their report. */
import type { Scenario } from '../model/types.js';
import type { GenerateOptions, GenerateResult } from '../run/generate-options.js';

/** Runs one generation with the command line's progress bar and report (app.ts). */
type RunWithProgress = (out: string, run: (onProgress: (d: number, t: number) => void, signal: AbortSignal) => Promise<GenerateResult>) => Promise<GenerateResult>;

/** Generates (or with `dryRun` plans) the splits of `s`; `splitsText` is the value of `--splits`, if given. */
export async function runSplitsCommand(io: { stdout(text: string): void }, s: Scenario, options: Omit<GenerateOptions, 'part' | 'signal' | 'onProgress'> & { splitsText: string | undefined; dryRun: boolean }, runWithProgress: RunWithProgress): Promise<void> {
  const [{ parseSplitsOption }, { generateSplits, splitScenarios, SPLITS_FILE }, { describePlan, planGeneration }, { withOverrides }] = await Promise.all([
    import('../reader/splits.js'),
    import('../run/splits.js'),
    import('../plan/planner.js'),
    import('../reader/load.js'),
  ]);
  const { splitsText, dryRun, ...generateOptions } = options;
  const resolved = withOverrides(s, { rows: options.rows, seed: options.seed });
  const splits = splitsText ? parseSplitsOption(splitsText, resolved.timeline) : undefined;
  if (dryRun) {
    for (const p of splitScenarios(resolved, splits ?? resolved.splits)) {
      const plan = planGeneration(p.scenario, { ...(options.format ? { format: options.format } : {}), ...(options.shardRows ? { shardRows: options.shardRows } : {}) });
      io.stdout(`split ${p.name} → ${options.out ? `${options.out}/` : 'OUT/'}${p.name}\n${describePlan(plan)}\n`);
    }
    return;
  }
  const { index } = await generateSplits(s, { ...generateOptions, splits, run: (name, dir, go) => (io.stdout(`${name}:\n`), runWithProgress(dir, (onProgress, signal) => go(onProgress, signal))) });
  const lines = index.splits.map((e) => `  ${e.name.padEnd(12)} rows ${e.first_row.toLocaleString('en-US')}–${(e.first_row + e.rows - 1).toLocaleString('en-US')}, ${e.start} → ${e.end}${e.anomalies ? '' : ', no anomalies'}`);
  io.stdout(`splits (${options.out}/${SPLITS_FILE}):\n${lines.join('\n')}\n`);
}
