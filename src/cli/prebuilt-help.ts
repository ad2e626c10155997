/**
 * `paranom --help`, `paranom --version` and `paranom <command> --help` without loading the
 * command line: their text is what yargs printed for the same arguments when the package
 * was built (scripts/build-help.mjs runs the real parser and stores its output in
 * help.json beside this file), so it cannot drift from the parser's definition.
 *
 * yargs wraps help to the terminal, at most 80 columns: the stored text (80 columns) is
 * used only where yargs would print the same, i.e. unless standard output is a terminal
 * narrower than that. Anything else (other arguments, a missing file) returns undefined
 * and the binary runs the parser as usual.
 */
import { readFileSync } from 'node:fs';

/** The width yargs wraps help to, and the stored text was wrapped to. */
export const HELP_COLUMNS = 80;

/** File name of the stored outputs, beside this module in dist/. */
const HELP_FILE = 'help.json';

/** Stored outputs: the argument line (joined by spaces) → what yargs wrote on standard output. */
export type PrebuiltOutputs = Record<string, string>;

/** The argument lines stored: `--help`, `--version`, and `<command> --help` for each command. */
export function prebuiltArgs(commands: readonly string[]): string[][] {
  return [['--help'], ['--version'], ...commands.map((c) => [c, '--help'])];
}

/**
 * What yargs would print for `args`, if it was stored and this terminal would show it the
 * same; otherwise undefined. `columns`: the terminal's width, undefined when not a terminal.
 */
export function prebuiltOutput(args: readonly string[], columns: number | undefined, file = new URL(HELP_FILE, import.meta.url)): string | undefined {
  // Every stored line ends in --help or --version: anything else never reads the file.
  const last = args[args.length - 1];
  if (args.length > 2 || (last !== '--help' && last !== '--version')) return undefined;
  if (columns !== undefined && columns < HELP_COLUMNS) return undefined;
  let stored: PrebuiltOutputs;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as PrebuiltOutputs;
  } catch {
    return undefined;
  }
  const text = stored[args.join(' ')];
  return typeof text === 'string' ? text : undefined;
}
