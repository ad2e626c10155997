/**
 * A Thrift compact-protocol struct read into a tree and written back: what rewriting a
 * Parquet footer needs (keep every field as it was, change a few integers, drop a few
 * fields, filter a list). Values that are not patched keep their original bytes.
 */
import { ByteSink } from './byte-sink.js';

/** A value: raw bytes (scalars, binary, maps), a struct's fields, or a list's items. */
export type TValue = { kind: 'raw'; bytes: Uint8Array } | { kind: 'struct'; fields: TField[] } | { kind: 'list'; type: number; elem: number; items: TValue[] };

/** A struct field; booleans carry their value in `type` (1 true, 2 false) and an empty raw value. */
export interface TField {
  id: number;
  type: number;
  value: TValue;
}

const T = { True: 1, False: 2, Byte: 3, I16: 4, I32: 5, I64: 6, Double: 7, Binary: 8, List: 9, Set: 10, Map: 11, Struct: 12 } as const;

class Reader {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.b.length) throw new RangeError('Thrift data ends early');
    return this.b[this.pos++]!;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const x = this.byte();
      v += (x & 0x7f) * scale;
      if (x < 0x80) return v;
      scale *= 128;
    }
  }

  raw(from: number): TValue {
    return { kind: 'raw', bytes: this.b.subarray(from, this.pos) };
  }

  value(type: number, inList: boolean): TValue {
    const from = this.pos;
    switch (type) {
      case T.True:
      case T.False:
        if (inList) this.byte();
        return this.raw(from);
      case T.Byte:
        this.byte();
        return this.raw(from);
      case T.I16:
      case T.I32:
      case T.I64:
        this.varint();
        return this.raw(from);
      case T.Double:
        this.pos += 8;
        return this.raw(from);
      case T.Binary: {
        const length = this.varint(); // read before pos: `pos += varint()` would add to the old pos
        this.pos += length;
        return this.raw(from);
      }
      case T.List:
      case T.Set: {
        const h = this.byte();
        const size = h >> 4 === 15 ? this.varint() : h >> 4;
        const items: TValue[] = [];
        for (let k = 0; k < size; k++) items.push(this.value(h & 15, true));
        return { kind: 'list', type, elem: h & 15, items };
      }
      case T.Map: {
        const size = this.varint();
        if (size > 0) {
          const kv = this.byte();
          for (let k = 0; k < size; k++) {
            this.value(kv >> 4, true);
            this.value(kv & 15, true);
          }
        }
        return this.raw(from);
      }
      case T.Struct:
        return { kind: 'struct', fields: this.struct() };
      default:
        throw new RangeError(`unknown Thrift compact type ${type}`);
    }
  }

  struct(): TField[] {
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return fields;
      const type = h & 15;
      const delta = h >> 4;
      let id: number;
      if (delta > 0) id = last + delta;
      else {
        const z = this.varint();
        id = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      last = id;
      fields.push({ id, type, value: this.value(type, false) });
    }
  }
}

/** The struct at `start` of `bytes`. */
export function readThriftStruct(bytes: Uint8Array, start = 0): TField[] {
  return new Reader(bytes, start).struct();
}

function writeValue(out: ByteSink, v: TValue): void {
  if (v.kind === 'raw') {
    out.ensure(v.bytes.length);
    out.buf.set(v.bytes, out.pos);
    out.pos += v.bytes.length;
  } else if (v.kind === 'struct') writeFields(out, v.fields);
  else {
    const n = v.items.length;
    if (n < 15) out.byte((n << 4) | v.elem);
    else {
      out.byte(0xf0 | v.elem);
      out.varint(n);
    }
    for (const item of v.items) writeValue(out, item);
  }
}

function writeFields(out: ByteSink, fields: readonly TField[]): void {
  let last = 0;
  for (const f of fields) {
    const delta = f.id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | f.type);
    else {
      out.byte(f.type);
      out.varint(f.id >= 0 ? 2 * f.id : -2 * f.id - 1);
    }
    last = f.id;
    writeValue(out, f.value);
  }
  out.byte(0);
}

/** A struct's bytes. */
export function writeThriftStruct(fields: readonly TField[]): Uint8Array {
  const out = new ByteSink(1 << 12);
  writeFields(out, fields);
  return out.bytes();
}

/** The field `id` of a struct, if present. */
export function field(fields: readonly TField[], id: number): TField | undefined {
  return fields.find((f) => f.id === id);
}

/** An integer field's value (i16, i32, i64: exact up to 2^53). */
export function intOf(f: TField | undefined): number | undefined {
  if (!f || f.value.kind !== 'raw') return undefined;
  const r = new Reader(f.value.bytes, 0);
  const z = r.varint();
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** An integer value's bytes (zig-zag varint). */
export function intValue(v: number): TValue {
  const out = new ByteSink(10);
  out.varint(v >= 0 ? 2 * v : -2 * v - 1);
  return { kind: 'raw', bytes: out.bytes().slice() };
}

/** The struct items of a list field. */
export function structsOf(f: TField | undefined): TField[][] {
  if (!f || f.value.kind !== 'list') return [];
  return f.value.items.map((v) => (v.kind === 'struct' ? v.fields : []));
}

/** The struct fields of a struct field. */
export function structOf(f: TField | undefined): TField[] | undefined {
  return f && f.value.kind === 'struct' ? f.value.fields : undefined;
}
