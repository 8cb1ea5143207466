export {
  LATENCY_RELATIVE_ERROR,
  LatencyHistogramSchema,
  createLatencyHistogram,
  errorRate,
  latencyQuantile,
  mergeLatencyHistograms,
  prometheusBuckets,
  recordRequest,
  type LatencyHistogram,
  type PrometheusHistogram,
} from './latency-histogram.ts';
