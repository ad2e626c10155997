/**
 * `paranom train-vae` from the command line: epoch progress with loss terms, the summary,
 * the model files; user mistakes exit 2 with a message and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { readVaeMeta } from '../src/vae/model.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'dist/src/cli/main.js');
const DATA = join(root, 'test/fixtures/vae/nyc_taxi_6w.csv');

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

describe('paranom train-vae', () => {
  it('trains, prints each epoch with reconstruction and KL terms, and writes the model', () => {
    const out = join(tempDir(), 'm');
    const r = run(['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '2', '--seed', '5', '--out', out, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/epoch 1\/2 {2}recon [\d.]+ {2}kl [\d.]+ {2}loss [\d.]+ {2}│ val recon [\d.]+ {2}kl [\d.]+ {2}loss [\d.]+/);
    expect(r.stderr).toMatch(/epoch 2\/2/);
    expect(r.stdout).toMatch(/trained on nyc_taxi_6w\.csv: value, \d+ training and \d+ validation windows of 48 rows/);
    expect(r.stdout).toMatch(/latent: 3 dimensions, \d active; radius of training codes: median/);
    for (const f of ['vae.json', 'decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it("--hidden none trains a model without a hidden layer (an empty --hidden is refused below)", () => {
    const out = join(tempDir(), 'linear');
    const r = run(['train-vae', '--data', DATA, '--window', '16', '--latent', '2', '--hidden', 'none', '--epochs', '1', '--backend', 'cpu', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'vae.json'), 'utf8')).architecture.hidden).toEqual([]);
  });

  it('reads its number options strictly: a flag without its value, 0x10, abc or Infinity is refused quoting it, and nothing is written (before: the default, 16, NaN)', () => {
    const base = tempDir();
    for (const [args, message] of [
      [['--epochs'], /--epochs needs a value: a decimal number/],
      [['--window', '0x10'], /--window takes a decimal number, got '0x10'/],
      [['--latent', 'abc'], /--latent takes a decimal number, got 'abc'/],
      [['--learning-rate', 'Infinity'], /--learning-rate takes a decimal number, got 'Infinity'/],
      [['--seed', '1', '--seed', '2'], /--seed is given 2 times; give it once/],
      [['--patience', '--epochs', '1'], /--patience needs a value/],
    ] as const) {
      const out = join(base, `m-${args[0].slice(2)}-${args.length}`);
      const r = run(['train-vae', '--data', DATA, ...args, '--backend', 'cpu', '--out', out]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('exits 2 with a clear message on a missing column or a bad option', () => {
    const out = join(tempDir(), 'm');
    const a = run(['train-vae', '--data', DATA, '--columns', 'speed', '--out', out]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/nyc_taxi_6w\.csv has no column 'speed'; its columns are: timestamp, value/);
    expect(a.stderr).not.toMatch(/\n\s+at /);
    const b = run(['train-vae', '--data', DATA, '--window', '1', '--out', out]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--window must be an integer from 2/);
    const d = run(['train-vae', '--data', DATA, '--window', '50', '--downsample', '4', '--out', out]);
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/^paranom: --window must be a multiple of --downsample .*; use --window 52\n$/);
    // The bound is half the window, and said to be (before: 'from 1 to 32, got 40', the 32 unexplained).
    const big = run(['train-vae', '--data', DATA, '--downsample', '40', '--out', out]);
    expect([big.status, big.stderr]).toEqual([2, 'paranom: --downsample must be an integer from 1 to 32, half the --window of 64 rows (a window holds at least 2 blocks), got 40; for --downsample 40, use a --window of at least 80 (a multiple of 40)\n']);
    const zero = run(['train-vae', '--data', DATA, '--window', '100', '--downsample', '0', '--out', out]);
    expect([zero.status, zero.stderr]).toEqual([2, 'paranom: --downsample must be an integer from 1 to 50, half the --window of 100 rows (a window holds at least 2 blocks), got 0\n']);
    // A column named twice (before: a model of two channels called 'value'); a layer width that is not a number, quoted as given (before: 'got NaN').
    const twice = run(['train-vae', '--data', DATA, '--columns', 'value,value', '--out', out]);
    expect([twice.status, twice.stderr]).toEqual([2, "paranom: --columns names 'value' twice; name each column once\n"]);
    const width = run(['train-vae', '--data', DATA, '--hidden', '64,x', '--out', out]);
    expect([width.status, width.stderr]).toEqual([2, "paranom: --hidden takes comma-separated layer widths (whole numbers), got 'x' in '64,x'\n"]);
    const empty = run(['train-vae', '--data', DATA, '--hidden', '', '--out', out]);
    expect([empty.status, empty.stderr]).toEqual([2, "paranom: --hidden needs layer widths (e.g. 64,64), or 'none' for no hidden layer\n"]);
    expect(existsSync(out)).toBe(false);
    const c = run(['train-vae', '--data', join(root, 'package.json'), '--out', out]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/must be a \.csv or \.parquet file/);
  });

  /** Runs a training that must be refused (exit 2, `message`, no stack) into a new and an empty --out, and checks neither got a file. */
  const refused = (args: string[], message: RegExp): string[] => {
    const base = tempDir();
    const fresh = join(base, 'fresh');
    const given = join(base, 'given');
    mkdirSync(given);
    const errs = [fresh, given].map((out) => {
      const r = run(['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '3', ...args, '--out', out, '--backend', 'cpu']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      return r.stderr;
    });
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(given)).toEqual([]);
    expect(readdirSync(base).sort()).toEqual(['given']);
    return errs;
  };

  it('a training whose loss stops being finite exits 2, naming the epoch and the options to change, and writes nothing', () => {
    // A KL weight of 1e300 overflows the float32 loss on the first batch: every later value is NaN.
    refused(['--beta', '1e300'], /^paranom: training diverged at epoch 1 \(loss NaN\) with --learning-rate 0\.001 and --beta 1e\+300; nothing was written — try a smaller --learning-rate, or a --beta nearer 1\n$/m);
  });

  it('a training whose loss explodes but stays finite exits 2, naming the epochs, the losses and the option to change, and writes nothing', () => {
    // Adam at a learning rate of 5 throws the weights far out in the first epoch; every loss stays finite.
    const errs = refused(
      ['--seed', '5', '--learning-rate', '5'],
      /^paranom: training learned nothing: at its best epoch \(1 of 3\) the reconstruction error per window is [\d.e+]+ on the training windows and [\d.e+]+ on the validation windows \(loss [\d.e+]+\), no better than predicting the mean at every row \([\d.]+ and [\d.]+\); the reconstruction error exploded at epoch 1 \([\d.e+]+\) with --learning-rate 5; nothing was written — try a smaller --learning-rate \(such as 0\.5\)\n$/m,
    );
    // Every epoch's loss was printed, and finite.
    for (const err of errs) expect(err).toMatch(/epoch 3\/3 {2}recon [\d.]+/);
  });

  it('keeps a sound model of a series whose validation tail is far quieter than its training part', () => {
    // A real series can calm down at its end: predicting the mean is then almost exact on the
    // tail, and no model of the busy part does as well there. That says nothing of whether the
    // model learned; it must be written, not refused as having learned nothing.
    const dir = tempDir();
    const data = join(dir, 'quiet-tail.csv');
    const rows = ['timestamp,value'];
    for (let i = 0; i < 2000; i++) rows.push(`${i},${i < 1500 ? 10 * Math.sin(i / 7) + 2 * Math.sin(i * 12.9898) : 0}`);
    writeFileSync(data, rows.join('\n') + '\n');
    const out = join(dir, 'm');
    const r = run(['train-vae', '--data', data, '--window', '16', '--latent', '2', '--hidden', '16', '--epochs', '6', '--validation-split', '0.25', '--seed', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'vae.json'))).toBe(true);
    const t = readVaeMeta(out).training;
    // The premise: the tail is quieter than any model's reconstruction of it.
    expect(t.history.every((h) => h.valRecon! > 0.5)).toBe(true);
  });

  it("removes the staging folder a killed train-vae of the same --out left (by its marker), never another folder", () => {
    const base = tempDir();
    const out = join(base, 'm');
    // Pids of processes that have ended.
    const [dead, dead2] = [0, 1].map(() => spawnSync(process.execPath, ['-e', '0']).pid!) as [number, number];
    const marker = (pid: number, over: Record<string, unknown> = {}) => JSON.stringify({ paranom: 'vae-staging', pid, host: hostname(), out: 'm', ...over });
    /** A staging folder as a kill -9 during the model's write leaves it: the marker, one layers model half written. */
    const staging = (name: string, markerText: string | null, extra: Record<string, string> = {}) => {
      const dir = join(base, name);
      mkdirSync(join(dir, 'encoder'), { recursive: true });
      writeFileSync(join(dir, 'encoder', 'model.json'), '{"modelTopology":');
      if (markerText !== null) writeFileSync(join(dir, '.paranom-staging.json'), markerText);
      for (const [f, text] of Object.entries(extra)) writeFileSync(join(dir, f), text);
      return dir;
    };
    const stale = staging(`.m.paranom-training-${dead}`, marker(dead));
    // Kept: a running process's (this test's), another host's, one without a marker, one holding a user's file, another --out's.
    const kept = [
      staging(`.m.paranom-training-${process.pid}`, marker(process.pid)),
      staging(`.m.paranom-training-${dead + 1}`, marker(dead + 1, { host: 'elsewhere' })),
      staging(`.m.paranom-training-${dead + 2}`, null),
      staging(`.m.paranom-training-${dead2}`, marker(dead2), { 'notes.txt': 'mine' }),
      staging(`.other.paranom-training-${dead}`, marker(dead, { out: 'other' })),
    ];
    const before = kept.map((d) => readdirSync(d).sort());
    const r = run(['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--out', out, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(r.stderr).toContain(`paranom: removed ${stale}, the staging folder of an interrupted train-vae of the same --out\n`);
    expect(r.stderr).toContain(`paranom: left ${kept[3]}, the staging folder of an interrupted train-vae: it holds files paranom did not write\n`);
    expect(kept.map((d) => readdirSync(d).sort())).toEqual(before);
    // The model carries no marker; nothing else appeared beside it.
    expect(readdirSync(out).sort()).toEqual(['decoder', 'encoder', 'vae.json']);
    expect(readdirSync(base).sort()).toEqual([...kept.map((d) => basename(d)), 'm'].sort());
  });

  it('puts back the previous model a train-vae killed between its two renames had set aside, and removes its unmarked new model; never another folder', () => {
    const base = tempDir();
    const out = join(base, 'm');
    const [dead, dead2] = [0, 1].map(() => spawnSync(process.execPath, ['-e', '0']).pid!) as [number, number];
    const marker = (pid: number, over: Record<string, unknown> = {}) => JSON.stringify({ paranom: 'vae-previous', pid, host: hostname(), out: 'm', ...over });
    const previousModel = '{"format": "paranom-vae", "note": "the model that was at --out"}';
    /** A previous-model folder as the kill leaves it: the marker, and the model that was at --out. */
    const aside = (pid: number, markerText: string, extra: Record<string, string> = {}) => {
      const dir = join(base, `.m.paranom-previous-${pid}`);
      mkdirSync(join(dir, 'model', 'decoder'), { recursive: true });
      writeFileSync(join(dir, 'model', 'vae.json'), previousModel);
      writeFileSync(join(dir, 'model', 'decoder', 'model.json'), '{}');
      writeFileSync(join(dir, '.paranom-previous.json'), markerText);
      for (const [f, text] of Object.entries(extra)) writeFileSync(join(dir, f), text);
      return dir;
    };
    const previous = aside(dead, marker(dead));
    // The new model, its staging marker already taken off just before the rename.
    const staged = join(base, `.m.paranom-training-${dead}`);
    mkdirSync(join(staged, 'encoder'), { recursive: true });
    writeFileSync(join(staged, 'vae.json'), '{"format": "paranom-vae"}');
    writeFileSync(join(staged, 'encoder', 'model.json'), '{}');
    // Kept: a running process's (this test's), another host's, and one a user added a file to.
    const kept = [aside(process.pid, marker(process.pid)), aside(dead + 1, marker(dead + 1, { host: 'elsewhere' })), aside(dead2, marker(dead2), { 'notes.txt': 'mine' })];
    const before = kept.map((d) => readdirSync(d).sort());

    // A loader of the missing model names where it is.
    expect(() => readVaeMeta(out)).toThrow(`model directory ${out} does not exist: an interrupted train-vae left the model that was there in ${previous}`);

    // The next training puts it back first; this one then diverges, so --out must stay as it was put back.
    const r = run(['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--beta', '1e300', '--out', out, '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/training diverged/);
    expect(r.stderr).toContain(`paranom: restored ${out} from ${previous}, where an interrupted train-vae had set the previous model aside\n`);
    expect(r.stderr).toContain(`paranom: removed ${staged}, the staging folder of an interrupted train-vae of the same --out\n`);
    expect(readFileSync(join(out, 'vae.json'), 'utf8')).toBe(previousModel);
    expect(readdirSync(out).sort()).toEqual(['decoder', 'vae.json']);
    expect(kept.map((d) => readdirSync(d).sort())).toEqual(before);
    expect(readdirSync(base).sort()).toEqual([...kept.map((d) => basename(d)), 'm'].sort());

    // With --out in place, a previous model set aside is one the kill came after replacing: its folder goes, --out stays.
    const replaced = aside(dead, marker(dead));
    const again = run(['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--beta', '1e300', '--out', out, '--backend', 'cpu']);
    expect(again.status, again.stderr).toBe(2);
    expect(again.stderr).toContain(`paranom: removed ${replaced}, the previous model an interrupted train-vae had already replaced\n`);
    expect(existsSync(replaced)).toBe(false);
    expect(readFileSync(join(out, 'vae.json'), 'utf8')).toBe(previousModel);
  });

  it('--out: a file or a directory of other files is refused before training; an earlier model is replaced whole, with nothing left beside it', () => {
    const base = tempDir();
    const file = join(base, 'notes.txt');
    writeFileSync(file, 'mine');
    const user = join(base, 'mine');
    mkdirSync(user);
    writeFileSync(join(user, 'vae.json'), '{"my": "settings"}');
    const args = ['train-vae', '--data', DATA, '--window', '48', '--latent', '3', '--hidden', '16', '--epochs', '1', '--backend', 'cpu'];
    for (const [out, says] of [[file, 'is a file; a model is a directory'], [user, 'holds files that are not a paranom VAE model (vae.json)']] as const) {
      const r = run([...args, '--out', out]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(says);
      // Refused before any epoch ran.
      expect(r.stderr).not.toMatch(/epoch 1\/1/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect(readdirSync(user)).toEqual(['vae.json']);
    expect(readFileSync(join(user, 'vae.json'), 'utf8')).toBe('{"my": "settings"}');

    const model = join(base, 'model');
    expect(run([...args, '--out', model, '--seed', '1']).status).toBe(0);
    const again = run([...args, '--out', model, '--seed', '2']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(model, 'vae.json'), 'utf8')).training.seed).toBe(2);
    expect(readdirSync(base).sort()).toEqual(['mine', 'model', 'notes.txt']);
  });
});
