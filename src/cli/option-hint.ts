/**
 * Suggestions for an unknown option or command: yargs says `Unknown argument: output` and
 * stops there, while the user meant `--out`. Only names written as options (`--name`) are
 * matched against the command's own options: a mistyped positional is left alone.
 */
import { closest } from '../model/checker.js';

/**
 * What the parser knows of the command being parsed: yargs' `getOptions()`, which its
 * types do not declare. Without it there is no hint, never an error.
 */
export interface KnownOptions {
  getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> };
}

/** ` (did you mean --out?)` for the first unknown option with a near name, else ''. */
export function optionHint(message: string, args: readonly string[], parser: KnownOptions | undefined): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m || typeof parser?.getOptions !== 'function') return '';
  const { key, alias } = parser.getOptions();
  // yargs also lists each option's camelCase twin; a user types the dashed name.
  const known = [...Object.keys(key), ...Object.values(alias).flat()].filter((k) => k.length > 1 && !/[A-Z$_]/.test(k));
  const written = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!));
  for (const name of m[1]!.split(', ')) {
    if (!written.has(name)) continue;
    const near = nearest(name, known);
    if (near) return ` (did you mean --${near}?)`;
  }
  return '';
}

/**
 * The message for a first word that is no command (`paranom gen …`), naming the command
 * it most likely meant; undefined when the first word is a command or an option.
 */
export function unknownCommand(args: readonly string[], commands: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first)) return undefined;
  const near = nearest(first, commands);
  return `unknown command '${first}'${near ? ` (did you mean '${near}'?)` : ''}; the commands are ${commands.join(', ')}`;
}

/** The name a word most likely meant: one within two edits, or one it begins or that begins it (`output` for `out`, `gen` for `generate`). */
function nearest(name: string, known: readonly string[]): string | undefined {
  const edit = closest(name, known);
  if (edit) return edit;
  if (name.length < 3) return undefined;
  return known.find((k) => k.length >= 3 && (name.startsWith(k) || k.startsWith(name)));
}
