/**
 * Loading TensorFlow.js for training, on the main thread only (never in shard workers,
 * which decode with plain JS). The packages are optional peer dependencies (optional.ts):
 * `@tensorflow/tfjs` is needed to train at all; `@tensorflow/tfjs-node`, whose install
 * script downloads libtensorflow, is used when it loads; otherwise
 * `@tensorflow/tfjs-backend-wasm` (WebAssembly, binaries inside the npm package) when it is
 * installed, and the pure-JS CPU backend of `@tensorflow/tfjs` where neither is.
 */
import { ParanomError } from '../errors.js';
import { importOptional } from '../optional.js';

export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackendChoice = 'auto' | 'cpu' | 'wasm' | 'tensorflow';

export interface LoadedTf {
  tf: Tf;
  /** The backend in use: 'tensorflow' (tfjs-node) or 'cpu'. */
  backend: string;
  /** Why tfjs-node was not used, when it was not. */
  fallback?: string;
}

/**
 * Imports TF.js with the requested backend ('auto': tfjs-node when it loads, else wasm,
 * else cpu). The WebAssembly backend (`@tensorflow/tfjs-backend-wasm`) ships its binaries
 * inside its npm package, so it installs and runs offline; it trains a dense VAE about 3.7×
 * faster than the pure-JS CPU backend here (bench/train-vae.ts), and is deterministic run
 * to run (one thread).
 */
export async function loadTf(choice: TfBackendChoice = 'auto'): Promise<LoadedTf> {
  let fallback: string | undefined;
  if (choice === 'auto' || choice === 'tensorflow') {
    try {
      // A variable specifier: tfjs-node is optional, so neither tsc nor bundlers may require it.
      const name = '@tensorflow/tfjs-node';
      const tfn = (await import(name)) as Tf & { default?: Tf };
      const tf = (typeof tfn.sequential === 'function' ? tfn : tfn.default) as Tf;
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    } catch (err) {
      fallback = (err as Error).message.split('\n')[0] ?? String(err);
      if (choice === 'tensorflow') {
        throw new ParanomError('USAGE', `--backend tensorflow needs @tensorflow/tfjs-node, which cannot be loaded here (${fallback}); install it with 'npm install @tensorflow/tfjs-node' or use --backend cpu`);
      }
    }
  }
  const tf = await importOptional<Tf>('@tensorflow/tfjs', 'training a VAE (train-vae)');
  // Production mode silences the "install tfjs-node" banner the CPU backend prints in Node.
  tf.env().set('PROD', true);
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await importOptional('@tensorflow/tfjs-backend-wasm', 'the wasm training backend (--backend wasm)');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return fallback === undefined ? { tf, backend: 'wasm' } : { tf, backend: 'wasm', fallback };
      }
      throw new Error('the wasm backend did not initialise');
    } catch (err) {
      const why = (err as Error).message.split('\n')[0] ?? String(err);
      if (choice === 'wasm') throw err instanceof ParanomError ? err : new ParanomError('USAGE', `--backend wasm needs @tensorflow/tfjs-backend-wasm, which cannot be loaded here (${why}); use --backend cpu`);
      fallback = fallback === undefined ? why : `${fallback}; ${why}`;
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return fallback === undefined ? { tf, backend: 'cpu' } : { tf, backend: 'cpu', fallback };
}
