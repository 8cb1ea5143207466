import { metadataIssues, registerModelVersion, RegistrationInProgressError, VersionDeletedError, type FieldIssue, type ModelMetadata, type ModelVersion } from '@flywheel/core';
import { ModelLoadError, sha256Hex } from '@flywheel/inference';
import { Problem } from '../problem.ts';
import type { Serving } from '../serving/serving.ts';
import type { RegistryDependencies } from './models.ts';

/**
 * Registers ONNX bytes as a version of `model`: loads them (the validation, which also leaves the
 * session warm for the first prediction), checks the metadata against the signature, stores the
 * artifact and numbers the version (or finds the one these bytes have). Shared by the registry
 * routes and the MLflow model-version routes.
 */
export async function registerOnnx(
  deps: RegistryDependencies,
  serving: Serving,
  model: string,
  bytes: Uint8Array,
  metadata: ModelMetadata,
  metadataPath: string,
): Promise<{ version: ModelVersion; created: boolean }> {
  if (bytes.byteLength === 0) throw new Problem(400, 'The model is empty; send the bytes of an .onnx file.');
  const sha256 = await sha256Hex(bytes);
  const loaded = await serving.sessions
    .get(sha256, async () => bytes)
    .catch((error: unknown) => {
      if (error instanceof ModelLoadError) throw new Problem(422, `The bytes are not a model this server can serve: ${error.reason}`);
      throw error;
    });
  const issues = metadataIssues(metadata, loaded.signature);
  if (issues.length) throw new Problem(400, 'The metadata does not match the model.', { errors: prefixed(issues, metadataPath) });
  return registerModelVersion(deps, bytes, {
    model,
    sha256,
    sizeBytes: bytes.byteLength,
    signature: loaded.signature,
    notes: [...loaded.notes],
    ...metadata,
    lineage: metadata.lineage ?? {},
    createdAt: new Date().toISOString(),
  }).catch((error: unknown) => {
    if (error instanceof RegistrationInProgressError)
      throw new Problem(409, 'The same model is being registered by another request; retry shortly.', { headers: { 'retry-after': '1' } });
    if (error instanceof VersionDeletedError)
      throw new Problem(409, `These bytes were version ${error.version} of model ${model}, which was deleted; deleted bytes are not registered again.`);
    throw error;
  });
}

export function prefixed(issues: readonly FieldIssue[], prefix: string): FieldIssue[] {
  return issues.map((issue) => ({ path: issue.path === '/' ? prefix : `${prefix}/${issue.path}`, message: issue.message }));
}
