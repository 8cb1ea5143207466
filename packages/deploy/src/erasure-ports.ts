import { DynamoErasureJoinItems, DynamoErasureUnitClaims, S3ErasureArchive, S3ErasureDatasets } from '@flywheel/aws';
import type { ErasureWorkDependencies, FeatureEraser } from '@flywheel/core';
import type { StackAdapters } from './stack-adapters.ts';

/** What `POST /v1/erasures` needs: the store, the queue, and the unit hash the serving path logs with. */
export function createErasureApiDependencies(stack: StackAdapters, features?: FeatureEraser) {
  return {
    store: stack.erasures,
    queue: stack.erasureQueue,
    hashUnit: stack.hashUnit,
    ...(features ? { features } : {}),
  };
}

/** What the erasure worker works on. */
export function createErasureWorkDependencies(stack: StackAdapters, features?: FeatureEraser): ErasureWorkDependencies {
  const { clients, names } = stack;
  return {
    store: stack.erasures,
    erased: stack.erasedSubjects,
    archive: new S3ErasureArchive(clients.s3, names.bucket),
    joins: new DynamoErasureJoinItems(clients.dynamodb, names.tables.monitoring),
    unitClaims: new DynamoErasureUnitClaims(clients.dynamodb, names.tables.monitoring),
    datasets: new S3ErasureDatasets(clients.s3, names.bucket, stack.datasetRegistry),
    ...(features ? { features } : {}),
  };
}
