/**
 * Numbers in users' text files (source series, predictions, labels): decimal only.
 * JavaScript's Number would also read `0x10` as 16, `0b1` and `0o7`, and `Infinity`: a
 * cell like that in a CSV file is far more likely a mistake than a number meant.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `cell` (trimmed) as a decimal number; NaN when it is not one. */
export function parseDecimal(cell: string | undefined): number {
  const t = cell?.trim() ?? '';
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}
