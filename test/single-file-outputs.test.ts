/**
 * Single files paranom writes among the user's own — a report page, a stream's segment
 * table (--labels-to), a VAE model — in places that fail them, on real file systems (small
 * tmpfs mounts: the test needs root, as CI has; it fails, never skips, without). A place
 * that cannot be written (read-only, or a file where a folder should be) is refused before
 * any work, exit 2, naming the option and the place; a full disk stops the write with a
 * message naming the file (standard output, for a stream) and ENOSPC, and leaves no
 * temporary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { CLI, cliProcess, expectClean, tinyScenario, writeScenario } from './reliability-helpers.js';

const mounted: string[] = [];
function mount(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounted.push(dir);
}
afterAll(() => {
  for (const d of mounted.reverse()) execFileSync('umount', [d]);
});

const VAE = ['--data', join(import.meta.dirname, 'fixtures/vae/nyc_taxi_6w.csv'), '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--backend', 'cpu'];

describe('single-file outputs in places that fail them', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(100_000));
  const ds = join(base, 'ds');
  const stream = (labels: string) => ['generate', scenario, '--stdout', '--rows', '1000', '--labels-to', labels];

  it('a dataset to report on', () => {
    expect(cliProcess(['generate', scenario, '--out', ds, '--workers', '1']).code).toBe(0);
  });

  it('a file where the folder should be, or a read-only place: refused before any work, exit 2, naming the option and the place', () => {
    const file = join(base, 'notes.txt');
    writeFileSync(file, 'my notes');
    const ro = join(base, 'ro');
    mount(ro, 'size=1m,ro');
    for (const [args, where] of [
      [['report', ds, '--out', join(file, 'r.html')], /--out '.*notes\.txt' is a file, not a directory/],
      [stream(join(file, 'l.parquet')), /--labels-to '.*notes\.txt' is a file, not a directory/],
      [['train-vae', ...VAE, '--out', join(file, 'sub', 'model')], /--out .*notes\.txt\/sub\/model cannot be created: .*notes\.txt is a file, not a directory/],
      [['report', ds, '--out', join(ro, 'r.html')], /--out '.*\/ro' cannot be written \(read-only file system\)/],
      [['report', ds, '--out', join(ro, 'new', 'r.html')], /--out '.*\/ro\/new' cannot be created: .*\/ro cannot be written \(read-only file system\)/],
      [stream(join(ro, 'l.parquet')), /--labels-to '.*\/ro' cannot be written \(read-only file system\)/],
      [['train-vae', ...VAE, '--out', join(ro, 'new', 'model')], /--out .*\/ro\/new\/model cannot be written: .*\/ro cannot be written \(read-only file system\)/],
    ] as const) {
      const r = cliProcess([...args]);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err, args[0]).toMatch(where);
      // Before any work: no report written, no row streamed, no epoch trained.
      expect(r.out, args[0]).toBe('');
      expect(r.err, args[0]).not.toMatch(/epoch/);
      expectClean(r);
    }
  }, 120_000);

  it('train-vae --out that is a mount point (a volume of its own): refused before training, exit 2 (before: trained, then an internal error, EBUSY, and the model lost); a folder inside it takes the model', () => {
    const volume = join(base, 'volume');
    mount(volume, 'size=4m');
    const r = cliProcess(['train-vae', ...VAE, '--out', volume]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/--out .*\/volume is a mount point/);
    expect(r.err).not.toMatch(/epoch/);
    expectClean(r);
    expect(readdirSync(base).filter((f) => f.includes('paranom'))).toEqual([]);
    const inside = cliProcess(['train-vae', ...VAE, '--out', join(volume, 'model')]);
    expect(inside.code, inside.err).toBe(0);
    expect(readdirSync(volume)).toEqual(['model']);
    // A folder of the same file system bind-mounted there keeps its device: refused too.
    const folder = join(base, 'models folder');
    const bound = join(base, 'bound here');
    mkdirSync(folder);
    mkdirSync(bound);
    execFileSync('mount', ['--bind', folder, bound]);
    mounted.push(bound);
    const b = cliProcess(['train-vae', ...VAE, '--out', bound]);
    expect(b.code, b.err).toBe(2);
    expect(b.err).toMatch(/--out .*\/bound here is a mount point/);
    expectClean(b);
    // It trains one model: about 20 s on a quiet machine, past 60 s under load.
  }, 180_000);

  it('an earlier page or merge that is a mount point (a file bind-mounted there): the message names it and EBUSY, no internal error, nothing changed or left', () => {
    for (const [file, args] of [
      ['page.html', (to: string) => ['report', ds, '--out', to]],
      ['all.parquet', (to: string) => ['merge', ds, '--to', to, '--force']],
    ] as const) {
      const to = join(base, file);
      expect(cliProcess(args(to)).code).toBe(0);
      const source = join(base, `source-${file}`);
      cpSync(to, source);
      execFileSync('mount', ['--bind', source, to]);
      mounted.push(to);
      const r = cliProcess(args(to));
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`paranom: ${to}: resource busy (a mount point, or a file in use) (EBUSY during rename)`);
      expectClean(r);
      expect(readFileSync(to)).toEqual(readFileSync(source));
      expect(readdirSync(base).filter((f) => f.includes('.paranom-'))).toEqual([]);
    }
    // Four reports and merges: about 30 s on a quiet machine.
  }, 180_000);

  it('a full disk: the message names the file and ENOSPC; no temporary is left', () => {
    const disk = join(base, 'full');
    mount(disk, 'size=64k');
    try {
      execFileSync('sh', ['-c', `head -c 1000000 /dev/zero > ${join(disk, 'filler')}`], { stdio: 'ignore' });
    } catch {
      // The file system is full, as wanted.
    }
    for (const [args, file] of [
      [['report', ds, '--out', join(disk, 'r.html')], 'r.html'],
      [stream(join(disk, 'l.parquet')), 'l.parquet'],
    ] as const) {
      const r = cliProcess([...args]);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`${join(disk, file)}: no space left on the device (ENOSPC`);
      expectClean(r);
      expect(readdirSync(disk)).toEqual(['filler']);
    }
    // Standard output redirected to a file there: its writes fail, and the message says
    // where they went — for a stream, for eval's JSON (before: exit 0 and an empty file)
    // and for --help (before: a stack trace).
    for (const [args, said] of [
      [['generate', scenario, '--stdout'], /writing the stream to standard output: no space left on the device \(ENOSPC\)/],
      [['eval', join(base, 'scores.csv'), '--labels', ds, '--json'], /writing to standard output: no space left on the device \(ENOSPC\)/],
      [['--help'], /writing to standard output: no space left on the device \(ENOSPC\)/],
    ] as const) {
      writeFileSync(join(base, 'scores.csv'), 'timestamp,score\n' + Array.from({ length: 1000 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()},${(i % 7) / 7}`).join('\n') + '\n');
      const fd = openSync(join(disk, 'out.txt'), 'w');
      try {
        const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 60_000 });
        expect(r.status, `${args[0]}: ${r.stderr}`).toBe(1);
        expect(r.stderr, args[0]).toMatch(said);
        expectClean({ code: r.status, out: '', err: r.stderr });
      } finally {
        closeSync(fd);
      }
    }
  }, 60_000);
});
