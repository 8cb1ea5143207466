import { bucket } from './bucket.ts';
import type { FeatureCatalogDefinition } from './types.ts';

/**
 * The offline feature store as tables Athena can query in AWS: every view's rows in one Glue
 * table over `features/view=<view>/date=<yyyy-mm-dd>/*.parquet`, the columns the Parquet files
 * hold (packages/aws/src/feature-parquet.ts), partitions projected from the keys; and the spines
 * (the rows a historical join asks about), one partition per join, written next to Athena's
 * results and expiring with them. The point-in-time SQL
 * (packages/core/src/features/point-in-time-sql.ts) is the one DuckDB runs locally over the same layout.
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
  spines: {
    name: 'feature_spines',
    prefix: `${bucket.prefixes.athenaResults}spines/`,
    columns: [
      { name: 'row_id', type: 'int' },
      { name: 'entity_id', type: 'string' },
      { name: 'event_time_ms', type: 'bigint' },
    ],
    partitionKeys: [{ name: 'spine', type: 'string' }],
  },
  workgroup: { resultsPrefix: bucket.prefixes.athenaResults },
  /** Where the functions that query the catalog find the Glue database and the workgroup. */
  envVars: { database: 'FLYWHEEL_FEATURE_DATABASE', workgroup: 'FLYWHEEL_FEATURE_WORKGROUP' },
  /** The functions (infra/functions.ts) that run historical joins on Athena. */
  queriedBy: ['api', 'train'],
} as const satisfies FeatureCatalogDefinition;
