/**
 * The TF.js side of a VAE: dense encoder and decoder stacks, their seeded initial weights,
 * and their export as Layers-format artifacts (the files generation reads without TF.js).
 */
import { fillRowUniforms, type SeedKey } from '../random/counter.js';
import { systemStream } from '../random/hash.js';
import type { Activation, LayersArtifacts, WeightSpec } from './layers-format.js';
import type { Tf } from './tf.js';

export type Sequential = ReturnType<Tf['sequential']>;

export function buildModel(tf: Tf, name: 'encoder' | 'decoder', inputs: number, widths: readonly number[], outputs: number, activation: Activation): Sequential {
  const prefix = name === 'encoder' ? 'enc' : 'dec';
  const layers = [
    ...widths.map((units, i) => tf.layers.dense({ name: `${prefix}_${i + 1}`, units, activation, ...(i === 0 ? { inputShape: [inputs] } : {}) })),
    tf.layers.dense({ name: `${prefix}_out`, units: outputs, activation: 'linear', ...(widths.length === 0 ? { inputShape: [inputs] } : {}) }),
  ];
  return tf.sequential({ name, layers });
}

/** Glorot-uniform kernels and zero biases, drawn from the counter-based generator by layer name. */
export function initialise(tf: Tf, model: Sequential, key: SeedKey): void {
  for (const layer of model.layers) {
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias) continue;
    const [fanIn, fanOut] = kernel.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const u = new Float64Array(fanIn * fanOut);
    fillRowUniforms(key, systemStream(`vae-train.init:${layer.name}`), 0, 0, 0, u.length, u);
    const k = Float32Array.from(u, (x) => (2 * x - 1) * limit);
    layer.setWeights([tf.tensor2d(k, [fanIn, fanOut]), tf.zeros([fanOut])]);
  }
}

/** The model's topology and weights as TF.js would save them, handed over in memory. */
export async function artifactsOf(tf: Tf, model: Sequential): Promise<LayersArtifacts> {
  let saved: LayersArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData;
      if (!a.weightSpecs || !data || Array.isArray(data)) throw new Error('unexpected TF.js save artifacts');
      saved = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as WeightSpec[], weightData: data, generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}` };
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('TF.js did not hand over the model artifacts');
  return saved;
}
