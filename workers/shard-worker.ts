/** Piscina entry: a task is one shard, the uniqueness fingerprint pass over one shard's rows, or one block of a stream. */
import { runFingerprintTask, runShardTask, type FingerprintResult, type FingerprintTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';
import { runStreamTask, type StreamTask } from '../src/run/stream-task.js';

export default function shardWorker(task: ShardTask | FingerprintTask | StreamTask): Promise<ShardResult | FingerprintResult | unknown> {
  if ('type' in task && task.type === 'fingerprint') return runFingerprintTask(task);
  if ('type' in task && task.type === 'stream') return runStreamTask(task);
  return runShardTask(task as ShardTask);
}
