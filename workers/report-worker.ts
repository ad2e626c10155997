/** Worker thread of `paranom report`: reduces its share of a dataset's shards and posts the state back. */
import { parentPort, workerData } from 'node:worker_threads';
import { ParanomError } from '../src/errors.js';
import { reduceShards, type ShardReduceTask } from '../src/report/dataset.js';

try {
  parentPort!.postMessage({ ok: true, state: reduceShards(workerData as ShardReduceTask).state() });
} catch (err) {
  const e = err instanceof ParanomError ? err : new ParanomError('DATASET_INVALID', (err as Error).message);
  parentPort!.postMessage({ ok: false, error: e.toData() });
}
