/**
 * The TF.js "layers-model" file format, read and written without TensorFlow: `model.json`
 * (topology + weights manifest) beside one `weights.bin` of little-endian float32 values.
 * This is what tfjs-node's `file://` handler writes and what `tf.loadLayersModel` reads;
 * pure-JS tfjs has no file IO in Node, so training hands its save artifacts to
 * `writeLayersModel`, and shard workers read the decoder back with `readDenseStack`
 * without loading TensorFlow at all.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** One entry of a weights manifest. Only float32 weights are written or read. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The parts of a saved layers model (a subset of tfjs's `ModelArtifacts`). */
export interface LayersArtifacts {
  modelTopology: unknown;
  weightSpecs: WeightSpec[];
  /** Concatenated float32 weights in `weightSpecs` order. */
  weightData: ArrayBuffer;
  generatedBy: string;
}

/** Activations the plain-JS decoder reproduces. */
export const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** One dense layer as plain arrays: `kernel` is [inputs][units] row-major, as TF.js stores it. */
export interface DenseLayerWeights {
  name: string;
  inputs: number;
  units: number;
  activation: Activation;
  kernel: Float32Array;
  bias: Float32Array;
}

/** Writes `dir/model.json` and `dir/weights.bin`. Byte-for-byte a function of the artifacts. */
export function writeLayersModel(dir: string, a: LayersArtifacts): void {
  mkdirSync(dir, { recursive: true });
  const json = {
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: a.weightSpecs }],
  };
  writeFileSync(join(dir, MODEL_JSON), JSON.stringify(json) + '\n');
  writeFileSync(join(dir, WEIGHTS_BIN), new Uint8Array(a.weightData));
}

/** Thrown for a model directory that is not a readable dense layers model; the message says why. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

interface LayerJson {
  class_name?: unknown;
  config?: { name?: unknown; units?: unknown; activation?: unknown; use_bias?: unknown; batch_input_shape?: unknown };
}

/**
 * Reads a Sequential stack of Dense layers (the decoder paranom trains) from `dir`.
 * Anything else (another layer class, an activation the plain-JS decoder lacks, missing
 * or mis-sized weights) is refused with a message naming the layer.
 */
export function readDenseStack(dir: string): DenseLayerWeights[] {
  const file = join(dir, MODEL_JSON);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    format?: unknown;
    modelTopology?: { class_name?: unknown; config?: unknown };
    weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
  };
  if (doc.format !== 'layers-model') throw new ModelFormatError(`${file}: not a TF.js layers model (format ${String(doc.format)})`);
  const topo = doc.modelTopology;
  if (!topo || topo.class_name !== 'Sequential') throw new ModelFormatError(`${file}: expected a Sequential model, got ${String(topo?.class_name)}`);
  // Keras/TF.js write Sequential configs either as { layers: [...] } or as the bare list.
  const cfg = topo.config as { layers?: LayerJson[] } | LayerJson[] | undefined;
  const layers = Array.isArray(cfg) ? cfg : cfg?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelFormatError(`${file}: the model has no layers`);
  const manifest = doc.weightsManifest ?? [];

  // Weights by name, sliced from the concatenated shard files of the manifest.
  const byName = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const group of manifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
    let off = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new ModelFormatError(`${file}: weight ${w.name} is ${w.dtype}; only float32 weights are supported`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (off + 4 * n > bytes.length) throw new ModelFormatError(`${file}: weights file is shorter than its manifest (at ${w.name})`);
      const values = new Float32Array(n);
      const view = new DataView(bytes.buffer, bytes.byteOffset + off, 4 * n);
      for (let i = 0; i < n; i++) {
        values[i] = view.getFloat32(4 * i, true);
        if (!Number.isFinite(values[i]!)) throw new ModelFormatError(`${file}: weight ${w.name} holds ${values[i]} at position ${i}; a model's weights must be finite numbers (was training diverging?)`);
      }
      byName.set(w.name, { shape: w.shape, values });
      off += 4 * n;
    }
    if (off !== bytes.length) throw new ModelFormatError(`${file}: the weights file holds ${bytes.length} bytes, but its manifest describes ${off}; the file is damaged or belongs to another model`);
  }

  const out: DenseLayerWeights[] = [];
  let inputs = -1;
  for (const [i, l] of layers.entries()) {
    const c = l.config ?? {};
    const name = String(c.name ?? `layer ${i}`);
    if (l.class_name !== 'Dense') throw new ModelFormatError(`${file}: layer ${name} is ${String(l.class_name)}; the decoder reads Dense layers only`);
    const units = c.units;
    if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) throw new ModelFormatError(`${file}: layer ${name} has no valid units`);
    const activation = (c.activation ?? 'linear') as Activation;
    if (!ACTIVATIONS.includes(activation)) throw new ModelFormatError(`${file}: layer ${name} uses activation ${String(c.activation)}; supported: ${ACTIVATIONS.join(', ')}`);
    const kernel = byName.get(`${name}/kernel`);
    if (!kernel || kernel.shape.length !== 2 || kernel.shape[1] !== units) throw new ModelFormatError(`${file}: layer ${name} has no [inputs, ${units}] kernel`);
    const fanIn = kernel.shape[0]!;
    if (inputs >= 0 && fanIn !== inputs) throw new ModelFormatError(`${file}: layer ${name} takes ${fanIn} inputs but the previous layer gives ${inputs}`);
    const useBias = c.use_bias !== false;
    const bias = useBias ? byName.get(`${name}/bias`) : { shape: [units], values: new Float32Array(units) };
    if (!bias || bias.values.length !== units) throw new ModelFormatError(`${file}: layer ${name} has no bias of ${units} values`);
    out.push({ name, inputs: fanIn, units, activation, kernel: kernel.values, bias: bias.values });
    inputs = units;
  }
  return out;
}

/**
 * The topology TF.js writes for a Sequential stack of Dense layers (used to save models
 * built without TensorFlow, such as the benchmark's, in the same format as trained ones).
 */
function denseSequentialTopology(name: string, inputs: number, layers: ReadonlyArray<{ name: string; units: number; activation: Activation }>): unknown {
  return {
    class_name: 'Sequential',
    config: {
      name,
      layers: layers.map((l, i) => ({
        class_name: 'Dense',
        config: {
          units: l.units,
          activation: l.activation,
          use_bias: true,
          kernel_initializer: { class_name: 'Zeros', config: {} },
          bias_initializer: { class_name: 'Zeros', config: {} },
          kernel_regularizer: null,
          bias_regularizer: null,
          activity_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
          name: l.name,
          trainable: true,
          ...(i === 0 ? { batch_input_shape: [null, inputs] } : {}),
          dtype: 'float32',
        },
      })),
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

/** Weights manifest and data for Dense layers given as plain arrays (kernel [inputs][units]). */
export function denseArtifacts(name: string, layers: readonly DenseLayerWeights[], generatedBy: string): LayersArtifacts {
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const l of layers) {
    specs.push({ name: `${l.name}/kernel`, shape: [l.inputs, l.units], dtype: 'float32' }, { name: `${l.name}/bias`, shape: [l.units], dtype: 'float32' });
    parts.push(l.kernel, l.bias);
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return {
    modelTopology: denseSequentialTopology(name, layers[0]?.inputs ?? 0, layers),
    weightSpecs: specs,
    weightData: data.buffer,
    generatedBy,
  };
}
