#!/usr/bin/env node
/**
 * The paranom binary: runs the command line (app.ts) on this process's arguments and exits
 * with its code (explicitly, so no handle left by a user module keeps the process alive),
 * once the worker threads it started have ended and standard output has taken what was
 * written to it (standard-output.ts: a failed write there exits 1).
 *
 * This file stays small and unbundled. `--help` and `--version` print the parser's own
 * output stored at build time (prebuilt-help.ts), loading nothing else. For `generate …
 * --out` it starts the worker pool first (prestart.ts), so the workers boot while this
 * thread loads the command line (app.js, one bundle of the whole engine) and plans the run.
 */
import { prebuiltOutput } from './prebuilt-help.js';
import { settleStandardOutput, watchStandardOutput } from './standard-output.js';

watchStandardOutput();
const args = process.argv.slice(2);
const prebuilt = prebuiltOutput(args, process.stdout.isTTY ? process.stdout.columns : undefined);
if (prebuilt !== undefined) {
  process.stdout.write(prebuilt);
  process.exitCode = await settleStandardOutput(0);
} else {
  const { prestartFor, poolsEnded } = await import('./prestart.js');
  prestartFor(args);
  let app: typeof import('./app.js');
  try {
    app = await import('./app.js');
  } catch (err) {
    // The prestarted workers took the descriptors this thread needed to load the command
    // line (more workers than the open-file limit allows): they go, and the run starts its
    // own pool once it is loaded, with as many workers as can start.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EMFILE' && code !== 'ENFILE') throw err;
    await poolsEnded();
    // Under another URL: a failed load may be remembered under its own.
    const again: string = './app.js?after-prestart';
    app = (await import(again)) as typeof import('./app.js');
  }
  const { runCli } = app;
  const code = await runCli(args);
  // Worker threads end before the process does: exiting while one still boots can abort.
  await poolsEnded();
  process.exit(await settleStandardOutput(code));
}
