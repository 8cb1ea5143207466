export { MAX_ERROR_LENGTH, PredictionLogRecordSchema, isPredictionLogRecord, type PredictionLogRecord, type PredictionLogStatus } from './record.ts';
export type { LoggingPolicyInput, PredictionLogEntry, PredictionLogSink, PredictionRow } from './entry.ts';
export { isLogged } from './sampling.ts';
export { MAX_LOGGED_STRING, MAX_LOGGED_VALUES, truncateValue } from './truncation.ts';
export { utf8Length } from './utf8.ts';
export { RowAgreementSchema, compareRowOutputs, isRowAgreement, type RowAgreement } from './shadow-agreement.ts';
export { preparePredictionLogRecords, type UnitHasher } from './prepare.ts';
export {
  BATCH_FORMAT,
  InvalidLogBatchError,
  MAX_HEADER_BYTES,
  MAX_RECORD_BYTES,
  decodePredictionLogBatch,
  encodeBatchBody,
  encodeBatchHeader,
  encodeLogRecord,
  encodePredictionLogBatch,
  unpackLogRecord,
  type DecodedLogBatch,
  type EncodedLogRecord,
  type LogRecordEncoding,
  type PredictionLogBatch,
  type PredictionLogBatchHeader,
  type RejectedLogLine,
} from './batch.ts';
export type { Base64Encoder } from './packed-numbers.ts';
export { SQS_PACKING_LIMITS, packMessages, packSendBatches, type PackingLimits } from './packing.ts';
export { MAX_COLUMNS_PER_OUTPUT, outputColumnSpecs, outputColumns } from './output-columns.ts';
export { ServingMetrics, meteredSink, type ServingSeries, type ServingSeriesLabels } from './serving-metrics.ts';
export { HeldPredictionLog } from './held-log.ts';
