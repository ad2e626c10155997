/** Piscina entry: a task is one shard, the uniqueness fingerprint pass over one shard's rows, one block of a stream, or loading a scenario's inputs. */
import { runFingerprintTask, runLoadTask, runShardTask, type FingerprintResult, type FingerprintTask, type LoadTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';
import { runStreamTask, type StreamTask } from '../src/run/stream-task.js';

export default function shardWorker(task: ShardTask | FingerprintTask | StreamTask | LoadTask): Promise<ShardResult | FingerprintResult | unknown> {
  if ('type' in task && task.type === 'fingerprint') return runFingerprintTask(task);
  if ('type' in task && task.type === 'stream') return runStreamTask(task);
  if ('type' in task && task.type === 'load') return runLoadTask(task);
  return runShardTask(task as ShardTask);
}
