/** Arrow IPC file encoding (the `.arrow` / Feather v2 format). */
import { tableToIPC, type Table } from 'apache-arrow';

export function encodeArrowIPC(table: Table): Uint8Array {
  return tableToIPC(table, 'file');
}
