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
export type { ArtifactStore, EndpointStore, GovernanceStore, ModelRegistry, StagedUpload, UploadCompletion, UploadedPart, UploadRead } from './ports.ts';
export { RegistrationInProgressError, VersionDeletedError } from './errors.ts';
export {
  STAGES,
  approveStage,
  changeStage,
  deleteVersion,
  deleteVersionSchema,
  describeReferences,
  initialGovernance,
  matchesFilter,
  rejectStage,
  retag,
  servingReferences,
  stageChangeSchema,
  stageDecisionSchema,
  stageSchema,
  tagChangeSchema,
  type Actor,
  type GovernanceChange,
  type GovernanceOutcome,
  type GovernanceRecord,
  type GovernanceRefusal,
  type ServingReference,
  type Stage,
  type StageRequest,
  type VersionFilter,
} from './governance.ts';
export { registerModelVersion, type RegistrationPorts } from './register-version.ts';
export {
  configNodeId,
  datasetNodeId,
  lineageGraph,
  runNodeId,
  versionNodeId,
  type LineageActor,
  type LineageEdge,
  type LineageFacts,
  type LineageGraph,
  type LineageNode,
  type LineageStart,
} from './lineage-graph.ts';
