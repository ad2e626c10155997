/**
 * Large files from aligned buffers are written with O_DIRECT (formats/files.ts): the file
 * holds exactly the bytes given — not the padded last block — and where the file system
 * refuses O_DIRECT (tmpfs) the same bytes are written buffered.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedBytes, DIRECT_ALIGN, writeFileAtomic, writeFileAtomicAround } from '../src/formats/files.js';
import { tempDir } from './helpers.js';

/** `writeFileAtomicAround` until the file is in place; `during`'s result. */
async function writeWhile<T>(path: string, bytes: Uint8Array, during: () => T): Promise<T> {
  const { result, landing } = await writeFileAtomicAround(path, bytes, during);
  await landing?.durable;
  return result;
}

/** A digest (comparing megabytes element by element is slow in expect). */
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('writeFileAtomic from aligned buffers', () => {
  const n = 3 * (1 << 20) + 123; // not a whole number of blocks
  const buf = alignedBytes(n);
  randomFillSync(buf);
  const bytes = buf.subarray(0, n);

  it('gives aligned buffers with room for the padded last block', () => {
    expect(buf.length).toBeGreaterThanOrEqual(n + DIRECT_ALIGN);
    expect(buf.byteOffset).toBe(0);
  });

  it('writes exactly the given bytes, leaving no temporary', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'a.bin'), bytes);
    writeFileAtomic(join(dir, 'a.bin'), bytes.subarray(0, n - 7)); // replaced, shorter
    expect(readFileSync(join(dir, 'a.bin')).length).toBe(n - 7);
    expect(digest(readFileSync(join(dir, 'a.bin')))).toBe(digest(bytes.subarray(0, n - 7)));
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('runs a task while the file is written, returning its result; a failing task leaves no file', async () => {
    const dir = tempDir();
    expect(await writeWhile(join(dir, 'c.bin'), bytes, () => digest(bytes))).toBe(digest(bytes));
    expect(digest(readFileSync(join(dir, 'c.bin')))).toBe(digest(bytes));
    await expect(
      writeWhile(join(dir, 'd.bin'), bytes, () => {
        throw new Error('task failed');
      }),
    ).rejects.toThrow('task failed');
    expect(readdirSync(dir)).toEqual(['c.bin']);
  });

  it('answers while a direct write finishes: the file is in place once durable, and a failed write leaves no temporary', async () => {
    const dir = tempDir();
    const { result, landing } = await writeFileAtomicAround(join(dir, 'f.bin'), bytes, () => digest(bytes));
    expect(result).toBe(digest(bytes));
    // A disk file system takes O_DIRECT: the answer comes with the write still to finish.
    expect(landing).not.toBeNull();
    await landing!.released;
    await landing!.durable;
    expect(digest(readFileSync(join(dir, 'f.bin')))).toBe(digest(bytes));
    expect(readdirSync(dir)).toEqual(['f.bin']);
    // The rename fails (its directory is gone): durable rejects, nothing is left behind.
    const sub = join(dir, 'sub');
    const late = await writeFileAtomicAround(join(sub, 'g.bin'), bytes, () => rmSync(sub, { recursive: true, force: true }));
    expect(late.landing).not.toBeNull();
    await late.landing!.released;
    await expect(late.landing!.durable).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual(['f.bin']);
  });

  const shm = '/dev/shm';
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it.runIf(existsSync(shm))('falls back to a buffered write where O_DIRECT is refused (tmpfs)', async () => {
    const dir = mkdtempSync(join(shm, 'paranom-test-'));
    dirs.push(dir);
    writeFileAtomic(join(dir, 'b.bin'), bytes);
    expect(digest(readFileSync(join(dir, 'b.bin')))).toBe(digest(bytes));
    expect(await writeWhile(join(dir, 'e.bin'), bytes, () => 7)).toBe(7);
    expect(digest(readFileSync(join(dir, 'e.bin')))).toBe(digest(bytes));
    expect(readdirSync(dir).sort()).toEqual(['b.bin', 'e.bin']);
  });
});
