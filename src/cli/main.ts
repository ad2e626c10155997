#!/usr/bin/env node
/**
 * The paranom binary: runs the command line (app.ts) on this process's arguments and exits
 * with its code (explicitly, so no handle left by a user module keeps the process alive).
 *
 * This file stays small and unbundled: for `generate … --out` it starts the worker pool
 * first (prestart.ts), so the workers boot while this thread loads the command line
 * (app.js, one bundle of the whole engine) and plans the run.
 */
import { prestartFor } from './prestart.js';

prestartFor(process.argv.slice(2));
const [{ hideBin }, { runCli }] = await Promise.all([import('yargs/helpers'), import('./app.js')]);
process.exit(await runCli(hideBin(process.argv)));
