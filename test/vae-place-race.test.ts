/**
 * Two trainings of one --out that finish together: whichever places its model second finds
 * --out taken again (or gone, set aside by the other) at its rename. Each moment is opened
 * on purpose, by doing the other training's step inside a rename, so no timing is hoped for.
 * And a full disk while placing: a marker that cannot be written leaves no folder behind.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync as realRename, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers.js';
import { createStaging, placeModel } from '../src/vae/model-dir.js';

/** Runs once, just before the next rename whose source ends with `suffix`: the other training's step. */
const before = vi.hoisted(() => ({ suffix: '', run: undefined as (() => void) | undefined }));
/** The next write to a file whose name is `name` fails as on a full disk, leaving it empty. */
const full = vi.hoisted(() => ({ name: '' }));

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const renameSync: typeof real.renameSync = (from, to) => {
    if (before.run && String(from).includes(before.suffix)) {
      const run = before.run;
      before.run = undefined;
      run();
    }
    real.renameSync(from, to);
  };
  const writeFileSync: typeof real.writeFileSync = (file, data, options) => {
    if (full.name && String(file).endsWith(`/${full.name}`)) {
      full.name = '';
      real.writeFileSync(file, '');
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    }
    real.writeFileSync(file, data, options);
  };
  return { ...real, default: { ...real, renameSync, writeFileSync }, renameSync, writeFileSync };
});

/** A model directory as training writes it, its vae.json naming `who`. */
function model(dir: string, who: string): string {
  mkdirSync(join(dir, 'encoder'), { recursive: true });
  mkdirSync(join(dir, 'decoder'), { recursive: true });
  writeFileSync(join(dir, 'vae.json'), JSON.stringify({ format: 'paranom-vae', who }));
  writeFileSync(join(dir, 'encoder', 'model.json'), '{}');
  writeFileSync(join(dir, 'decoder', 'model.json'), '{}');
  return dir;
}

const who = (out: string) => (JSON.parse(readFileSync(join(out, 'vae.json'), 'utf8')) as { who: string }).who;

describe('two trainings placing a model into one --out at once', () => {
  it('the later placement replaces the model the other placed under it: no error, nothing left beside', () => {
    const base = tempDir();
    const out = join(base, 'm');
    const other = model(join(base, 'other-staging'), 'other');
    const staged = createStaging(out);
    model(staged, 'this');
    // The other training renames its model into --out between this one's look and its rename.
    before.suffix = basename(staged);
    before.run = () => realRename(other, out);
    placeModel(staged, out);
    expect(before.run).toBeUndefined();
    expect(who(out)).toBe('this');
    expect(readdirSync(base)).toEqual(['m']);
  });

  it('a model set aside by the other training while this one sets it aside: no error, nothing left beside', () => {
    const base = tempDir();
    const out = model(join(base, 'm'), 'earlier');
    const staged = createStaging(out);
    model(staged, 'this');
    // The other training moves the earlier model away (into its own previous folder) first.
    before.suffix = join(base, 'm');
    before.run = () => realRename(out, join(base, 'other-previous'));
    placeModel(staged, out);
    expect(before.run).toBeUndefined();
    expect(who(out)).toBe('this');
    expect(readdirSync(base).sort()).toEqual(['m', 'other-previous']);
  });
});

describe('a full disk while a model is placed', () => {
  it('a staging marker that cannot be written leaves no staging folder', () => {
    const base = tempDir();
    const out = model(join(base, 'm'), 'earlier');
    full.name = '.paranom-staging.json';
    expect(() => createStaging(out)).toThrow(/ENOSPC/);
    expect(full.name).toBe('');
    expect(readdirSync(base)).toEqual(['m']);
    expect(who(out)).toBe('earlier');
  });

  it('a previous-model marker that cannot be written leaves the model in place and no folder beside it', () => {
    const base = tempDir();
    const out = model(join(base, 'm'), 'earlier');
    const staged = createStaging(out);
    model(staged, 'this');
    full.name = '.paranom-previous.json';
    expect(() => placeModel(staged, out)).toThrow(/ENOSPC/);
    expect(full.name).toBe('');
    expect(who(out)).toBe('earlier');
    expect(readdirSync(base).sort()).toEqual([basename(staged), 'm']);
  });
});
