/**
 * A run's failures for lack of room met past its shards — writing the segment table or the
 * manifest, which no shard task wraps — are said as a shard's are: the file, the disk being
 * full, and what to do (before: "manifest.json.pending: no space left on the device (ENOSPC
 * during write)", with nothing to do said).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockedRun } from '../src/run/locked-run.js';
import { tempDir } from './helpers.js';

const fullDisk = (path?: string) => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', ...(path ? { path } : {}) });

describe('lockedRun', () => {
  it('a full disk past the shards names the file, ENOSPC, and running the same command again', async () => {
    const out = join(tempDir(), 'ds');
    const file = join(out, 'manifest.json.pending');
    await expect(lockedRun(out, null, 'grow', () => Promise.reject(fullDisk(file)))).rejects.toThrow(`writing ${file}: no space left on the device (ENOSPC); free some space and run the same command again`);
    // A write's own error names no file: then the dataset's directory.
    await expect(lockedRun(out, null, 'grow', () => Promise.reject(fullDisk()))).rejects.toThrow(`writing ${out}: no space left on the device (ENOSPC)`);
  });

  it('other failures pass as they are', async () => {
    const out = join(tempDir(), 'ds');
    const other = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    await expect(lockedRun(out, null, 'grow', () => Promise.reject(other))).rejects.toBe(other);
  });
});
