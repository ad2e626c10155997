/**
 * Loading TensorFlow.js for training, on the main thread only (never in shard workers,
 * which decode with plain JS). Both packages are optional peer dependencies (optional.ts):
 * `@tensorflow/tfjs` is needed to train at all; `@tensorflow/tfjs-node`, whose install
 * script downloads libtensorflow, is used when it loads, and otherwise the pure-JS CPU
 * backend of `@tensorflow/tfjs` trains instead, slower but with identical results run to run.
 */
import { ParanomError } from '../errors.js';
import { importOptional } from '../optional.js';

export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackendChoice = 'auto' | 'cpu' | 'tensorflow';

export interface LoadedTf {
  tf: Tf;
  /** The backend in use: 'tensorflow' (tfjs-node) or 'cpu'. */
  backend: string;
  /** Why tfjs-node was not used, when it was not. */
  fallback?: string;
}

/** Imports TF.js with the requested backend ('auto': tfjs-node when it loads, else cpu). */
export async function loadTf(choice: TfBackendChoice = 'auto'): Promise<LoadedTf> {
  let fallback: string | undefined;
  if (choice !== 'cpu') {
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
  await tf.setBackend('cpu');
  await tf.ready();
  return fallback === undefined ? { tf, backend: 'cpu' } : { tf, backend: 'cpu', fallback };
}
