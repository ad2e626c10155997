#!/usr/bin/env node
/** The paranom binary: runs the command line (app.ts) on this process's arguments. */
import { hideBin } from 'yargs/helpers';
import { runCli } from './app.js';

process.exitCode = await runCli(hideBin(process.argv));
