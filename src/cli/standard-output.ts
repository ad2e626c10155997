/**
 * Standard output that cannot be written (a redirect onto a full disk): the binary says so
 * and exits 1, never 0 over a file left short or empty. A failed write's error arrives as
 * an 'error' event after the write returns: unheard, it ended the process with a stack
 * trace, or was never heard at all when the process exited first. A reader that goes away
 * (EPIPE, `| head`) is no failure: paranom stops, like any Unix filter. This module loads
 * nothing (main.ts stays small), the words for an error only when one came.
 */

let failure: NodeJS.ErrnoException | undefined;

/** Starts listening for a failed write of standard output; call before anything is written. */
export function watchStandardOutput(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => void (failure ??= err));
}

/**
 * Once the writes made so far have ended, the exit code: `code`, or 1 when standard output
 * failed under a command that succeeded (said on standard error; a command that failed
 * already said why).
 */
export async function settleStandardOutput(code: number): Promise<number> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  // The error event of a failed write comes on a later tick than its callback.
  await new Promise((resolve) => setImmediate(resolve));
  if (!failure || failure.code === 'EPIPE' || code !== 0) return code;
  const { SYSTEM_ERRORS } = await import('../errors.js');
  const what = failure.code && SYSTEM_ERRORS[failure.code] ? `${SYSTEM_ERRORS[failure.code]} (${failure.code})` : failure.message;
  process.stderr.write(`paranom: writing to standard output: ${what}; what it received ends part-way\n`);
  return 1;
}
