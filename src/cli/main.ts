#!/usr/bin/env node
/**
 * The paranom binary: runs the command line (app.ts) on this process's arguments and exits
 * with its code (explicitly, so no handle left by a user module keeps the process alive).
 */
import { hideBin } from 'yargs/helpers';
import { runCli } from './app.js';

process.exit(await runCli(hideBin(process.argv)));
