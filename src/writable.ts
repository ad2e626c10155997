/**
 * Whether this process may create files in a directory: what lets a command refuse a
 * read-only or foreign place (exit 2, naming it) before it trains, generates or writes
 * anything, instead of failing at its first write.
 */
import { accessSync, constants } from 'node:fs';

/** Why `dir` cannot be written — 'read-only file system' or 'permission denied' — or undefined when it can. */
export function unwritableReason(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    // Gone meanwhile, or not a directory: the caller's own checks say so.
    return undefined;
  }
}
