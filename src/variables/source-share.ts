/**
 * A scenario's source columns handed from the main thread to the workers. The main thread
 * reads and parses each source file once (source-read.ts: hashed as it is parsed, into
 * shared memory); every task a worker gets carries the columns of its scenario's sources,
 * which the worker takes as its own before it loads the scenario. A worker therefore never
 * opens a source file, and N workers hold one copy of its columns, not N.
 */
import type { Scenario } from '../model/types.js';
import { adoptSource, sourceData, sourceKey, type SourceData } from './source-read.js';

/** One source's columns, keyed as the worker's cache looks them up. Structured-clones as shared memory. */
export interface SourceShare {
  key: string;
  data: SourceData;
}

/**
 * The columns of every source of `s`, read on this thread if they are not yet (the file
 * must still hash to what the scenario recorded: INPUT_CHANGED otherwise).
 */
export function sourceShares(s: Scenario): SourceShare[] {
  return s.variables.flatMap((v) => (v.type === 'source' ? [{ key: sourceKey(v, s.baseDir), data: sourceData(v, s.baseDir) }] : []));
}

/** Takes columns another thread read (a task's `sources`) as this thread's own. */
export function adoptSourceShares(shares: readonly SourceShare[] | undefined): void {
  for (const { key, data } of shares ?? []) adoptSource(key, data);
}

/** A worker task that carries its scenario's source columns (`sourceShares`), which the worker adopts first. */
export interface CarriesSources {
  sources?: readonly SourceShare[] | undefined;
}
