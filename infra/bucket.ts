import { retention } from './retention.ts';
import type { BucketDefinition } from './types.ts';

export const bucket = {
  name: 'artifacts',
  envVar: 'FLYWHEEL_BUCKET',
  prefixes: {
    /** Content-addressed, immutable model bytes: models/sha256/<hex>.onnx */
    models: 'models/sha256/',
    /** Presigned uploads land here before registration moves them under models/. */
    uploads: 'uploads/',
    /** Reference profiles: baselines/<model>/<version>/profile.json */
    baselines: 'baselines/',
    /** Raw prediction logs: logs/endpoint=<e>/date=<yyyy-mm-dd>/hour=<hh>/<id>.ndjson.gz */
    logs: 'logs/',
    /** Log batches that could not reach the queue, replayed later: spill/<date>/<id>.ndjson */
    spill: 'spill/',
    /** Training dataset versions, content-addressed: datasets/sha256/<hex>.ndjson.gz */
    datasets: 'datasets/',
    /** Feature view rows as Parquet: features/view=<view>/date=<yyyy-mm-dd>/<sha256>.parquet (the Glue table's partitions) */
    features: 'features/',
    /** Athena's query results over the feature store: athena-results/<query id>.csv */
    athenaResults: 'athena-results/',
    /** Batch prediction jobs: batch/<jobId>/ (inline input, chunk plan, parts/<chunk>.ndjson, output.ndjson) */
    batch: 'batch/',
  },
  retentionDays: {
    /** An upload not registered within a day was abandoned. */
    uploads: 1,
    /** The retraining source and the audit of what was served: a bit over a year, for yearly seasonality. The most an endpoint may keep (retention.ts). */
    logs: retention.logs.maxDays,
    /** A run's dataset is its evidence; runs older than this are history, their models keep their lineage. */
    datasets: 180,
    /** A query's result is read once, by the call that ran it. */
    athenaResults: 7,
    /** A batch job's output is for its caller to collect; a month is long enough to. */
    batch: 30,
  },
  /**
   * A multipart upload (an artifact over 8 MiB, a batch input) takes minutes; one whose client died
   * before completing or aborting it leaves parts that S3 bills and no listing shows.
   */
  abortIncompleteUploadsAfterDays: 1,
} as const satisfies BucketDefinition;
