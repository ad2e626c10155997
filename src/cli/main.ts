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
 *
 * It imports nothing statically: under an open-file limit too low even to load paranom, a
 * module that cannot be read (EMFILE) is said in one line and exits 1, where a static
 * import's failure would end the process with Node's stack trace.
 */
type Prestart = typeof import('./prestart.js');

let prestart: Prestart | undefined;
try {
  const { settleStandardOutput, watchStandardOutput } = await import('./standard-output.js');
  watchStandardOutput();
  const args = process.argv.slice(2);
  const { prebuiltOutput } = await import('./prebuilt-help.js');
  const prebuilt = prebuiltOutput(args, process.stdout.isTTY ? process.stdout.columns : undefined);
  if (prebuilt !== undefined) {
    process.stdout.write(prebuilt);
    process.exitCode = await settleStandardOutput(0);
  } else {
    prestart = await import('./prestart.js');
    prestart.prestartFor(args);
    let app: typeof import('./app.js');
    try {
      app = await import('./app.js');
    } catch (err) {
      // The prestarted workers took the descriptors this thread needed to load the command
      // line (more workers than the open-file limit allows): they go, and the run starts its
      // own pool once it is loaded, with as many workers as can start.
      if (!outOfDescriptors(err)) throw err;
      await prestart.poolsEnded();
      // Under another URL: a failed load may be remembered under its own.
      const again: string = './app.js?after-prestart';
      app = (await import(again)) as typeof import('./app.js');
    }
    const { runCli } = app;
    const code = await runCli(args);
    // Worker threads end before the process does: exiting while one still boots can abort.
    await prestart.poolsEnded();
    process.exit(await settleStandardOutput(code));
  }
} catch (err) {
  if (!outOfDescriptors(err)) throw err;
  // The workers go first: their descriptors let the words below load.
  await prestart?.poolsEnded();
  process.stderr.write(`paranom: ${await descriptorsMessage(err)}\n`);
  process.exit(1);
}

/** Whether `err` is a module that could not be read for want of file descriptors. */
function outOfDescriptors(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/**
 * What errors.ts says of `err`. The loader may still be reading the failed module's
 * siblings, which hold the descriptors errors.js needs: it is tried again a moment later,
 * and if even that fails, Node's own line is said.
 */
async function descriptorsMessage(err: unknown): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const again: string = `../errors.js?attempt=${attempt}`;
      const { outOfFileDescriptors } = (await import(attempt === 0 ? '../errors.js' : again)) as typeof import('../errors.js');
      return outOfFileDescriptors(err)!.message;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return `${(err as Error).message}; raise the open-file limit (ulimit -n)`;
}
