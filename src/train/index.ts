/**
 * ANN training with the threshold ReLU on ONNX Runtime (the method's step one).
 *
 *   const { graph, recipe } = await trainModel({ preset: 'cnn4', act: 'clip', theta: 1, data: 'fashion-mnist' });
 *
 * (trainModel is the Node host's, src/node/train-files.ts: trainWith with the file steps of TrainFiles.)
 */
export {
  trainWith,
  evaluateAccuracy,
  activationFrom,
  recipePath,
  type TrainFiles,
  type TrainOptions,
  type TrainResult,
  type TrainHooks,
  type TrainProgress,
  type EpochSummary,
  type TrainConfig,
  type Recipe,
  type ActivationName,
} from './train.js';
export {
  preset,
  presetNames,
  presetInputs,
  presetRecipes,
  isPresetName,
  type ModelSpec,
  type LayerSpec,
  type ActivationSpec,
  type PresetName,
} from './spec.js';
export { compileNetwork, TrainError, type Network, type Layer, type ParamInfo } from './network.js';
export { initParams, type ParamStore } from './params.js';
export { TrainEngine, type EngineOptions, type StepResult } from './engine.js';
export { buildTrainModel, buildEvalModel, type ConvGradStrategy } from './tape.js';
export {
  optimizerStep,
  learningRate,
  newOptimizerState,
  type OptimizerConfig,
  type OptimizerState,
  type OptimizerName,
  type ScheduleName,
} from './optim.js';
export { networkToGraph } from './export.js';
export { modelFromGraph } from './from-graph.js';
export { encodeCheckpoint, decodeCheckpoint, type Checkpoint, type CheckpointHeader } from './checkpoint.js';
export { augmentBatch } from './augment.js';
export { Rng, deriveSeed } from './rng.js';
