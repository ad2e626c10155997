/**
 * An Arrow IPC file (or stream) read one record batch at a time, from disk: memory is the
 * batch being read and a 16 MiB piece of the file, whatever the file's size (handing
 * apache-arrow the whole file holds all of it, and every column it decodes).
 *
 * The file format is the stream format between a leading magic and a trailing footer, so
 * the stream between them is fed, piece by piece, to apache-arrow's stream reader. Writers
 * differ on whether that stream opens with its schema message (pyarrow's does;
 * apache-arrow's own file writer keeps the schema in the footer only): when it does not,
 * the footer's schema is encoded as that first message.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Message, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';

const MAGIC = 'ARROW1';
/** The trailing footer length (int32) and magic. */
const TAIL = 10;
/** Bytes read from the disk at a time. */
const PIECE = 16 * 2 ** 20;

/** What `arrowFileHead` finds at the ends of a file. */
export interface ArrowFileHead {
  columns: string[];
  /** The rows of all record batches (from their message headers), or undefined for a stream, whose batches are counted only by reading them. */
  rows: number | undefined;
}

/** Bytes [at, at + length) of the file, into `into` at `offset` when given. */
export function readAt(fd: number, at: number, length: number, into?: Uint8Array, offset = 0): Uint8Array {
  const b = into ?? new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, b, offset + done, length - done, at + done);
    if (n === 0) throw new RangeError('the file ends early');
    done += n;
  }
  return b;
}

function int32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getInt32(0, true);
}

/** The message at `at`: its metadata decoded (after the continuation marker, if any). */
export function messageAt(fd: number, at: number, size: number): Message | null {
  if (at + 8 > size) return null;
  const prefix = readAt(fd, at, 8);
  const legacy = int32(prefix, 0) !== -1;
  const length = legacy ? int32(prefix, 0) : int32(prefix, 4);
  if (length <= 0) return null;
  const start = at + (legacy ? 4 : 8);
  if (start + length > size) throw new RangeError(`a message at byte ${at} runs past the end of the file`);
  return Message.decode(readAt(fd, start, length));
}

export interface ArrowFileLayout {
  /** The stream's bytes [from, to) in the file. */
  from: number;
  to: number;
  /** The footer's schema when the stream does not open with one; undefined for a stream file or one that does. */
  schemaFirst: Schema | undefined;
  footer: Footer | undefined;
}

function isFileFormat(fd: number, size: number): boolean {
  return size >= 2 * 8 + TAIL && Buffer.from(readAt(fd, 0, 6)).toString('latin1') === MAGIC && Buffer.from(readAt(fd, size - 6, 6)).toString('latin1') === MAGIC;
}

export function arrowFileLayout(fd: number): ArrowFileLayout {
  const size = fstatSync(fd).size;
  if (!isFileFormat(fd, size)) return { from: 0, to: size, schemaFirst: undefined, footer: undefined };
  const footerLength = int32(readAt(fd, size - TAIL, 4), 0);
  const to = size - TAIL - footerLength;
  if (footerLength <= 0 || to < 8) throw new RangeError(`its footer length ${footerLength} does not fit in a file of ${size} bytes`);
  const footer = Footer.decode(readAt(fd, to, footerLength));
  const first = messageAt(fd, 8, to);
  return { from: 8, to, schemaFirst: first?.isSchema() ? undefined : footer.schema, footer };
}

/** A stream message: continuation marker, metadata length, metadata padded to 8 bytes. */
export function framed(metadata: Uint8Array): Uint8Array {
  const padded = (metadata.byteLength + 8 + 7) & ~7;
  const out = new Uint8Array(padded);
  const view = new DataView(out.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, padded - 8, true);
  out.set(metadata, 8);
  return out;
}

/** A schema as the first message of a stream. */
export function schemaMessage(schema: Schema): Uint8Array {
  return framed(Message.encode(Message.from(schema)));
}

function* pieces(fd: number, l: ArrowFileLayout): Generator<Uint8Array> {
  if (l.schemaFirst) yield schemaMessage(l.schemaFirst);
  for (let at = l.from; at < l.to; at += PIECE) yield readAt(fd, at, Math.min(PIECE, l.to - at));
}

export function withFile<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** A file's column names, and its row count when it is in the file format (from each batch's header, not its data). */
export function arrowFileHead(path: string): ArrowFileHead {
  return withFile(path, (fd) => {
    const l = arrowFileLayout(fd);
    if (!l.footer) {
      const reader = RecordBatchReader.from(pieces(fd, l));
      reader.open();
      if (!reader.schema) throw new RangeError('no Arrow schema at its start');
      return { columns: reader.schema.fields.map((f) => f.name), rows: undefined };
    }
    let rows = 0;
    for (const block of l.footer.recordBatches()) {
      const m = messageAt(fd, Number(block.offset), l.to);
      if (!m?.isRecordBatch()) throw new RangeError(`no record batch at byte ${block.offset}, where its footer places one`);
      rows += Number(m.header().length);
    }
    return { columns: l.footer.schema.fields.map((f) => f.name), rows };
  });
}

/**
 * Calls `fn(batch, first)` for each record batch in order, `first` its first row; returns
 * the rows read. Only the batch being read is held.
 */
export function forEachArrowBatch(path: string, fn: (batch: RecordBatch, first: number) => void): number {
  return withFile(path, (fd) => {
    const reader = RecordBatchReader.from(pieces(fd, arrowFileLayout(fd)));
    reader.open();
    let rows = 0;
    for (const batch of reader) {
      fn(batch, rows);
      rows += batch.numRows;
    }
    return rows;
  });
}
