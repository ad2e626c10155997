/** Piscina entry: each task is one shard (see src/run/shard-task.ts). */
import { runShardTask, type ShardTask, type ShardResult } from '../src/run/shard-task.js';

export default function shardWorker(task: ShardTask): Promise<ShardResult> {
  return runShardTask(task);
}
