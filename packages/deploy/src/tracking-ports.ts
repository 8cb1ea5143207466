import type { BuiltinRunLocations, RegisteredModelStore, TrackingArtifacts, TrackingStore } from '@flywheel/core';
import { DynamoRegisteredModelStore, DynamoTrackingStore, S3TrackingArtifacts, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { bucket } from '@flywheel/infra';

/** Where tracked artifacts and built-in runs' datasets live in the stack's bucket. */
export function trackingLocations(names: ResourceNames): BuiltinRunLocations {
  return {
    artifactRoot: (experimentId) => `s3://${names.bucket}/tracking/${experimentId}`,
    // Where S3DatasetStore keeps a dataset's bytes: content-addressed.
    datasetSource: (sha256) => `s3://${names.bucket}/${bucket.prefixes.datasets}sha256/${sha256}.ndjson.gz`,
  };
}

/** Experiment tracking on the stack's resources: the tracking table, and run artifacts in the bucket. */
export function createTrackingPorts(clients: AwsClients, names: ResourceNames): { store: TrackingStore; artifacts: TrackingArtifacts; registeredModels: RegisteredModelStore } {
  const locations = trackingLocations(names);
  return {
    store: new DynamoTrackingStore(clients.dynamodb, names.tables.tracking, locations.artifactRoot),
    artifacts: new S3TrackingArtifacts(clients.s3, names.bucket),
    registeredModels: new DynamoRegisteredModelStore(clients.dynamodb, names.tables.tracking),
  };
}
