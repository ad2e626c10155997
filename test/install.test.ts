/**
 * The package as a user installs it: `npm pack`, then `npm install --omit=dev` of the
 * tarball in an empty project. Without devDependencies (and without the optional peers
 * TensorFlow.js and TypeScript) generation works from the CLI and the library; training a
 * VAE and TypeScript callbacks stop with the package to install (exit 2), not a crash.
 * Needs the npm registry (or npm's cache) for the runtime dependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const app = tempDir('paranom-install-');
const bin = join(app, 'node_modules/paranom/dist/src/cli/main.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: app, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // dist/ is built by `npm test`'s pretest; --ignore-scripts keeps pack from building again.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', app], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', join(app, packed)], { cwd: app, encoding: 'utf8' });
}, 300_000);

describe('npm install --omit=dev', () => {
  it('installs no devDependency and no optional peer', () => {
    const installed = readdirSync(join(app, 'node_modules'));
    for (const name of ['vitest', 'typescript', '@duckdb', 'tinybench', 'wabt']) expect(installed, name).not.toContain(name);
    expect(existsSync(join(app, 'node_modules/@tensorflow'))).toBe(false);
  });

  it('generates from the CLI and from the library', () => {
    const r = run('generate', join(ROOT, 'scenarios/valve-sensors.yaml'), '--out', 'cli-out', '--rows', '20000', '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const cli = JSON.parse(readFileSync(join(app, 'cli-out/manifest.json'), 'utf8'));
    expect(cli.rows).toBe(20_000);
    const lib = `import { generate } from 'paranom';
      const r = await generate(${JSON.stringify(join(ROOT, 'scenarios/valve-sensors.yaml'))}, { out: 'lib-out', rows: 20000, workers: 1 });
      console.log(r.manifest.shards[0].sha256);`;
    const l = spawnSync(process.execPath, ['--input-type=module', '-e', lib], { cwd: app, encoding: 'utf8' });
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout.trim()).toBe(cli.shards[0].sha256);
  });

  it('names the optional package that training a VAE needs (exit 2)', () => {
    const r = run('train-vae', '--data', join(ROOT, 'test/fixtures/vae/nyc_taxi_6w.csv'), '--out', 'model', '--epochs', '1');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^paranom: training a VAE \(train-vae\) needs the optional package '@tensorflow\/tfjs', which is not installed; install it with 'npm install @tensorflow\/tfjs'$/m);
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it('names the optional package that TypeScript callbacks need (exit 2)', () => {
    for (const f of ['typed.ts', 'typed-helper.ts']) copyFileSync(join(ROOT, 'test/fixtures/callbacks', f), join(app, f));
    writeFileSync(join(app, 'ts.yaml'), 'seed: 1\ntimeline: { rows: 1000 }\nvariables:\n  x: { normal: { dist: normal, mean: 0, sd: 1 } }\n  y: { type: callback, module: typed.ts, normal: scaled }\n');
    const r = run('generate', 'ts.yaml', '--out', 'ts-out', '--workers', '1');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/needs the optional package 'typescript', which is not installed; install it with 'npm install typescript'/);
    expect(existsSync(join(app, 'ts-out/manifest.json'))).toBe(false);
  });
});
