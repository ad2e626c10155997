/**
 * Piscina entry: a task is one shard, the uniqueness fingerprint pass over one shard's
 * rows, one block of a stream, loading a scenario's inputs, or the head start of a
 * one-shard run (its first shard generated before the run asks for it).
 */
import { runFingerprintTask, runLoadTask, runShardTask, type FingerprintResult, type FingerprintTask, type LoadTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';
import { runStreamTask, type StreamTask } from '../src/run/stream-task.js';
import { headStartSettled, startHeadStart, takeHeadStart, type HeadStartTask } from '../src/run/head-start.js';
import { adoptSourceShares } from '../src/variables/source-share.js';

export default async function shardWorker(task: ShardTask | FingerprintTask | StreamTask | LoadTask | HeadStartTask): Promise<ShardResult | FingerprintResult | unknown> {
  if ('type' in task && task.type === 'head-start') return startHeadStart(task);
  // Any other task waits for a head start still under way here: the shard task may take
  // its bytes, and every task would reuse the buffers it is writing.
  await headStartSettled();
  // The scenario's source columns, read once on the main thread: this worker never reads the files.
  if ('sources' in task) adoptSourceShares(task.sources);
  if ('type' in task && task.type === 'fingerprint') return runFingerprintTask(task);
  if ('type' in task && task.type === 'stream') return runStreamTask(task);
  if ('type' in task && task.type === 'load') return runLoadTask(task);
  const shard = task as ShardTask;
  return runShardTask(shard, takeHeadStart(shard));
}
