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
    /** Training datasets and their manifests: datasets/<runId>/ */
    datasets: 'datasets/',
  },
  retentionDays: {
    /** An upload not registered within a day was abandoned. */
    uploads: 1,
    /** The retraining source and the audit of what was served: a bit over a year, for yearly seasonality. The most an endpoint may keep (retention.ts). */
    logs: retention.logs.maxDays,
    /** A run's dataset is its evidence; runs older than this are history, their models keep their lineage. */
    datasets: 180,
  },
} as const satisfies BucketDefinition;
