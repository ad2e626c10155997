/**
 * `--help`, `--version` and `<command> --help` answered from text stored at build time
 * (cli/prebuilt-help.ts): the binary prints exactly what the yargs parser prints for the
 * same arguments, and falls back to the parser wherever the stored text could differ.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/app.js';
import { HELP_COLUMNS, prebuiltOutput } from '../src/cli/prebuilt-help.js';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const STORED = join(ROOT, 'dist/src/cli/help.json');

/** Standard output of the binary (the prebuilt path where it applies). */
function binary(args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, cwd });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Standard output of the yargs parser itself (app.js's runCli) for each argument line, in one child. */
function parser(lines: string[][], env: NodeJS.ProcessEnv = process.env): string[] {
  const code = `
    const { runCli } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/cli/app.js')).href)});
    const write = process.stdout.write.bind(process.stdout);
    let text = '';
    process.stdout.write = (chunk) => ((text += String(chunk)), true);
    const outs = [];
    for (const args of ${JSON.stringify(lines)}) { text = ''; if (await runCli(args) !== 0) throw new Error(args.join(' ')); outs.push(text); }
    write(JSON.stringify(outs));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe('prebuilt help and version', () => {
  it("prints the parser's own output for every stored argument line", () => {
    const stored = JSON.parse(readFileSync(STORED, 'utf8')) as Record<string, string>;
    const lines = Object.keys(stored).map((k) => k.split(' '));
    // Every command of the top-level help has its own entry.
    expect(lines.map((l) => l[0])).toEqual(expect.arrayContaining(['--help', '--version', 'generate', 'validate', 'grow', 'verify', 'merge', 'eval', 'report']));
    const fresh = parser(lines);
    lines.forEach((l, i) => expect(stored[l.join(' ')], l.join(' ')).toBe(fresh[i]));
    // The binary prints the stored text, byte for byte.
    for (const l of [['--help'], ['--version'], ['generate', '--help']]) expect(binary(l), l.join(' ')).toBe(stored[l.join(' ')]);
  });

  it('equals the unbundled parser (yargs and its width measurement as published), run in this process', async () => {
    const stored = JSON.parse(readFileSync(STORED, 'utf8')) as Record<string, string>;
    for (const line of ['--help', 'generate --help', 'eval --help']) {
      let text = '';
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (text += `${a.join(' ')}\n`));
      try {
        expect(await runCli(line.split(' '))).toBe(0);
      } finally {
        log.mockRestore();
      }
      expect(text, line).toBe(stored[line]);
    }
  });

  it('agrees with the parser whatever the locale, and prints the engine version from any directory', () => {
    const env = { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
    const [help] = parser([['--help']], env);
    expect(binary(['--help'], env)).toBe(help);
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    // Not the version of the working directory's package.json, nor "unknown" without one.
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ name: 'someone-else', version: '9.9.9' }));
    expect(binary(['--version'], process.env, elsewhere)).toBe(`${version}\n`);
    expect(parser([['--version']])).toEqual([`${version}\n`]);
  });

  it('leaves to the parser narrow terminals, other arguments and a missing file', () => {
    const file = pathToFileURL(STORED);
    const stored = JSON.parse(readFileSync(STORED, 'utf8')) as Record<string, string>;
    expect(prebuiltOutput(['--help'], undefined, file)).toBe(stored['--help']);
    expect(prebuiltOutput(['--help'], HELP_COLUMNS, file)).toBe(stored['--help']);
    expect(prebuiltOutput(['generate', '--help'], 200, file)).toBe(stored['generate --help']);
    expect(prebuiltOutput(['--help'], HELP_COLUMNS - 1, file)).toBeUndefined();
    for (const args of [[], ['--help', '--verbose'], ['--verbose', '--help'], ['generate', 's.yaml', '--help'], ['nonsense', '--help'], ['generate'], ['--version', '--help', 'x']]) {
      expect(prebuiltOutput(args, undefined, file), args.join(' ')).toBeUndefined();
    }
    expect(prebuiltOutput(['--help'], undefined, pathToFileURL(join(tempDir(), 'help.json')))).toBeUndefined();
  });
});
