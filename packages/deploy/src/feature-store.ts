import { DynamoFeatureViewStore, DynamoOnlineFeatureStore, S3ParquetFeatureStore, type AwsClients, type FeatureParquetEngine, type ResourceNames } from '@flywheel/aws';
import { FeatureStore } from '@flywheel/core';

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
