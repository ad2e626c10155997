/**
 * Never lose a user's data: one regression test per finding of the adversarial review.
 * Each asserts the exit code, the key words of the message, that no message is an
 * "internal error" or a stack trace, and that every file the user owns hashes the same
 * before and after.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, appendFileSync, renameSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { writeFileAtomic } from '../src/formats/files.js';
import { writeSyntheticModel } from '../src/vae/synthetic.js';
import { cli, cliProcess, expectClean, placeUserFiles, startCli, treeHashes, userHashes, writeScenario, tinyScenario, sha256 } from './reliability-helpers.js';

const SHARDS = ['--shard-rows', '65536', '--workers', '2'];
/** This host as paranom's temporaries name it (formats/unique-temp.ts). */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** A fresh dataset of the tiny scenario (3 shards) in `base/ds`. */
async function dataset(base: string, doc: Record<string, unknown> = tinyScenario()): Promise<{ scenario: string; out: string }> {
  const scenario = writeScenario(base, doc);
  const out = join(base, 'ds');
  const r = await cli('generate', scenario, '--out', out, ...SHARDS);
  expect(r.code, r.err).toBe(0);
  return { scenario, out };
}

/** A scenario with a callback variable whose module is `source` (an .mjs beside the scenario). */
function callbackScenario(dir: string, source: string, extra: Record<string, unknown> = {}, rows = 1000): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cb.mjs'), source);
  return writeScenario(dir, { timeline: { rows }, variables: { x: { type: 'callback', module: './cb.mjs', normal: 'normal' } }, ...extra });
}

describe('data safety: one regression test per finding', () => {
  it('1: removes or replaces only files paranom recorded; --force never widens that; a foreign manifest.json is refused', async () => {
    const base = tempDir();
    const { scenario, out } = await dataset(base);
    const user = placeUserFiles(out, { 'data/NOTES.md': 'my notes', 'data/draft.tmp': 'draft', 'important.tmp': 'keep me' });
    const paranomBefore = treeHashes(join(out, 'data'));
    for (const args of [
      ['generate', scenario, '--out', out, ...SHARDS],
      ['grow', out, '--rows', '200000'],
      ['generate', scenario, '--out', out, '--seed', '5', '--force'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/holds files paranom did not write \(.*(NOTES\.md|important\.tmp)/);
      expect(r.err).toMatch(/never removes or replaces them, with or without --force/);
      expectClean(r);
      expect(userHashes(out, Object.keys(user))).toEqual(user);
      expect(treeHashes(join(out, 'data'))).toEqual(paranomBefore);
    }

    // A user's own anomalies.parquet, or a directory holding only the user's recordings, or
    // only a manifest.json.tmp: with no manifest or journal of paranom's there, no name is
    // its (before, a run took manifest.json.tmp for its own temporary and removed it).
    for (const files of [{ 'anomalies.parquet': 'my labels' }, { 'data/my-recordings.csv': 't,v\n1,2\n' }, { 'manifest.json.tmp': 'my draft' }, { 'manifest.json.pending': 'mine' }]) {
      const dir = join(base, `own-${Object.keys(files)[0]!.replace(/\W/g, '')}`);
      const mine = placeUserFiles(dir, files);
      for (const force of [[], ['--force']]) {
        const r = await cli('generate', scenario, '--out', dir, ...force);
        expect(r.code).toBe(2);
        expect(r.err).toContain(Object.keys(files)[0]);
        expectClean(r);
        expect(treeHashes(dir)).toEqual(mine);
      }
    }

    // Files of the user named as paranom names its shards: a fresh run, one part of a split
    // run, and a grow whose new shards would take those names refuse them, never overwrite.
    const named = join(base, 'named');
    const mineNamed = placeUserFiles(named, { 'data/part-00000.parquet': 'my recording', 'data/part-00002.parquet': 'another' });
    for (const args of [
      ['generate', scenario, '--out', named, ...SHARDS],
      ['generate', scenario, '--out', named, '--force', ...SHARDS],
      ['generate', scenario, '--out', named, '--part', '3/3', ...SHARDS],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/holds files paranom did not write \(data\/part-00000\.parquet, data\/part-00002\.parquet\)/);
      expectClean(r);
      expect(treeHashes(named)).toEqual(mineNamed);
    }
    const grown = await dataset(join(base, 'grown'));
    const beyond = placeUserFiles(grown.out, { 'data/part-00003.parquet': 'not a shard' });
    const before = treeHashes(grown.out);
    const g = await cli('grow', grown.out, '--rows', '200000');
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/holds files paranom did not write \(data\/part-00003\.parquet\)/);
    expect(treeHashes(grown.out)).toEqual(before);
    expect(userHashes(grown.out, Object.keys(beyond))).toEqual(beyond);

    // A manifest.json that is not paranom's.
    const app = join(base, 'app');
    const appFiles = placeUserFiles(app, { 'manifest.json': '{"name":"my app"}' });
    const gen = await cli('generate', scenario, '--out', app, '--force');
    expect(gen.code).toBe(2);
    expect(gen.err).toMatch(/manifest\.json is not a paranom manifest/);
    for (const args of [['grow', app, '--rows', '5000'], ['verify', app], ['merge', app, '--to', join(base, 'app.parquet')]]) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(1);
      expect(r.err).toMatch(/not a paranom manifest/);
      expectClean(r);
    }
    expect(treeHashes(app)).toEqual(appFiles);
  });

  it('1b: files named as a shard\'s temporary or pending copy are the user\'s: refused, never removed; a killed run\'s temporaries go', async () => {
    const base = tempDir();
    const { scenario, out } = await dataset(base);
    // Before, a name paranom's temporaries and staged copies once had was taken for one of
    // them beside any recorded file, and the next run removed it.
    const user = placeUserFiles(out, { 'data/part-00000.parquet.tmp': 'my draft', 'data/part-00001.parquet.pending': 'mine', 'manifest.json.tmp': 'notes', 'anomalies.parquet.pending': 'labels' });
    const before = treeHashes(out);
    for (const args of [
      ['grow', out, '--rows', '200000'],
      ['generate', scenario, '--out', out, ...SHARDS],
      ['generate', scenario, '--out', out, '--seed', '5', '--force', ...SHARDS],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/holds files paranom did not write \(.*data\/part-00000\.parquet\.tmp/);
      expectClean(r);
      expect(treeHashes(out)).toEqual(before);
    }
    expect(userHashes(out, Object.keys(user))).toEqual(user);
    const v = await cli('verify', out);
    expect(v.code).toBe(1);
    expect(v.err + v.out).toMatch(/data\/part-00000\.parquet\.tmp: not listed in the manifest/);

    // What a run killed while writing left, temporaries of this run's own names (any host,
    // any pid: the lock makes the run holding it their only writer), goes; the run ends
    // with the bytes of one uninterrupted run.
    const whole = join(base, 'whole');
    expect((await cli('generate', scenario, '--out', whole, ...SHARDS)).code).toBe(0);
    const split = join(base, 'split');
    expect((await cli('generate', scenario, '--out', split, '--part', '1/2', ...SHARDS)).code).toBe(0);
    const leftovers = [`data/part-00002.parquet.paranom-${HOST}-1-0123456789ab.tmp`, 'data/part-00002.parquet.paranom-00000000-7-0123456789ab.tmp', '.paranom-run-part-00002-of-00002.jsonl.paranom-00000000-7-0123456789ab.tmp'];
    placeUserFiles(split, Object.fromEntries(leftovers.map((f) => [f, 'half written'])));
    const two = await cli('generate', scenario, '--out', split, '--part', '2/2', ...SHARDS);
    expect(two.code, two.err).toBe(0);
    for (const f of leftovers) expect(existsSync(join(split, f)), f).toBe(false);
    // So does a merge-manifests killed while writing the segment table or the manifest.
    const merging = ['anomalies.parquet.paranom-00000000-7-0123456789ab.tmp', `manifest.json.paranom-${HOST}-1-0123456789ab.tmp`];
    placeUserFiles(split, Object.fromEntries(merging.map((f) => [f, 'half written'])));
    expect((await cli('merge-manifests', split)).code).toBe(0);
    for (const f of merging) expect(existsSync(join(split, f)), f).toBe(false);
    expect(treeHashes(join(split, 'data'))).toEqual(treeHashes(join(whole, 'data')));
    expect((await cli('verify', split)).code).toBe(0);
  });

  it('1c: rerunning generate with fewer rows over a complete dataset is refused without --force: the rows past the new end are the user\'s data', async () => {
    const base = tempDir();
    const { scenario, out } = await dataset(base);
    const before = treeHashes(out);
    const r = await cli('generate', scenario, '--out', out, '--rows', '70000', ...SHARDS);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`output directory '${out}' holds 140,000 rows of this scenario; generating 70,000 would remove the last 70,000 — pass --force`);
    expectClean(r);
    expect(treeHashes(out)).toEqual(before);
    // More rows, or the same, is a rerun as before; --force cuts it back as asked.
    expect((await cli('generate', scenario, '--out', out, '--rows', '150000', ...SHARDS)).code).toBe(0);
    const f = await cli('generate', scenario, '--out', out, '--rows', '70000', '--force', ...SHARDS);
    expect(f.code, f.err).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).rows).toBe(70000);
    expect((await cli('verify', out)).code).toBe(0);
  });

  it('2: merge checks size and SHA-256 before reading, reports the rows written, refuses --to inside the dataset, an existing file or a directory', async () => {
    const base = tempDir();
    const { out } = await dataset(base);
    const target = join(base, 'all.parquet');
    const ok = await cli('merge', out, '--to', target);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/wrote 140,000 rows/);
    const merged = sha256(readFileSync(target));

    const again = await cli('merge', out, '--to', target);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists; pass --force/);
    expect(sha256(readFileSync(target))).toBe(merged);
    expect((await cli('merge', out, '--to', target, '--force')).code).toBe(0);
    expect(sha256(readFileSync(target))).toBe(merged);
    // --force replaces an earlier merge, never a file paranom did not write (before: it did).
    const mine = join(base, 'mine.parquet');
    writeFileSync(mine, 'my own table');
    const foreign = await cli('merge', out, '--to', mine, '--force');
    expect(foreign.code).toBe(2);
    expect(foreign.err).toMatch(/mine\.parquet already exists and paranom did not write it; paranom never replaces it, with or without --force/);
    expect(readFileSync(mine, 'utf8')).toBe('my own table');

    const before = treeHashes(out);
    const inside = await cli('merge', out, '--to', join(out, 'data', 'all.parquet'), '--force');
    expect(inside.code).toBe(2);
    expect(inside.err).toMatch(/inside the dataset/);
    const dir = await cli('merge', out, '--to', base, '--force');
    expect(dir.code).toBe(2);
    expect(dir.err).toMatch(/is a directory/);
    expect(treeHashes(out)).toEqual(before);
    // Nor into another dataset: its shards and segment table carry paranom's provenance as
    // a merge does, and --force replaced them (before: that dataset no longer verified).
    const other = (await dataset(join(base, 'other'))).out;
    const others = treeHashes(other);
    for (const name of ['data/part-00000.parquet', 'anomalies.parquet', 'data/all.parquet', 'all.parquet']) {
      const into = await cli('merge', out, '--to', join(other, name), '--force');
      expect(into.code, name).toBe(2);
      expect(into.err, name).toMatch(/--to .* is inside the dataset .*other[\\/]ds; merging into a dataset would change it — write the merged file elsewhere/);
      expectClean(into);
    }
    expect(treeHashes(other)).toEqual(others);
    expect((await cli('verify', other, '--sample', '0')).code).toBe(0);
    // Another format's name: Parquet bytes in all.csv would be misread (before: written as asked).
    for (const name of ['all.csv', 'all.ARROW', 'all.ndjson']) {
      const other = await cli('merge', out, '--to', join(base, name));
      expect(other.code, name).toBe(2);
      expect(other.err).toMatch(new RegExp(`--to .*${name.replace('.', '\\.')} names a \\.${name.split('.')[1]!.toLowerCase()} file, but merge writes Parquet; name it \\.parquet`));
      expect(existsSync(join(base, name))).toBe(false);
    }

    const damage: Record<string, (p: string) => void> = {
      flip: (p) => {
        const b = readFileSync(p);
        b[Math.floor(b.length / 2)]! ^= 0x40;
        writeFileSync(p, b);
      },
      truncate: (p) => truncateSync(p, 1000),
      delete: (p) => rmSync(p),
    };
    for (const [how, hurt] of Object.entries(damage)) {
      const copy = join(base, `copy-${how}`);
      cpSync(out, copy, { recursive: true });
      hurt(join(copy, 'data/part-00001.parquet'));
      const to = join(base, `${how}.parquet`);
      const r = await cli('merge', copy, '--to', to);
      expect(r.code, how).toBe(1);
      expect(r.err).toMatch(/data\/part-00001\.parquet: (SHA-256 differs|\d+ bytes, the manifest says|cannot be read)/);
      expectClean(r);
      expect(existsSync(to)).toBe(false);
    }
  });

  it('3: the same scenario gives the same bytes and scenario hash from any working directory; verify and resume work from elsewhere', () => {
    const base = tempDir();
    const scen = join(base, 'scen');
    callbackScenario(scen, 'export function normal(ctx) { return ctx.row * 0.5 + ctx.random.uniform(); }\n', {}, 140_000);
    const a = cliProcess(['generate', 'scenario.json', '--out', '../a', ...SHARDS], { cwd: scen });
    const b = cliProcess(['generate', 'scen/scenario.json', '--out', 'b', ...SHARDS], { cwd: base });
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const ha = treeHashes(join(base, 'a'));
    const hb = treeHashes(join(base, 'b'));
    delete ha['manifest.json'];
    delete hb['manifest.json'];
    expect(ha).toEqual(hb);
    const ma = JSON.parse(readFileSync(join(base, 'a/manifest.json'), 'utf8'));
    const mb = JSON.parse(readFileSync(join(base, 'b/manifest.json'), 'utf8'));
    expect(ma.scenario_hash).toBe(mb.scenario_hash);
    expect(ma.scenario.variables[0].module).toBe('cb.mjs');
    expect(ma.inputs_dir).toBe('../scen');

    const verified = cliProcess(['verify', join(base, 'a')], { cwd: '/' });
    expect(verified.code, verified.out + verified.err).toBe(0);
    const resumed = cliProcess(['generate', join(scen, 'scenario.json'), '--out', join(base, 'a'), ...SHARDS], { cwd: join(base, 'b') });
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/kept 3 shard\(s\)/);
  });

  it('4: a grow that fails leaves the dataset exactly as it was, and verify says ok', async () => {
    const base = tempDir();
    // One row fails, so one shard: with every later row failing, whichever of two
    // concurrent shards failed first would name its own row.
    const scenario = callbackScenario(base, "export function normal(ctx) { if (ctx.row === 150000) throw new Error('sensor offline'); return ctx.row; }\n", {}, 140_000);
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out, ...SHARDS)).code).toBe(0);
    const before = treeHashes(out);
    const r = await cli('grow', out, '--rows', '300000', '--workers', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/variable 'x'.*row 150000.*sensor offline/);
    expectClean(r);
    expect(treeHashes(out)).toEqual(before);
    const v = await cli('verify', out);
    expect(v.code, v.out).toBe(0);
  });

  it('4b: verify beside a grow killed before its commit says ok and notes the unfinished run', async () => {
    const base = tempDir();
    // Row 150,000 never ends: the grow is killed while it waits there, its journal written.
    const scenario = callbackScenario(base, 'export function normal(ctx) { if (ctx.row === 150000) for (;;); return ctx.row; }\n', {}, 140_000);
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out, ...SHARDS)).code).toBe(0);
    const before = treeHashes(out);
    const run = startCli(['grow', out, '--rows', '300000', '--workers', '2']);
    for (let i = 0; i < 600 && !existsSync(join(out, '.paranom-run.jsonl')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(out, '.paranom-run.jsonl'))).toBe(true);
    run.child.kill('SIGKILL');
    await run.done;
    const v = await cli('verify', out);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/^note: \.paranom-run\.jsonl records an unfinished run over this dataset \(to 300,000 rows, \d+ shard\(s\) written\); until it completes the dataset is as its manifest says/m);
    expect(v.out).toMatch(/^ok: 3 shard\(s\) re-hashed/m);
    const after = treeHashes(out);
    for (const [f, h] of Object.entries(before)) expect(after[f], f).toBe(h);
  });

  it('5: a callback module or source file changed under a dataset is refused by grow and verify, naming the file and both hashes', async () => {
    const base = tempDir();
    writeFileSync(join(base, 'series.csv'), 'value\n' + Array.from({ length: 100 }, (_, i) => i).join('\n') + '\n');
    const scenario = callbackScenario(base, 'export function normal(ctx) { return ctx.row; }\n', {}, 5000);
    const doc = JSON.parse(readFileSync(scenario, 'utf8'));
    doc.variables.y = { type: 'source', file: './series.csv' };
    writeFileSync(scenario, JSON.stringify(doc));
    const out = join(base, 'ds');
    expect((await cli('generate', scenario, '--out', out)).code).toBe(0);
    const before = treeHashes(out);
    for (const [file, what] of [['cb.mjs', 'callback module'], ['series.csv', 'source file']] as const) {
      const old = sha256(readFileSync(join(base, file)));
      const text = readFileSync(join(base, file), 'utf8');
      appendFileSync(join(base, file), file.endsWith('.mjs') ? '// edited\n' : '7\n');
      const now = sha256(readFileSync(join(base, file)));
      for (const args of [['grow', out, '--rows', '9000'], ['verify', out, '--sample', '0']]) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err).toContain(`${what} ${file} changed`);
        expect(r.err).toContain(now);
        expect(r.err).toContain(old);
        expectClean(r);
      }
      writeFileSync(join(base, file), text);
      expect(treeHashes(out)).toEqual(before);
    }
  });

  it('6: reserved names are refused in any case, and so are names that differ only in case', async () => {
    const base = tempDir();
    const upper = writeScenario(base, tinyScenario(1000, { variables: { IS_ANOMALY: { normal: { dist: 'bernoulli', p: 0.5 } } } }), 'upper.json');
    const twins = writeScenario(base, tinyScenario(1000, { variables: { temp: { normal: { dist: 'normal', mean: 0, sd: 1 } }, Temp: { normal: { dist: 'normal', mean: 0, sd: 1 } } } }), 'twins.json');
    const before = treeHashes(base);
    const a = await cli('validate', upper);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/'IS_ANOMALY' is 'is_anomaly' in another case, a column paranom writes itself/);
    const b = await cli('generate', twins, '--out', join(base, 'out'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/variables\.Temp: differs from variable 'temp' only in case/);
    expectClean(a);
    expectClean(b);
    expect(treeHashes(base)).toEqual(before);
  });

  it('7: non-finite and degenerate values are refused at validate where known and at run time otherwise, unless allowed', async () => {
    const base = tempDir();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ b: { dtype: 'bool', normal: { dist: 'normal', mean: 20, sd: 2 } } }, /cannot fill a bool column/],
      [{ u: { normal: { dist: 'uniform', min: -1.7e308, max: 1.7e308 } } }, /beyond the largest float64/],
      [{ l: { normal: { dist: 'lognormal', mu: 1000, sigma: 1 } } }, /beyond the largest float64/],
      [{ f: { dtype: 'float32', normal: { dist: 'normal', mean: 0, sd: 1e38 } } }, /beyond float32/],
      [{ c: { normal: { dist: 'categorical', values: ['a', 'b'], weights: [1.7e308, 1.7e308] } } }, /sum to more than the largest number/],
    ];
    for (const [variables, message] of cases) {
      const r = await cli('validate', writeScenario(base, { timeline: { rows: 100 }, variables }, 'v.json'));
      expect(r.code, JSON.stringify(variables)).toBe(2);
      expect(r.err).toMatch(message);
      expectClean(r);
    }
    // A VAE model with a NaN weight, or with extra bytes after its weights.
    for (const [hurt, message] of [
      [(p: string) => { const b = readFileSync(p); b.writeFloatLE(NaN, 8); writeFileSync(p, b); }, /must be finite numbers/],
      [(p: string) => appendFileSync(p, Buffer.alloc(8)), /holds \d+ bytes, but its manifest describes \d+/],
    ] as const) {
      const model = join(base, 'model');
      rmSync(model, { recursive: true, force: true });
      writeSyntheticModel(model, { window: 8, latent: 2, hidden: [4], seed: 1 });
      hurt(join(model, 'decoder/weights.bin'));
      const r = await cli('validate', writeScenario(base, { timeline: { rows: 100 }, variables: { v: { type: 'vae', model: './model' } } }, 'vae.json'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expectClean(r);
    }
    // Run time: a callback's Infinity is refused like NaN (nothing left behind), unless allowed.
    const dir = join(base, 'cb');
    const user = placeUserFiles(dir, { 'README.md': 'mine' });
    const scenario = callbackScenario(dir, 'export function normal(ctx) { return ctx.row === 7 ? Infinity : 1; }\n');
    const out = join(dir, 'out');
    const r = await cli('generate', scenario, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/variable 'x'.*row 7.*returned number Infinity.*finite number.*allow_non_finite/);
    expectClean(r);
    expect(existsSync(out)).toBe(false);
    expect(userHashes(dir, ['README.md'])).toEqual(user);
    callbackScenario(dir, 'export function normal(ctx) { return ctx.row === 7 ? Infinity : 1; }\n', { allow_non_finite: true });
    expect((await cli('generate', scenario, '--out', out)).code).toBe(0);
    // Run time, stored values: a source file holding a value too large for float64.
    const src = join(base, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'big.csv'), 'value\n1\n2\n1e309\n4\n');
    const s2 = writeScenario(src, { timeline: { rows: 10 }, variables: { y: { type: 'source', file: './big.csv' } } });
    const big = await cli('generate', s2, '--out', join(src, 'out'));
    expect(big.code).not.toBe(0);
    expect(big.err).toMatch(/Infinity|not a (finite )?number/);
    expectClean(big);
    expect(existsSync(join(src, 'out'))).toBe(false);
  });

  it('8: a second run on one output directory is refused by its lock (pid and host); a stale lock is recovered', async () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(1000));
    const out = join(base, 'ds');
    mkdirSync(out);
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(join(out, '.paranom.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname(), command: 'generate' }));
      const r = await cli('generate', scenario, '--out', out);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`in use by process ${sleeper.pid} on host ${hostname()}`);
      expectClean(r);
      expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    } finally {
      sleeper.kill('SIGKILL');
    }
    await new Promise((res) => sleeper.once('exit', res));
    const other = JSON.stringify({ pid: 1, host: 'elsewhere.example', command: 'grow' });
    writeFileSync(join(out, '.paranom.lock'), other);
    const remote = await cli('generate', scenario, '--out', out);
    expect(remote.code).toBe(1);
    expect(remote.err).toMatch(/on host elsewhere\.example.*if that run is over, remove/);
    expect(readFileSync(join(out, '.paranom.lock'), 'utf8')).toBe(other);
    // The sleeper is gone: its lock is stale and taken over; the run releases it at the end.
    writeFileSync(join(out, '.paranom.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname(), command: 'generate' }));
    const stale = await cli('generate', scenario, '--out', out);
    expect(stale.code, stale.err).toBe(0);
    expect(existsSync(join(out, '.paranom.lock'))).toBe(false);
  });

  it('9: numeric CLI values are parsed strictly; a bad value exits 2 and writes nothing', async () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(1000));
    const { out } = await dataset(join(base, 'grown'));
    const before = treeHashes(base);
    const out2 = join(base, 'new');
    const vectors: Array<[string[], RegExp]> = [
      ...['0', '1.5', 'abc', '', '-3'].map((w): [string[], RegExp] => [['generate', scenario, '--out', out2, '--workers', w], /--workers|Unknown argument/]),
      ...['0', 'abc', '', '-5'].map((w): [string[], RegExp] => [['generate', scenario, '--out', out2, '--shard-rows', w], /--shard-rows|Unknown argument/]),
      [['generate', scenario, '--out', out2, '--rows'], /--rows needs a value/],
      [['generate', scenario, '--out', ''], /--out needs a value/],
      [['generate', scenario, '--out', out2, '--rows', '10', '--rows', '20'], /--rows is given 2 times/],
      [['verify', out, '--sample', '-1'], /--sample|Unknown argument/],
      [['verify', out, '--sample', 'abc'], /--sample must be an integer/],
      // Without its value, --sample was its default of 8.
      [['verify', out, '--sample'], /--sample needs a value/],
      [['grow', out, '--rows', '5e5', '--force'], /Unknown argument: force/],
      [['grow', out, '--rows', 'lots'], /--rows must be an integer/],
      // The data folder named for the dataset (a path completed one level too far).
      [['verify', join(out, 'data')], /data: the data folder of the dataset .*; name the dataset itself/],
      // One of its files named for it: the manifest, or a shard (it was "no such dataset directory").
      [['verify', join(out, 'manifest.json')], /manifest\.json is a file, not a dataset directory; it is part of the dataset \S+: name that directory/],
      [['report', join(out, 'manifest.json'), '--out', join(out2, 'r.html')], /manifest\.json is a file, not a dataset directory; it is part of the dataset/],
    ];
    for (const [args, message] of vectors) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expectClean(r);
    }
    expect(treeHashes(base)).toEqual(before);
  });

  it('10: a looping callback, a never-settling module, a memory hog and Ctrl-C all end with a message; /proc is refused', async () => {
    const base = tempDir();
    // The user's code ran too long: exit 2 like any callback failure, and a directory given
    // empty is left empty (the shards other workers finished are removed, as after a throw).
    const loop = callbackScenario(join(base, 'loop'), 'export function normal(ctx) { if (ctx.row === 905) for (;;) {} return 1; }\n', { callback_timeout: '1s' });
    const r1 = await cli('generate', loop, '--out', join(base, 'loop/out'));
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/^paranom: variable 'x': callback 'normal' \(\S*cb\.mjs\) at row 905, seed \d+: ran longer than callback_timeout \(1s\) and was stopped; does it loop forever\? If it is just slow, raise callback_timeout/m);
    expectClean(r1);
    expect(existsSync(join(base, 'loop/out'))).toBe(false);
    mkdirSync(join(base, 'loop/given'));
    const r1b = await cli('generate', loop, '--out', join(base, 'loop/given'), '--shard-rows', '100', '--workers', '2');
    expect(r1b.code).toBe(2);
    expect(r1b.err).toMatch(/at row 905, seed \d+: ran longer than callback_timeout \(1s\)/);
    expect(readdirSync(join(base, 'loop/given'))).toEqual([]);

    const tla = callbackScenario(join(base, 'tla'), 'await new Promise(() => {});\nexport function normal() { return 1; }\n', { callback_timeout: '1s' });
    for (const args of [['validate', tla], ['generate', tla, '--out', join(base, 'tla/out')]]) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(2);
      expect(r.err).toMatch(/variable 'x': loading callback module \S*cb\.mjs, seed \d+: ran longer than callback_timeout \(1s\) and was stopped; a top-level await that never settles/);
      expectClean(r);
    }
    expect(existsSync(join(base, 'tla/out'))).toBe(false);

    const hog = callbackScenario(join(base, 'hog'), 'const keep = [];\nexport function normal(ctx) { if (ctx.row === 3) for (;;) keep.push(new Array(1e6).fill(ctx.row)); return 1; }\n');
    const r3 = cliProcess(['generate', hog, '--out', join(base, 'hog/out')], { env: { PARANOM_WORKER_MEMORY_MB: '96' } });
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/variable 'x': callback 'normal' \(\S*cb\.mjs\) at row 3, seed \d+: used more than the worker memory limit \(96 MB heap\) and was stopped; .*set PARANOM_WORKER_MEMORY_MB to allow more/);
    expectClean(r3);

    // Ctrl-C while a callback spins: the workers are ended and the run stops (exit 130).
    const spin = callbackScenario(join(base, 'spin'), 'export function normal(ctx) { if (ctx.row === 5) for (;;) {} return 1; }\n');
    const run = startCli(['generate', spin, '--out', join(base, 'spin/out')]);
    // The journal appears once the run is under way (its Ctrl-C handler is installed by then).
    for (let i = 0; i < 600 && !existsSync(join(base, 'spin/out/.paranom-run.jsonl')); i++) await new Promise((res) => setTimeout(res, 100));
    await new Promise((res) => setTimeout(res, 500));
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const r4 = await run.done;
    expect(r4.code).toBe(130);
    expect(r4.err).toMatch(/interrupted/);
    expect(Date.now() - t0).toBeLessThan(15_000); // ends by itself, no second Ctrl-C (≈1 s on a quiet machine)

    for (const bad of ['/proc/x', '/sys/paranom', '/dev/shm-not/x']) {
      const r = await cli('generate', writeScenario(base, tinyScenario(100), 's.json'), '--out', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/is under \/(proc|sys|dev)/);
    }
  });

  it('11: validate loads modules and checks row ranges, so generate cannot fail where validate said ok; a failed generate leaves nothing', async () => {
    const base = tempDir();
    const cases: Array<[string, RegExp]> = [
      ['export function other() { return 1; }\n', /does not export 'normal' \(its functions: other\)/],
      ['export function normal( { return 1; }\n', /cannot load callback module cb\.mjs: .*SyntaxError|Unexpected/],
      ["throw new Error('no database');\nexport function normal() { return 1; }\n", /cannot load callback module cb\.mjs: no database/],
    ];
    for (const [source, message] of cases) {
      const dir = join(base, `m${cases.findIndex((c) => c[0] === source)}`);
      const scenario = callbackScenario(dir, source);
      const v = await cli('validate', scenario);
      expect(v.code).toBe(2);
      expect(v.err).toMatch(message);
      expectClean(v);
      const g = await cli('generate', scenario, '--out', join(dir, 'out'));
      expect(g.code).toBe(2);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
    const id = writeScenario(base, { timeline: { rows: 1000 }, variables: { k: { type: 'id', min: 1, max: 500 } } }, 'id.json');
    const r1 = await cli('validate', id);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/variables\.k: can number at most 500 rows, but the timeline has 1,000/);
    writeFileSync(join(base, 'short.csv'), 'value\n1\n2\n3\n');
    const pastEnd = writeScenario(base, { timeline: { rows: 10 }, variables: { y: { type: 'source', file: './short.csv', past_end: 'error' } } }, 'past.json');
    const r2 = await cli('validate', pastEnd);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/reads short\.csv, which has 3 rows, fewer than the 10 rows of the timeline, and past_end is 'error'/);
  });

  it('12: bad --out paths, hostile files and a full disk give clear errors; merge-manifests on a file; a large categorical and a broken TS callback', async () => {
    const base = tempDir();
    const scenario = writeScenario(base, tinyScenario(1000));
    writeFileSync(join(base, 'afile'), 'mine');
    const user = userHashes(base, ['afile']);
    for (const [out, message] of [
      [join(base, 'afile'), /is a file, not a directory/],
      [join(base, 'afile', 'sub'), /cannot be created: .*afile is a file/],
      [join(base, 'x'.repeat(300)), /too long/],
      ['/dev/null/x', /is under \/dev/],
    ] as const) {
      const r = await cli('generate', scenario, '--out', out);
      expect(r.code, out.slice(0, 60)).toBe(2);
      expect(r.err).toMatch(message);
      expectClean(r);
    }
    expect(userHashes(base, ['afile'])).toEqual(user);
    const mm = await cli('merge-manifests', join(base, 'afile'));
    expect(mm.code).toBe(2);
    expect(mm.err).toMatch(/is a file/);

    // A manifest that is an array; a journal line that is {}.
    const odd = join(base, 'odd');
    placeUserFiles(odd, { 'manifest.json': '[1,2]' });
    const v = await cli('verify', odd);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/not a paranom manifest/);
    const j = join(base, 'journal');
    placeUserFiles(j, { '.paranom-run.jsonl': '{}\n' });
    const g = await cli('generate', scenario, '--out', j);
    expect(g.code, g.err).toBe(0);
    expect(existsSync(join(j, '.paranom-run.jsonl'))).toBe(false);

    // Nesting 3,000 levels deep.
    const deep = join(base, 'deep.yaml');
    writeFileSync(deep, 'timeline: {rows: 10}\nvariables: {x: {normal: {dist: uniform, min: 0, max: 1}}}\nextra: ' + '['.repeat(3000) + ']'.repeat(3000) + '\n');
    const d = await cli('validate', deep);
    expect(d.code).toBe(2);
    expectClean(d);

    // A file at the name a temporary used to have, a link to /dev/full: a write goes
    // beside it under a name of its own, never into it (full-and-read-only.test.ts fills
    // a real disk).
    const full = join(base, 'full');
    mkdirSync(full);
    symlinkSync('/dev/full', join(full, 'manifest.json.tmp'));
    writeFileAtomic(join(full, 'manifest.json'), 'x'.repeat(10_000));
    expect(readFileSync(join(full, 'manifest.json'), 'utf8')).toBe('x'.repeat(10_000));
    expect(readdirSync(full).sort()).toEqual(['manifest.json', 'manifest.json.tmp']);

    // 200,000 categorical values: set-up is linear (it was quadratic: 22 s for 100,000).
    const values = Array.from({ length: 200_000 }, (_, i) => `v${i}`);
    const cat = writeScenario(base, { timeline: { rows: 1000 }, variables: { c: { normal: { dist: 'categorical', values } } } }, 'cat.json');
    const c = await cli('generate', cat, '--out', join(base, 'cat'), '--workers', '1');
    expect(c.code, c.err).toBe(0);

    // A TypeScript callback with an unclosed brace is reported, not "repaired".
    const ts = join(base, 'ts');
    mkdirSync(ts);
    writeFileSync(join(ts, 'cb.ts'), 'export function normal(ctx: { row: number }): number {\n  if (ctx.row > 1) {\n    return 1;\n');
    const tss = writeScenario(ts, { timeline: { rows: 10 }, variables: { x: { type: 'callback', module: './cb.ts', normal: 'normal' } } });
    const t = cliProcess(['validate', tss]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/TypeScript syntax error: 4:1 '\}' expected/);
    expectClean(t);
    renameSync(join(ts, 'cb.ts'), join(ts, 'cb.txt'));
  }, 120_000);
  it('13: a manifest edited by hand (its scenario or its seed) is refused by verify, grow, merge and report, naming the manifest (before: verify said ok after the seed was changed; a null variable list was an internal error)', async () => {
    const base = tempDir();
    const { out } = await dataset(base, tinyScenario(2000));
    const file = join(out, 'manifest.json');
    const original = readFileSync(file, 'utf8');
    for (const edit of [(m: { seed: number }) => (m.seed += 1), (m: { scenario: { variables: unknown } }) => (m.scenario.variables = null), (m: { scenario: { seed: number } }) => (m.scenario.seed += 1)]) {
      const m = JSON.parse(original);
      edit(m);
      writeFileSync(file, JSON.stringify(m, null, 2));
      const before = treeHashes(base);
      for (const args of [['verify', out], ['grow', out, '--rows', '3000'], ['merge', out, '--to', join(base, 'all.parquet')], ['report', out, '--out', join(base, 'r.html')]]) {
        const r = await cli(...args);
        expect(r.code, `${args[0]} ${r.err}`).toBe(1);
        expect(r.err).toMatch(/manifest\.json: its scenario does not give its scenario_hash and seed \(the manifest was edited or damaged\)/);
        expectClean(r);
      }
      expect(treeHashes(base)).toEqual(before);
    }
    writeFileSync(file, original);
    expect((await cli('verify', out)).code).toBe(0);
  });
});
