// @flywheel/train: the built-in retraining pipeline as a library.
export {
  DatasetError,
  categoryCode,
  classIndex,
  encodeRows,
  encodeValue,
  type Dataset,
  type EncodedRows,
  type Example,
  type TaskType,
  type TrainingFeature,
  type TrainingTask,
} from './dataset.ts';
export { generateTabularDataset, generatedFeatures, type GenerateOptions } from './generate.ts';
export { seededRandom, type Random } from './random.ts';
export { assembleExamples, type AssembleOptions, type Assembled, type LabelRow, type LoggedRow } from './assemble.ts';
export { splitByTime, type TimeSplit } from './split.ts';
export { canonicalDatasetBytes, canonicalJson, datasetManifest, datasetSummary } from './manifest.ts';
export { trainLinear, predictLinear, type LinearModel, type LinearParams } from './linear.ts';
export { trainBoostedTrees, predictBoostedTrees, type BoostedTreesModel, type BoostedTreesParams, type Tree, type TreeNode } from './boosted-trees.ts';
export { exportOnnx, defaultLayout, type OnnxLayout, type TrainedModel } from './export-onnx.ts';
export { predictModel, type Predictions } from './predictions.ts';
export { EXPORT_TOLERANCE, ExportMismatchError, predictOnnx, verifyExport } from './onnx-check.ts';
export { compareMetrics, evaluatePredictions, rocAuc, type Comparison, type Metrics } from './metrics.ts';
export { trainChallenger, type Algorithm, type Champion, type TrainOptions, type TrainParams, type TrainingResult } from './pipeline.ts';
export { registryFeatures, registryTask, retrainableShape } from './registry-metadata.ts';
export { runTrainJob, type TrainJobDependencies } from './train-job.ts';
export { RunFailure } from './run-failure.ts';
export { championOf, registerDataset, runDataset, trainingRows, type LabelSource, type RunChampion, type RunDatasetDependencies, type TrainingRows } from './run-dataset.ts';
export { DEMO_ENDPOINT, DEMO_MODEL, demoSeed, demoTraffic, type DemoSeed } from './demo-seed.ts';
export { FeatureViewMissingError, joinViewFeatures } from './feature-views.ts';
export { TRAINER_VERSION, currentCodeVersion, type CodeVersion } from './code-version.ts';
