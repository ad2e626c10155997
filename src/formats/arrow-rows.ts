/**
 * Columns of an Arrow IPC file read a range of rows at a time, from disk: of each record
 * batch, only the buffers of the columns asked for, and of those only the bytes of the
 * rows asked for, are read, and handed to apache-arrow as a small stream of their own (the
 * schema of those columns, their dictionaries, and one record batch). Memory is a piece,
 * whatever the file's size: paranom writes a shard as one record batch, so reading a
 * batch at a time held the whole shard.
 *
 * Cut this way: flat columns of booleans, integers, floats, dates, timestamps and
 * dictionary indices, in an uncompressed file of a flat schema (the file format, with its
 * footer). Any other file is read a whole record batch at a time (forEachArrowBatch).
 */
import { DateUnit, Message, RecordBatchReader, Schema, Type, type DataType, type RecordBatch } from 'apache-arrow';
import { BufferRegion, FieldNode, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { arrowFileLayout, forEachArrowBatch, framed, messageAt, readAt, schemaMessage, withFile } from './arrow-batches.js';

/** How each buffer of a column is cut to a range of rows: a bit per row, or bytes per row. */
type Cut = 'bits' | number;

/** The buffers of a flat column of type `t` in a record batch and how each is cut, or undefined for a type not cut here. */
function cutsOf(t: DataType): Cut[] | undefined {
  switch (t.typeId) {
    case Type.Bool:
      return ['bits', 'bits'];
    case Type.Int:
      return ['bits', (t as unknown as { bitWidth: number }).bitWidth / 8];
    case Type.Float:
      return ['bits', (t as unknown as { ArrayType: { BYTES_PER_ELEMENT: number } }).ArrayType.BYTES_PER_ELEMENT];
    case Type.Timestamp:
      return ['bits', 8];
    case Type.Date:
      return ['bits', (t as unknown as { unit: DateUnit }).unit === DateUnit.DAY ? 4 : 8];
    case Type.Dictionary:
      return ['bits', (t as unknown as { indices: { bitWidth: number } }).indices.bitWidth / 8];
    default:
      return undefined;
  }
}

/** How many buffers a column of type `t` has in a record batch (to find the next column's), or undefined for a nested one. */
function bufferCount(t: DataType): number | undefined {
  if (t.typeId === Type.Null) return 0;
  if (t.typeId === Type.Utf8 || t.typeId === Type.Binary || t.typeId === Type.LargeUtf8 || t.typeId === Type.LargeBinary) return 3;
  return cutsOf(t)?.length;
}

/** Zero bits among the first `n` bits of `bits`: the nulls of a validity bitmap. */
function zeroBits(bits: Uint8Array, n: number): number {
  let ones = 0;
  for (let i = 0; i < n; i++) ones += (bits[i >> 3]! >> (i & 7)) & 1;
  return n - ones;
}

/**
 * Reads `columns` of the Arrow IPC file at `path`, `rows` rows at a time (a multiple of 8;
 * the last piece of each record batch shorter), in row order: `fn(batch, firstRow)` per
 * piece. Returns the row count.
 */
export function forEachArrowRows(path: string, columns: readonly string[], rows: number, fn: (batch: RecordBatch, firstRow: number) => void): number {
  if (rows <= 0 || rows % 8 !== 0) throw new RangeError(`rows per piece ${rows} is not a positive multiple of 8`);
  const read = withFile(path, (fd) => {
    const l = arrowFileLayout(fd);
    if (!l.footer) return undefined;
    const fields = l.footer.schema.fields;
    const cuts = fields.map((f) => cutsOf(f.type));
    const counts = fields.map((f) => bufferCount(f.type));
    const keep = columns.map((c) => fields.findIndex((f) => f.name === c));
    if (keep.some((k) => k < 0 || !cuts[k]) || counts.some((c) => c === undefined)) return undefined;
    const kept = [...new Set(keep)].sort((x, y) => x - y);
    const blocks = [...l.footer.recordBatches()].map((block) => {
      const m = messageAt(fd, Number(block.offset), l.to);
      if (!m?.isRecordBatch()) throw new RangeError(`no record batch at byte ${block.offset}, where its footer places one`);
      return { header: m.header(), body: Number(block.offset) + block.metaDataLength };
    });
    if (blocks.some((b) => b.header.compression || b.header.nodes.length !== fields.length)) return undefined;
    // The first buffer of each column, and the dictionaries of the kept ones (as their messages are written).
    const firstBuffer: number[] = [];
    counts.reduce<number>((at, c) => (firstBuffer.push(at), at + c!), 0);
    const ids = new Set(kept.flatMap((k) => (fields[k]!.type.typeId === Type.Dictionary ? [(fields[k]!.type as unknown as { id: number }).id] : [])));
    const dictionaries = [...l.footer.dictionaryBatches()].flatMap((block) => {
      const m = messageAt(fd, Number(block.offset), l.to);
      if (!m?.isDictionaryBatch()) throw new RangeError(`no dictionary batch at byte ${block.offset}, where its footer places one`);
      return ids.has(Number(m.header().id)) ? [readAt(fd, Number(block.offset), block.metaDataLength + Number(block.bodyLength))] : [];
    });
    const head = [schemaMessage(new Schema(kept.map((k) => fields[k]!), l.footer.schema.metadata)), ...dictionaries];
    let row = 0;
    let scratch = new Uint8Array(0);
    for (const { header, body } of blocks) {
      const n = Number(header.length);
      for (let from = 0; from < n; from += rows) {
        const count = Math.min(rows, n - from);
        const regions: BufferRegion[] = [];
        const parts: Array<{ at: number; length: number }> = [];
        let bodyLength = 0;
        const place = (at: number, length: number) => {
          regions.push(new BufferRegion(bodyLength, length));
          parts.push({ at, length });
          bodyLength += (length + 7) & ~7;
        };
        // Where each kept column's validity bitmap is among the regions read.
        const validityAt: number[] = [];
        for (const k of kept) {
          validityAt.push(regions.length);
          cuts[k]!.forEach((cut, i) => {
            const region = header.buffers[firstBuffer[k]! + i]!;
            // A buffer left out (a validity bitmap of a column without nulls) stays out.
            if (Number(region.length) === 0) return place(0, 0);
            const [lo, hi] = cut === 'bits' ? [from >> 3, (from + count + 7) >> 3] : [from * cut, (from + count) * cut];
            if (hi > Number(region.length)) throw new RangeError(`column '${fields[k]!.name}' has a buffer of ${Number(region.length)} bytes, too short for its ${n} rows`);
            place(body + Number(region.offset) + lo, hi - lo);
          });
        }
        // One buffer for every piece's body: a piece's batch is done with when `fn` returns.
        if (scratch.length < bodyLength) scratch = new Uint8Array(bodyLength);
        const bytes = scratch.subarray(0, bodyLength);
        parts.forEach((p, i) => {
          if (p.length > 0) readAt(fd, p.at, p.length, bytes, Number(regions[i]!.offset));
        });
        // Nulls counted in the rows read: a batch's count is of all its rows.
        const nodes = kept.map((k, j) => {
          const v = regions[validityAt[j]!]!;
          const none = Number(header.nodes[k]!.nullCount) === 0 || Number(v.length) === 0;
          return new FieldNode(count, none ? 0 : zeroBits(bytes.subarray(Number(v.offset)), count));
        });
        const meta = Message.encode(Message.from(new BatchHeader(count, nodes, regions, null), bodyLength));
        for (const batch of RecordBatchReader.from([...head, framed(meta), bytes])) fn(batch, row + from);
      }
      row += n;
    }
    return row;
  });
  return read ?? forEachArrowBatch(path, fn);
}
