/** Piscina entry: a task is one shard, the uniqueness fingerprint pass over one shard's rows, or loading a scenario's inputs. */
import { runFingerprintTask, runLoadTask, runShardTask, type FingerprintResult, type FingerprintTask, type LoadTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';

export default function shardWorker(task: ShardTask | FingerprintTask | LoadTask): Promise<ShardResult | FingerprintResult | Awaited<ReturnType<typeof runLoadTask>>> {
  if ('type' in task && task.type === 'fingerprint') return runFingerprintTask(task);
  if ('type' in task && task.type === 'load') return runLoadTask(task);
  return runShardTask(task as ShardTask);
}
