/**
 * What a page fault costs on this machine: the first write to each 4 KiB page of fresh
 * memory, less a second pass over the same pages (the loop itself), in µs per page — on
 * one thread, and on two threads at once (faults of one process that serialize in the
 * kernel or the hypervisor show there as a higher cost each).
 *
 * A shard's buffers (its columns, the file's bytes) are touched fresh once per worker and
 * reused after; this figure times the run's minor page faults (bench/phases.ts), so the
 * phases table says how much of the CPU they took. On a virtual machine whose guest page
 * faults exit to the hypervisor it is many times a bare machine's.
 */
import { Worker } from 'node:worker_threads';

/** The measurement, as the body of a worker (or of this thread): µs per page. */
const BODY = `
function firstTouch(bytes) {
  const a = new Uint8Array(bytes); // calloc'd: its pages are not mapped until written
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < bytes; i += 4096) a[i] = 1;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < bytes; i += 4096) a[i] = 2;
  const t2 = process.hrtime.bigint();
  return Number(t1 - t0 - (t2 - t1)) / 1000 / (bytes / 4096);
}`;

function inWorker(bytes: number): Promise<number> {
  const src = `${BODY}\nrequire('node:worker_threads').parentPort.postMessage(firstTouch(${bytes}));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(src, { eval: true });
    w.once('message', (us: number) => {
      resolve(us);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

export interface FirstTouch {
  /** µs per fresh page, one thread. */
  one: number;
  /** µs per fresh page on each of two threads faulting at the same time (their mean). */
  two: number;
}

/** Median of `reps` measurements of `mb` MiB per thread, on one thread and on two at once. */
export async function measureFirstTouch(mb = 128, reps = 3): Promise<FirstTouch> {
  const bytes = mb * 1024 * 1024;
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < reps; r++) {
    one.push(await inWorker(bytes));
    const pair = await Promise.all([inWorker(bytes), inWorker(bytes)]);
    two.push((pair[0]! + pair[1]!) / 2);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { one: median(one), two: median(two) };
}
