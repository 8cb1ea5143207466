// @flywheel/inference: load ONNX models, describe them, run predictions, and write models.
export { loadModel, type LoadedModel, type LoadOptions } from './load.ts';
export { inferenceBackend, parseBackendConfig, type BackendName, type BackendConfig, type InferenceBackend } from './backend.ts';
export { predict, inferOip, type OipInferRequest } from './predict.ts';
export { releaseModel } from './run.ts';
export { SessionCache, type SessionCacheOptions } from './cache.ts';
export { sha256Hex } from './digest.ts';
export { ModelLoadError, InputValidationError, InferenceError, type InputIssue } from './errors.ts';
export type { Signature, TensorSpec } from './signature.ts';
export type { NestedValue, OipTensor } from './codec.ts';
export type { OipDatatype } from './dtypes.ts';
export {
  writeModel,
  tensorType,
  sequenceType,
  mapType,
  floatTensor,
  int64Tensor,
  type ModelSpec,
  type NodeSpec,
  type ValueSpec,
  type ValueType,
  type Dim,
  type AttributeValue,
  type Initializer,
  type TensorInit,
  type IntLike,
} from './writer.ts';
