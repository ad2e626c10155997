/**
 * An external sort of more records than memory should hold: records come in any order and
 * are held up to a count; then they are sorted and written out as a sorted run, a file of
 * frames (a length, then a few hundred records). At the end the runs, and the records still
 * held, are merged FAN_IN at a time into one stream in order: memory is the held records and
 * a frame per merged run, however many records pass.
 *
 * Run files are temporaries of the run's own name beside a file it writes
 * (formats/unique-temp.ts: `FILE.paranom-<host>-<pid>-<random>.tmp`), so the output
 * directory's ownership rules know them as paranom's, and what a killed run left is removed
 * by the next run (`removeAbandonedTemps`). Records are written with v8's serializer, which
 * gives every value back as it was (NaN, -0, an absent field and one set to undefined).
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { uniqueTempName } from '../formats/unique-temp.js';

/** Records per frame of a run file: what a merge holds of each run. */
const FRAME = 256;
/** Runs merged at once; more are merged into longer runs first. */
const FAN_IN = 32;

/** Records sorted with the help of run files beside `beside`. */
export class ExternalSort<T> {
  private held: T[] = [];
  private readonly runs: string[] = [];
  /** Run files written so far (merges of runs included). */
  spilled = 0;

  constructor(
    /** The file whose temporaries the runs are named as. */
    private readonly beside: string,
    /** A total order: no two records compare equal, so the merge gives the one sorted order. */
    private readonly compare: (a: T, b: T) => number,
    /** Records held before they are written out as a run. */
    private readonly limit: number,
  ) {}

  add(record: T): void {
    this.held.push(record);
    if (this.held.length >= this.limit) {
      this.held.sort(this.compare);
      this.writeRun(this.held);
      this.held = [];
    }
  }

  /** Every record added, in order; the run files are removed as the stream ends. */
  *sorted(): Generator<T> {
    try {
      this.held.sort(this.compare);
      while (this.runs.length > FAN_IN) {
        // The group stays listed until its merge is written, so a failed write (a full
        // disk) still removes every run file, the group's included.
        const group = this.runs.slice(0, FAN_IN);
        this.writeRun(merge(group.map((p) => readRun<T>(p)), this.compare));
        this.runs.splice(0, FAN_IN);
        for (const p of group) rmSync(p, { force: true });
      }
      const held = this.held;
      this.held = [];
      yield* merge([held[Symbol.iterator](), ...this.runs.map((p) => readRun<T>(p))], this.compare);
    } finally {
      this.remove();
    }
  }

  /** Removes the run files and forgets what is held (a finished or failed sort). */
  remove(): void {
    for (const p of this.runs.splice(0)) rmSync(p, { force: true });
    this.held = [];
  }

  /** Writes `records` (in order) as a new run file. */
  private writeRun(records: Iterable<T>): void {
    const path = uniqueTempName(this.beside);
    // Listed before it is created: a failure while writing still removes it.
    this.runs.push(path);
    this.spilled++;
    const fd = openSync(path, 'wx');
    try {
      let frame: T[] = [];
      for (const r of records) {
        frame.push(r);
        if (frame.length === FRAME) {
          writeFrame(fd, frame);
          frame = [];
        }
      }
      if (frame.length > 0) writeFrame(fd, frame);
    } finally {
      closeSync(fd);
    }
  }
}

function writeFrame(fd: number, records: unknown[]): void {
  const body = serialize(records);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  writeAll(fd, head);
  writeAll(fd, body);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** The records of a run file, a frame at a time. */
function* readRun<T>(path: string): Generator<T> {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    for (let pos = 0; ; ) {
      if (readFull(fd, head, pos) < 4) return;
      const body = Buffer.alloc(head.readUInt32LE(0));
      if (readFull(fd, body, pos + 4) < body.length) throw new Error(`${path}: a run file ends inside a frame`);
      pos += 4 + body.length;
      yield* deserialize(body) as T[];
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads up to `into.length` bytes at `pos`; fewer only at the end of the file. */
function readFull(fd: number, into: Buffer, pos: number): number {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The k-way merge of sorted sources, through a binary heap of their heads. */
function* merge<T>(sources: Iterator<T>[], compare: (a: T, b: T) => number): Generator<T> {
  const heap: Array<{ head: T; from: Iterator<T> }> = [];
  const less = (i: number, j: number) => compare(heap[i]!.head, heap[j]!.head) < 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const from of sources) {
    const n = from.next();
    if (n.done) continue;
    heap.push({ head: n.value, from });
    for (let i = heap.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
  }
  try {
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.head;
      const n = top.from.next();
      if (n.done) {
        const last = heap.pop()!;
        if (heap.length === 0) return;
        heap[0] = last;
      } else top.head = n.value;
      down(0);
    }
  } finally {
    // A merge left before its end closes the run files it still reads.
    for (const h of heap) h.from.return?.();
  }
}
