/**
 * Strict parsing of numeric command-line values. yargs reads `--workers abc` as NaN and
 * `--rows` with no value as nothing at all; every such value is a usage error (exit 2)
 * here, never a silent default.
 */
import { ParanomError } from '../errors.js';
import { parseDecimal } from '../input/decimal.js';
import { MAX_SAMPLE_BLOCKS, MAX_SHARD_ROWS, MAX_WORKERS } from '../run/run-counts.js';

/** An integer option: digits (or an exponent form such as 1e6 that is a whole number) within [min, max]. */
export function intOption(name: string, raw: unknown, range: { min: number; max: number }): number | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ParanomError('USAGE', `--${name} is given ${raw.length} times; give it once`);
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  if (text === '') throw new ParanomError('USAGE', `--${name} needs a value: an integer from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}`);
  const n = /^\+?\d+(\.\d+)?(e\+?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new ParanomError('USAGE', `--${name} must be an integer from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}, got '${text}'`);
  }
  return n;
}

/** A positive number option (`--rate 2.5`, `--speed 1e3`), quoted back as written when it is not one. */
export function positiveOption(name: string, raw: unknown, what: string): number | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ParanomError('USAGE', `--${name} is given ${raw.length} times; give it once`);
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  if (text === '') throw new ParanomError('USAGE', `--${name} needs a value: ${what} above 0`);
  const n = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!(Number.isFinite(n) && n > 0)) throw new ParanomError('USAGE', `--${name}: expected ${what} above 0, got '${text}'`);
  return n;
}

/**
 * A number option (`--beta 0.5`, `--threshold -1e-3`): decimal digits only, finite, quoted
 * back as written when it is not one. yargs' own `number` type reads `0x10` as 16, `abc` as
 * NaN and a missing value as 0, and lets Infinity through.
 */
export function decimalOption(name: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ParanomError('USAGE', `--${name} is given ${raw.length} times; give it once`);
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : '';
  if (text.trim() === '') throw new ParanomError('USAGE', `--${name} needs a value: a decimal number`);
  const n = parseDecimal(text);
  if (!Number.isFinite(n)) throw new ParanomError('USAGE', `--${name} takes a decimal number, got '${text}'`);
  return n;
}

/** A string option that must not be empty or given twice. */
export function stringOption(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new ParanomError('USAGE', `--${name} is given ${raw.length} times; give it once`);
  if (typeof raw !== 'string' || raw.trim() === '') throw new ParanomError('USAGE', `--${name} needs a value`);
  return raw;
}

/** Limits of the numeric options. */
export const LIMITS = {
  rows: { min: 1, max: 1e12 },
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER },
  shardRows: { min: 1, max: MAX_SHARD_ROWS },
  workers: { min: 1, max: MAX_WORKERS },
  parts: { min: 1, max: 1e6 },
  sample: { min: 0, max: MAX_SAMPLE_BLOCKS },
} as const;
