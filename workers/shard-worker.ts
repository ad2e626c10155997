/** Piscina entry: a task is one shard, or the uniqueness fingerprint pass over one shard's rows. */
import { runFingerprintTask, runShardTask, type FingerprintResult, type FingerprintTask, type ShardResult, type ShardTask } from '../src/run/shard-task.js';

export default function shardWorker(task: ShardTask | FingerprintTask): Promise<ShardResult | FingerprintResult> {
  return 'type' in task && task.type === 'fingerprint' ? runFingerprintTask(task) : runShardTask(task as ShardTask);
}
