import {
  AthenaFeatureEngine,
  DynamoFeatureViewStore,
  DynamoOnlineFeatureStore,
  S3ParquetFeatureFiles,
  S3ParquetFeatureStore,
  createAthenaClient,
  featureCatalogNamesFromEnv,
  type AthenaPolling,
  type AwsClients,
  type FeatureJoinEngine,
  type ResourceNames,
} from '@flywheel/aws';
import { FeatureEntityEraser, FeatureStore, type OnlineFeatureStore } from '@flywheel/core';

/**
 * The feature store: views in the registry table, the online store in the features table, rows as
 * Parquet in the bucket (written in JavaScript everywhere), joined point-in-time by `engine`
 * (DuckDB locally: `@flywheel/aws/duckdb`; Athena in AWS: {@link createDeployedFeatureStore}).
 */
export function createFeatureStore(clients: AwsClients, names: ResourceNames, engine: FeatureJoinEngine): FeatureStore {
  return new FeatureStore({
    views: new DynamoFeatureViewStore(clients.dynamodb, names.tables.registry),
    online: lazyOnlineStore(() => new DynamoOnlineFeatureStore(clients.dynamodb, names.tables.features)),
    offline: new S3ParquetFeatureStore(clients.s3, names.bucket, engine),
  });
}

/**
 * The feature store of a deployed function, its historical joins on Athena in the catalog
 * sst.config.ts names in the environment; undefined when it names none (the function is not one
 * of infra/feature-catalog.ts's `queriedBy`, or runs outside AWS without one). `polling` sets how
 * long a join may take (the API's default fits a request; the trainer may wait longer).
 */
export function createDeployedFeatureStore(
  clients: AwsClients,
  names: ResourceNames,
  options: { env?: Record<string, string | undefined>; polling?: Partial<AthenaPolling> } = {},
): FeatureStore | undefined {
  const catalog = featureCatalogNamesFromEnv(options.env);
  if (!catalog) return undefined;
  return createFeatureStore(clients, names, new AthenaFeatureEngine(createAthenaClient(), clients.s3, names.bucket, catalog, options.polling));
}

/** What the erasure worker erases an entity's rows with: the online item and the offline files, no join engine. */
export function createFeatureEraser(clients: AwsClients, names: ResourceNames): FeatureEntityEraser {
  return new FeatureEntityEraser({
    views: new DynamoFeatureViewStore(clients.dynamodb, names.tables.registry),
    online: new DynamoOnlineFeatureStore(clients.dynamodb, names.tables.features),
    offline: new S3ParquetFeatureFiles(clients.s3, names.bucket),
  });
}

/**
 * The online store built on first use, so its table's name is read only then (as
 * resourceNamesFromEnv reads each name): the trainer joins offline rows and is granted no features table.
 */
function lazyOnlineStore(create: () => OnlineFeatureStore): OnlineFeatureStore {
  let store: OnlineFeatureStore | undefined;
  const online = () => (store ??= create());
  return {
    write: (view, rows) => online().write(view, rows),
    latest: (view, entityIds) => online().latest(view, entityIds),
    erase: (view, entityId) => online().erase(view, entityId),
  };
}
