/**
 * A Thrift compact-protocol writer: just what Parquet's footer and page headers need
 * (structs, lists, i32, i64, binary/string, bool). Integers are JS numbers; i64 values
 * are exact up to 2^53, which covers every offset, size and count of a file.
 */
import { ByteSink } from './byte-sink.js';

/** Compact-protocol type ids. */
export const TType = { BoolTrue: 1, BoolFalse: 2, I32: 5, I64: 6, Binary: 8, List: 9, Struct: 12 } as const;
export type TType = (typeof TType)[keyof typeof TType];

const encoder = new TextEncoder();

/** Builds on the shard writer's byte sink: the same growable buffer and varints. */
export class ThriftWriter extends ByteSink {
  private last = 0;
  private readonly stack: number[] = [];

  constructor(initial = 256) {
    super(initial);
  }

  get length(): number {
    return this.pos;
  }

  override reset(): this {
    super.reset();
    this.last = 0;
    this.stack.length = 0;
    return this;
  }

  /** Zig-zag varint of a (safe) integer. */
  zigzag(v: number): void {
    this.varint(v >= 0 ? 2 * v : -2 * v - 1);
  }

  private header(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.last = id;
  }

  i32(id: number, v: number): this {
    this.header(id, TType.I32);
    this.zigzag(v);
    return this;
  }

  i64(id: number, v: number): this {
    this.header(id, TType.I64);
    this.zigzag(v);
    return this;
  }

  bool(id: number, v: boolean): this {
    this.header(id, v ? TType.BoolTrue : TType.BoolFalse);
    return this;
  }

  binary(id: number, v: Uint8Array | string): this {
    this.header(id, TType.Binary);
    this.rawBinary(v);
    return this;
  }

  /** A binary value without a field header (list elements). */
  rawBinary(v: Uint8Array | string): this {
    const b = typeof v === 'string' ? encoder.encode(v) : v;
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** An i32 without a field header (list elements). */
  rawI32(v: number): this {
    this.zigzag(v);
    return this;
  }

  /** Opens a struct field; close it with `end()`. */
  struct(id: number): this {
    this.header(id, TType.Struct);
    return this.begin();
  }

  /** Opens a struct without a field header (the top level, or a list element). */
  begin(): this {
    this.stack.push(this.last);
    this.last = 0;
    return this;
  }

  /** Closes the innermost struct. */
  end(): this {
    this.byte(0);
    this.last = this.stack.pop() ?? 0;
    return this;
  }

  /** A list field header; the caller then writes `size` raw elements. */
  list(id: number, elementType: TType, size: number): this {
    this.header(id, TType.List);
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
    return this;
  }
}
