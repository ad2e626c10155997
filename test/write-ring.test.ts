/**
 * A file given as parts is written with O_DIRECT through a small ring of aligned chunks
 * (formats/write-ring.ts, files.ts): the file holds exactly the parts' bytes in order, each
 * byte is shown once, in order, to `see` (a worker's hash), the ring is reused when the
 * file is larger than it, and where the file system refuses O_DIRECT (tmpfs) or the
 * write is not direct the same bytes are written buffered. A failure leaves no file.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIRECT_ALIGN, writeFileAtomicAround, type FileParts } from '../src/formats/files.js';
import { WriteRing } from '../src/formats/write-ring.js';
import { tempDir } from './helpers.js';

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Parts of uneven sizes (empty ones, a few bytes, more than a chunk), and their bytes joined. */
function partsOf(sizes: readonly number[]): { parts: FileParts; whole: Buffer } {
  const parts = sizes.map((n) => randomFillSync(new Uint8Array(n)));
  return { parts, whole: Buffer.concat(parts) };
}

/** Writes `parts` through `ring`; what `see` was shown (joined, and how many calls), the landing awaited. */
async function writeParts(path: string, parts: FileParts, ring: WriteRing, during: () => unknown = () => 1) {
  const seen: Uint8Array[] = [];
  const { result, landing } = await writeFileAtomicAround(path, parts, during, { ring, see: (b) => seen.push(b.slice()) });
  await landing?.released;
  await landing?.durable;
  return { result, landing, seen: Buffer.concat(seen), calls: seen.length };
}

describe('writeFileAtomicAround of parts through a write ring', () => {
  // 1 MiB + a little in parts that cross chunk boundaries anywhere: a direct write's size.
  const { parts, whole } = partsOf([4, 0, 20_000, 300_000, 1, 0, 700_000, 12_345, 3 * DIRECT_ALIGN, 17, 60_000, 0]);

  it('writes exactly the parts in order, shown once each to `see`, through a ring smaller than the file', async () => {
    const dir = tempDir();
    // Two chunks of 64 KiB: the ring is filled again some 17 times for this file.
    const ring = new WriteRing(16 * DIRECT_ALIGN, 2);
    const { landing, seen, calls } = await writeParts(join(dir, 'a.bin'), parts, ring);
    // A disk file system takes O_DIRECT: the answer came with the write still to finish.
    expect(landing).not.toBeNull();
    expect(calls).toBe(Math.ceil(whole.length / (16 * DIRECT_ALIGN)));
    expect(digest(seen)).toBe(digest(whole));
    const file = readFileSync(join(dir, 'a.bin'));
    expect(file.length).toBe(whole.length);
    expect(digest(file)).toBe(digest(whole));
    expect(readdirSync(dir)).toEqual(['a.bin']);
    // The same ring again, for a shorter file over a longer one: no stale bytes remain.
    const short = partsOf([1 << 20, 5]);
    await writeParts(join(dir, 'a.bin'), short.parts, ring);
    expect(digest(readFileSync(join(dir, 'a.bin')))).toBe(digest(short.whole));
  });

  it('writes a file smaller than the ring, and one of a whole number of chunks', async () => {
    const dir = tempDir();
    for (const [name, sizes] of [['small.bin', [(1 << 20) + 3]], ['whole.bin', [1 << 20, 1 << 20]]] as const) {
      const f = partsOf(sizes);
      const { seen } = await writeParts(join(dir, name), f.parts, new WriteRing());
      expect(digest(seen)).toBe(digest(f.whole));
      expect(digest(readFileSync(join(dir, name)))).toBe(digest(f.whole));
    }
    expect(readdirSync(dir).sort()).toEqual(['small.bin', 'whole.bin']);
  });

  it('writes small files and files without a ring buffered, the same bytes, shown to `see` all the same', async () => {
    const dir = tempDir();
    const small = partsOf([10, 0, 4000]);
    const a = await writeParts(join(dir, 'small.bin'), small.parts, new WriteRing());
    expect(a.landing).toBeNull();
    expect(digest(a.seen)).toBe(digest(small.whole));
    expect(digest(readFileSync(join(dir, 'small.bin')))).toBe(digest(small.whole));
    const seen: Uint8Array[] = [];
    const b = await writeFileAtomicAround(join(dir, 'noring.bin'), parts, () => 2, { see: (x) => seen.push(x.slice()) });
    expect(b).toEqual({ result: 2, landing: null });
    expect(digest(Buffer.concat(seen))).toBe(digest(whole));
    expect(digest(readFileSync(join(dir, 'noring.bin')))).toBe(digest(whole));
  });

  it('leaves no file when `during` or `see` fails, and no temporary when the write fails', async () => {
    const dir = tempDir();
    const ring = new WriteRing(16 * DIRECT_ALIGN, 2);
    await expect(
      writeParts(join(dir, 'd.bin'), parts, ring, () => {
        throw new Error('task failed');
      }),
    ).rejects.toThrow('task failed');
    let shown = 0;
    await expect(
      writeFileAtomicAround(join(dir, 's.bin'), parts, () => 1, {
        ring,
        see: () => {
          if (++shown === 3) throw new Error('hash failed');
        },
      }),
    ).rejects.toThrow('hash failed');
    expect(readdirSync(dir)).toEqual([]);
    // The rename fails (its directory is gone): durable rejects, nothing is left behind.
    const sub = join(dir, 'sub');
    const late = await writeFileAtomicAround(join(sub, 'g.bin'), parts, () => rmSync(sub, { recursive: true, force: true }), { ring });
    expect(late.landing).not.toBeNull();
    await late.landing!.released;
    await expect(late.landing!.durable).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
    // The ring is whole again for the next file.
    const { seen } = await writeParts(join(dir, 'h.bin'), parts, ring);
    expect(digest(seen)).toBe(digest(whole));
    expect(digest(readFileSync(join(dir, 'h.bin')))).toBe(digest(whole));
  });

  it('refuses a ring of chunks that are not whole blocks', () => {
    expect(() => new WriteRing(DIRECT_ALIGN + 512, 2)).toThrow(/whole 4096-byte blocks/);
    expect(() => new WriteRing(DIRECT_ALIGN, 0)).toThrow(/at least one/);
  });

  const shm = '/dev/shm';
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it.runIf(existsSync(shm))('falls back to a buffered write of the parts where O_DIRECT is refused (tmpfs)', async () => {
    const dir = mkdtempSync(join(shm, 'paranom-test-'));
    dirs.push(dir);
    const { result, seen } = await writeParts(join(dir, 'e.bin'), parts, new WriteRing(16 * DIRECT_ALIGN, 2), () => 7);
    expect(result).toBe(7);
    expect(digest(seen)).toBe(digest(whole));
    expect(digest(readFileSync(join(dir, 'e.bin')))).toBe(digest(whole));
    expect(readdirSync(dir)).toEqual(['e.bin']);
  });
});
