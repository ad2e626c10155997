/**
 * Piscina entry: a task is one shard, the uniqueness fingerprint pass over one shard's
 * rows, one block of a stream, loading a scenario's inputs, or the head start of a
 * one-shard run (its first shard generated before the run asks for it).
 */
import { runFingerprintTask, runLoadTask, runShardTask, type FingerprintResult, type FingerprintTask, type LoadTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';
import { runStreamTask, type StreamTask } from '../src/run/stream-task.js';
import { runHeadStart, takeHeadStart, type HeadStartTask } from '../src/run/head-start.js';

export default function shardWorker(task: ShardTask | FingerprintTask | StreamTask | LoadTask | HeadStartTask): Promise<ShardResult | FingerprintResult | unknown> {
  if ('type' in task && task.type === 'fingerprint') return runFingerprintTask(task);
  if ('type' in task && task.type === 'stream') return runStreamTask(task);
  if ('type' in task && task.type === 'load') return runLoadTask(task);
  if ('type' in task && task.type === 'head-start') return runHeadStart(task);
  const shard = task as ShardTask;
  return runShardTask(shard, takeHeadStart(shard));
}
