import { bucket } from './bucket.ts';
import type { FeatureCatalogDefinition } from './types.ts';

/**
 * The offline feature store as a table Athena can query in AWS: every view's rows in one Glue
 * table over `features/view=<view>/date=<yyyy-mm-dd>/*.parquet`, the columns the Parquet files
 * hold (packages/aws/src/offline-feature-store.ts), partitions projected from the keys. The
 * point-in-time SQL (packages/core/src/features/point-in-time-sql.ts) is the one DuckDB runs locally.
 */
export const featureCatalog = {
  table: {
    name: 'feature_rows',
    prefix: bucket.prefixes.features,
    columns: [
      { name: 'entity_id', type: 'string' },
      { name: 'event_time_ms', type: 'bigint' },
      { name: 'ingested_at_ms', type: 'bigint' },
      { name: 'feature_values', type: 'string' },
    ],
    partitionKeys: [
      { name: 'view', type: 'string' },
      { name: 'date', type: 'string' },
    ],
  },
  workgroup: { resultsPrefix: bucket.prefixes.athenaResults },
} as const satisfies FeatureCatalogDefinition;
