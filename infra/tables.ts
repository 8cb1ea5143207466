import type { TableDefinition } from './types.ts';

/**
 * Tables split by access pattern and lifetime rather than one per entity:
 * the registry is small and read on every request (cached), monitoring is written by
 * consumers at traffic rate, operations is the audit trail that ops and pipelines read, features
 * is read by entity key on the predict path and written by feature ingestion.
 */
export const tables = {
  registry: {
    name: 'registry',
    envVar: 'FLYWHEEL_TABLE_REGISTRY',
    description: 'Models, versions, aliases and their history, endpoints and their config history, API keys.',
    hashKey: 'pk',
    rangeKey: 'sk',
    indexes: [
      // Lookups by something other than the primary key: artifact sha256 → version, key hash → API key.
      { name: 'byLookup', hashKey: 'lookup', rangeKey: 'sk' },
    ],
  },
  monitoring: {
    name: 'monitoring',
    envVar: 'FLYWHEEL_TABLE_MONITORING',
    description: 'Per-window monitoring state, prediction/feedback join records, idempotency records of consumers.',
    hashKey: 'pk',
    rangeKey: 'sk',
    indexes: [],
    ttl: 'expiresAt',
  },
  operations: {
    name: 'operations',
    envVar: 'FLYWHEEL_TABLE_OPERATIONS',
    description: 'Alerts, emitted events, retraining runs, request idempotency records.',
    hashKey: 'pk',
    rangeKey: 'sk',
    indexes: [
      // Listing by a coarse partition ordered by time: alerts by status, runs by model, events by type.
      { name: 'byStatus', hashKey: 'gsi1pk', rangeKey: 'gsi1sk' },
    ],
    ttl: 'expiresAt',
  },
  features: {
    name: 'features',
    envVar: 'FLYWHEEL_TABLE_FEATURES',
    description: 'The online feature store: the latest row of each entity of each feature view (pk = view and entity).',
    hashKey: 'pk',
    rangeKey: 'sk',
    indexes: [],
  },
  tracking: {
    name: 'tracking',
    envVar: 'FLYWHEEL_TABLE_TRACKING',
    description: 'Experiment tracking (the MLflow API): experiments, runs with params, tags and latest metrics, metric histories.',
    hashKey: 'pk',
    rangeKey: 'sk',
    indexes: [
      // Children by parent: experiments under EXPERIMENTS, runs under RUNS#<experimentId>.
      { name: 'byParent', hashKey: 'gsi1pk', rangeKey: 'gsi1sk' },
    ],
  },
} as const satisfies Record<string, TableDefinition>;
