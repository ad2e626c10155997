/**
 * Files named near the 255-byte limit of a file name. paranom writes a file among the
 * user's own under a temporary name beside it (the name and a suffix of ~42 bytes), and
 * a model in a staging folder named after it: for a long name those went past the limit,
 * and a name the user may use was refused with ENAMETOOLONG — naming the temporary, after
 * the work (a whole training, for a model). The temporary now shortens the name it starts
 * with, keeping a hash of all of it, and what a killed run left is still found by the next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonedTemps, isUniqueTempOf, uniqueTempName } from '../src/formats/unique-temp.js';
import { markedFolderName } from '../src/vae/marked-folder.js';
import { tempDir } from './helpers.js';
import { cliProcess, expectClean, ROOT, tinyScenario, writeScenario } from './reliability-helpers.js';

/** A name of `bytes` bytes ending in `ext`, of two-byte characters (a cut between bytes would show). */
const longName = (bytes: number, ext: string) => 'é'.repeat((bytes - Buffer.byteLength(ext)) / 2) + ext;
const NAME_MAX = 255;

describe('outputs named near the file-name limit', () => {
  const base = tempDir();
  const scenario = writeScenario(base, tinyScenario(100_000));
  const ds = join(base, 'ds');

  it('report, merge, --labels-to and train-vae write a 251-to-253-byte name, leaving nothing else', () => {
    expect(cliProcess(['generate', scenario, '--out', ds, '--workers', '1']).code).toBe(0);
    const dir = join(base, 'out');
    const vae = ['--data', join(import.meta.dirname, 'fixtures/vae/nyc_taxi_6w.csv'), '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--backend', 'cpu'];
    const names = { page: longName(251, '.html'), merged: longName(253, '.parquet'), labels: longName(251, '.parquet').replace(/^é/, 'l'), model: longName(252, '') };
    for (const args of [
      ['report', ds, '--out', join(dir, names.page)],
      ['merge', ds, '--to', join(dir, names.merged)],
      ['generate', scenario, '--stdout', '--rows', '1000', '--labels-to', join(dir, names.labels)],
      ['train-vae', ...vae, '--out', join(dir, names.model)],
    ]) {
      const r = cliProcess(args);
      expect(r.code, `${args[0]}: ${r.err}`).toBe(0);
      expectClean(r);
    }
    expect(readdirSync(dir).sort()).toEqual(Object.values(names).sort());
    expect(statSync(join(dir, names.model)).isDirectory()).toBe(true);
  }, 120_000);

  it('a temporary or staging folder of a long name fits the limit, starts with what it can of the name, and tells two long names apart', () => {
    const dir = tempDir();
    for (const bytes of [200, 213, 214, 240, 255]) {
      const file = join(dir, longName(bytes - (bytes % 2), '') + (bytes % 2 ? 'x' : ''));
      const tmp = basename(uniqueTempName(file));
      expect(Buffer.byteLength(tmp), tmp).toBeLessThanOrEqual(NAME_MAX);
      expect(isUniqueTempOf(tmp, basename(file))).toBe(true);
      expect(tmp.startsWith(basename(file).slice(0, 50))).toBe(true);
      for (const kind of ['training', 'previous']) expect(Buffer.byteLength(markedFolderName(file, kind, 4_194_304))).toBeLessThanOrEqual(NAME_MAX);
    }
    const a = join(dir, longName(250, '.html'));
    const b = join(dir, 'x' + longName(250, '.html').slice(1));
    expect(isUniqueTempOf(basename(uniqueTempName(a)), basename(b))).toBe(false);
    expect(markedFolderName(a, 'training', 1)).not.toBe(markedFolderName(b, 'training', 1));
  });

  it("a killed run's temporary of a long name is found as abandoned by the next run", () => {
    const dir = tempDir();
    const file = join(dir, longName(250, '.html'));
    // A process that makes its temporary and ends, as one killed while writing would leave it.
    const left = spawnSync(process.execPath, ['--input-type=module', '-e', `import { uniqueTempName } from '${join(ROOT, 'dist/src/formats/unique-temp.js')}'; process.stdout.write(uniqueTempName(process.argv[1]));`, file], { encoding: 'utf8' });
    expect(left.status, left.stderr).toBe(0);
    writeFileSync(left.stdout, 'half');
    expect(abandonedTemps(file)).toEqual([left.stdout]);
    expect(existsSync(left.stdout)).toBe(true);
  });
});
