/**
 * Names paranom makes from a user's file name by adding to it (a temporary beside the file,
 * a staging folder beside a model) must fit the file-name limit too: a name the user may
 * use, up to 255 bytes, would otherwise fail only once the work was done, with an error
 * about a name the user never gave.
 */
import { createHash } from 'node:crypto';

/** The most bytes of one file name on the usual file systems (ext4, XFS, Btrfs, tmpfs, ZFS, APFS). */
export const NAME_MAX = 255;

/**
 * `name` as the start of a name that adds at most `extra` bytes to it: `name` itself when
 * the whole fits NAME_MAX, else as many of its first characters as fit (never a character
 * cut in two) and `~` with a hash of all of it, so two long names still differ.
 */
export function fittedStem(name: string, extra: number): string {
  if (Buffer.byteLength(name) + extra <= NAME_MAX) return name;
  const hash = `~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  let kept = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch);
    if (bytes + n + hash.length + extra > NAME_MAX) break;
    kept += ch;
    bytes += n;
  }
  return kept + hash;
}
