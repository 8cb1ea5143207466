export {
  DEFAULT_MONITORING,
  endpointConfigSchema,
  monitoringPlan,
  parseEndpointConfig,
  type ConfigError,
  type EndpointConfig,
  type EndpointConfigInput,
  type GuardrailMetric,
  type Guardrails,
  type LoggingPolicy,
  type MonitoringConfig,
  type MonitoringPlan,
  type ParsedEndpointConfig,
  type RetrainPolicy,
  type RetrainTrigger,
  type ShadowSpec,
  type Trainer,
  type VariantSpec,
} from './endpoint-config.ts';
export { BUCKETS, toBasisPoints } from './basis-points.ts';
export {
  allocationSchema,
  basisPointsOf,
  initialAllocation,
  reallocate,
  type Allocation,
  type BucketRange,
  type VariantBuckets,
  type VariantWeight,
} from './allocation.ts';
export { bucketOf, inShadow, randomBucket, requestBucket } from './bucket.ts';
export { assignVariant } from './assign.ts';
export { murmur3 } from './murmur3.ts';
