import { FeatureStore } from '@flywheel/core';
import type { AwsClients } from './clients.ts';
import { DynamoFeatureViewStore } from './feature-view-store.ts';
import { S3ParquetFeatureStore, type FeatureParquetEngine } from './offline-feature-store.ts';
import { DynamoOnlineFeatureStore } from './online-feature-store.ts';
import type { ResourceNames } from './resources.ts';

/**
 * The feature store: views in the registry table, the online store in the features table, rows as
 * Parquet in the bucket, read and written by `engine` (DuckDB locally: `@flywheel/aws/duckdb`).
 */
export function createFeatureStore(clients: AwsClients, names: ResourceNames, engine: FeatureParquetEngine): FeatureStore {
  return new FeatureStore({
    views: new DynamoFeatureViewStore(clients.dynamodb, names.tables.registry),
    online: new DynamoOnlineFeatureStore(clients.dynamodb, names.tables.features),
    offline: new S3ParquetFeatureStore(clients.s3, names.bucket, engine),
  });
}
