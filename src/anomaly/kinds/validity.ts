/**
 * Validity masks of nullable columns (the targets of `dropout`): 1 where the row holds a
 * value, 0 where it is missing. The shard pipeline owns the masks; callbacks that read an
 * earlier column look its mask up here, so a dropped value reads as null.
 */
import type { ColumnData } from '../../columns/columns.js';

const masks = new WeakMap<ColumnData, Uint8Array>();

export function setValidity(column: ColumnData, mask: Uint8Array): void {
  masks.set(column, mask);
}

/** The validity mask of a column, or undefined when the column is not nullable. */
export function validityOf(column: ColumnData): Uint8Array | undefined {
  return masks.get(column);
}

/** Marks a column as not nullable (its buffer may have been another column's before). */
export function clearValidity(column: ColumnData): void {
  masks.delete(column);
}
