export { NAME_PATTERN, isResourceName, resourceNameSchema } from './names.ts';
export { inputSignatureMismatch, formatShape, type ModelSignature, type TensorDescription } from './signature.ts';
export {
  featureSchema,
  taskSchema,
  modelMetadataSchema,
  metadataIssues,
  placeFeature,
  type Feature,
  type FieldIssue,
  type ModelMetadata,
  type Task,
} from './metadata.ts';
export { recordsPlan, applyRecordsPlan, type RecordsPlan } from './records.ts';
export { predictionRows, rowCount, type TensorRows } from './prediction-rows.ts';
export { describeTarget, type AliasChange, type ModelTarget, type ModelVersion, type ModelVersionDraft } from './model-version.ts';
export {
  checkIfMatch,
  endpointEtag,
  nextEndpointRecord,
  randomSalt,
  type EndpointChange,
  type EndpointChangeKind,
  type EndpointChangeRequest,
  type EndpointRecord,
  type GuardrailDecisionRecord,
  type PreconditionResult,
} from './endpoint.ts';
export type { ArtifactStore, EndpointStore, ModelRegistry, StagedUpload, UploadCompletion, UploadedPart, UploadRead } from './ports.ts';
export { RegistrationInProgressError } from './errors.ts';
export { registerModelVersion, type RegistrationPorts } from './register-version.ts';
