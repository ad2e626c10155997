/**
 * A mistyped option or command is answered with the name meant: yargs alone says
 * `Unknown argument: output` and leaves the user to find `--out` in the help.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../src/cli/app.js';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('hints for unknown options and commands', () => {
  it.each([
    [['generate', 'scenarios/valve-sensors.yaml', '--output', '/tmp/x'], 'Unknown argument: output (did you mean --out?)'],
    [['generate', 'scenarios/valve-sensors.yaml', '--out', '/tmp/x', '--worker', '2'], 'Unknown argument: worker (did you mean --workers?)'],
    [['generate', 'scenarios/valve-sensors.yaml', '--out=/tmp/x', '--seeed=4'], 'Unknown argument: seeed (did you mean --seed?)'],
    [['grow', '/tmp/x', '--row', '5000'], 'Unknown argument: row (did you mean --rows?)'],
    [['eval', 'p.csv', '--labels', 'l.csv', '--treshold', '0.5'], 'Unknown argument: treshold (did you mean --threshold?)'],
  ])('%j', async (args, said) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`paranom: ${said}\nRun 'paranom --help' for usage.\n`);
  });

  it('names no option when none is near, and only options of the command given', async () => {
    expect((await cli(['generate', 'scenarios/valve-sensors.yaml', '--out', '/tmp/x', '--zz'])).stderr).toMatch(/^paranom: Unknown argument: zz\n/);
    // --labels is eval's, not validate's: a near name from another command is no hint.
    expect((await cli(['validate', 'scenarios/valve-sensors.yaml', '--label', 'x'])).stderr).toMatch(/^paranom: Unknown argument: label\n/);
  });

  it.each([
    ['gen', " (did you mean 'generate'?)"],
    ['generat', " (did you mean 'generate'?)"],
    ['vaildate', " (did you mean 'validate'?)"],
    ['train', " (did you mean 'train-vae'?)"],
    ['frobnicate', ''],
  ])('unknown command %s', async (word, hint) => {
    const r = await cli([word, 'scenarios/valve-sensors.yaml', '--out', '/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`paranom: unknown command '${word}'${hint}; the commands are ${COMMANDS.join(', ')}\nRun 'paranom --help' for usage.\n`);
  });

  it('knows the commands --help lists', () => {
    const help = spawnSync(process.execPath, [join(import.meta.dirname, '../dist/src/cli/main.js'), '--help'], { encoding: 'utf8' }).stdout;
    const listed = [...help.split('\nCommands:\n')[1]!.split('\n\n')[0]!.matchAll(/^ {2}paranom (\S+)/gm)].map((m) => m[1]);
    expect([...COMMANDS].sort()).toEqual(listed.sort());
  });
});
