/**
 * The VAE entry (AnoGen): training, model files and latent regions. `trainVae` loads
 * TensorFlow.js when called (a dynamic import), so importing this module does not;
 * generation uses `src/variables/vae.ts`, which needs none of it.
 */
export { trainVae, type TrainVaeOptions, type TrainVaeResult, type EpochReport } from './train.js';
export { readVaeModel, readVaeMeta, modelSha256, VAE_META_FILE, type VaeModelMeta, type TrainingRecord, type LoadedVaeModel } from './model.js';
export { latentStats, radiusQuantile, radiusBand, LatentSampler, type LatentStats, type RadiusMeasure } from './latent.js';
export { DenseDecoder } from './decoder.js';
export { writeSyntheticModel, type SyntheticModelOptions } from './synthetic.js';
