import {
  DynamoAlertStore,
  DynamoApiKeyStore,
  DynamoAuditLog,
  DynamoBatchLedger,
  DynamoDatasetRegistry,
  DynamoDriftScoreStore,
  DynamoEndpointStore,
  DynamoErasedSubjects,
  DynamoErasureStore,
  DynamoEventStore,
  DynamoGovernanceStore,
  DynamoGuardrailStateStore,
  DynamoModelRegistry,
  DynamoPerformanceScoreStore,
  DynamoRateLimitLedger,
  DynamoWindowStore,
  LOCAL_UNIT_HASH_KEY,
  S3ArtifactStore,
  S3DatasetStore,
  S3LogArchive,
  S3LogArchiveReader,
  S3ReferenceProfileStore,
  SqsDeadLetterQueue,
  SqsErasureQueue,
  SqsEventPublisher,
  createPredictionLogSink,
  hmacUnitHasher,
  type AwsClients,
  type ResourceNames,
  type SqsPredictionLogSink,
} from '@flywheel/aws';
import type { Logger, RetrainPorts } from '@flywheel/core';
import { createBatchPorts } from './batch-ports.ts';
import { createFeedbackPorts, type FeedbackPorts } from './feedback.ts';
import { createRetrainPorts } from './retrain-ports.ts';
import { createTrackingPorts } from './tracking-ports.ts';

/**
 * The stack's AWS adapters for one process, each built on its first use and kept: a deployable
 * reads the name of a resource only when it uses it (a function is given only the names of what
 * infra/functions.ts grants it), and two parts of one process share one adapter (one
 * `SqsEventPublisher`, one model registry). The composition roots build one per process.
 */
export class StackAdapters {
  readonly #built = new Map<string, unknown>();

  constructor(
    readonly clients: AwsClients,
    readonly names: ResourceNames,
    /** The deploy's environment: the unit hash key the prediction log and erasures share. */
    readonly env: Record<string, string | undefined> = process.env,
    /** Where the adapters that log (the prediction log sink) write; silent by default. */
    readonly logger?: Logger,
  ) {}

  #once<T>(key: string, build: () => T): T {
    if (!this.#built.has(key)) this.#built.set(key, build());
    return this.#built.get(key) as T;
  }

  get apiKeys() {
    return this.#once('apiKeys', () => new DynamoApiKeyStore(this.clients.dynamodb, this.names.tables.registry));
  }
  get registry() {
    return this.#once('registry', () => new DynamoModelRegistry(this.clients.dynamodb, this.names.tables.registry));
  }
  get endpoints() {
    return this.#once('endpoints', () => new DynamoEndpointStore(this.clients.dynamodb, this.names.tables.registry));
  }
  get artifacts() {
    return this.#once('artifacts', () => new S3ArtifactStore(this.clients.s3, this.names.bucket));
  }
  /** The predict path's stores. */
  get serving() {
    return { apiKeys: this.apiKeys, registry: this.registry, endpoints: this.endpoints, artifacts: this.artifacts };
  }
  get governance() {
    return this.#once('governance', () => new DynamoGovernanceStore(this.clients.dynamodb, this.names.tables.registry));
  }
  get datasetRegistry() {
    return this.#once('datasetRegistry', () => new DynamoDatasetRegistry(this.clients.dynamodb, this.names.tables.registry));
  }
  get datasetObjects() {
    return this.#once('datasetObjects', () => new S3DatasetStore(this.clients.s3, this.names.bucket));
  }
  /** The events queue's publisher: the one every part of the process publishes CloudEvents with. */
  get events() {
    return this.#once('events', () => new SqsEventPublisher(this.clients.sqs, this.names.queues.events));
  }
  get eventStore() {
    return this.#once('eventStore', () => new DynamoEventStore(this.clients.dynamodb, this.names.tables.operations));
  }
  get audit() {
    return this.#once('audit', () => new DynamoAuditLog(this.clients.dynamodb, this.names.tables.operations));
  }
  get rateLimits() {
    return this.#once('rateLimits', () => new DynamoRateLimitLedger(this.clients.dynamodb, this.names.tables.operations));
  }
  get alerts() {
    return this.#once('alerts', () => new DynamoAlertStore(this.clients.dynamodb, this.names.tables.operations));
  }
  get guardrailStates() {
    return this.#once('guardrailStates', () => new DynamoGuardrailStateStore(this.clients.dynamodb, this.names.tables.operations));
  }
  get erasures() {
    return this.#once('erasures', () => new DynamoErasureStore(this.clients.dynamodb, this.names.tables.operations));
  }
  get erasureQueue() {
    return this.#once('erasureQueue', () => new SqsErasureQueue(this.clients.sqs, this.names.queues.erasures));
  }
  get erasedSubjects() {
    return this.#once('erasedSubjects', () => new DynamoErasedSubjects(this.clients.dynamodb, this.names.tables.operations));
  }
  get windows() {
    return this.#once('windows', () => new DynamoWindowStore(this.clients.dynamodb, this.names.tables.monitoring));
  }
  get driftScores() {
    return this.#once('driftScores', () => new DynamoDriftScoreStore(this.clients.dynamodb, this.names.tables.monitoring));
  }
  get performanceScores() {
    return this.#once('performanceScores', () => new DynamoPerformanceScoreStore(this.clients.dynamodb, this.names.tables.monitoring));
  }
  get ledger() {
    return this.#once('ledger', () => new DynamoBatchLedger(this.clients.dynamodb, this.names.tables.monitoring));
  }
  /** Reference profiles and baselines: one store, read by drift and written by `PUT …/baseline`. */
  get profiles() {
    return this.#once('profiles', () => new S3ReferenceProfileStore(this.clients.s3, this.names.bucket));
  }
  get archive() {
    return this.#once('archive', () => new S3LogArchive(this.clients.s3, this.names.bucket));
  }
  get archiveReader() {
    return this.#once('archiveReader', () => new S3LogArchiveReader(this.clients.s3, this.names.bucket));
  }
  get deadLetters() {
    return this.#once('deadLetters', () => new SqsDeadLetterQueue(this.clients.sqs, this.names.queues.predictionLogs));
  }
  get unitHashKey(): string | undefined {
    return this.env.FLYWHEEL_UNIT_HASH_KEY || undefined;
  }
  /** The sink's key and function (prediction-log-sink.ts), so an erasure's hash matches what was logged. */
  get hashUnit() {
    return this.#once('hashUnit', () => hmacUnitHasher(this.unitHashKey ?? LOCAL_UNIT_HASH_KEY));
  }
  /** The prediction log of a deployable that serves in the home region (the API, the batch worker): it replays its own spill. */
  get predictionLogSink(): SqsPredictionLogSink {
    return this.#once('predictionLogSink', () =>
      createPredictionLogSink(this.clients, { queueUrl: this.names.queues.predictionLogs, bucket: this.names.bucket, unitHashKey: this.unitHashKey }, { logger: this.logger }),
    );
  }
  get retrain(): RetrainPorts {
    return this.#once('retrain', () => createRetrainPorts(this));
  }
  get feedback(): FeedbackPorts {
    return this.#once('feedback', () => createFeedbackPorts(this));
  }
  get batch() {
    return this.#once('batch', () => createBatchPorts(this.clients, this.names));
  }
  get tracking() {
    return this.#once('tracking', () => createTrackingPorts(this.clients, this.names));
  }
}
