/** The stack as plain typed data: sst.config.ts and the local stack are both built from it. */

export interface TableIndex {
  name: string;
  hashKey: string;
  rangeKey: string;
}

export interface TableDefinition {
  /** Logical name; the physical name is derived per stage. */
  name: string;
  /** Environment variable through which functions learn the physical name. */
  envVar: string;
  description: string;
  hashKey: string;
  rangeKey: string;
  indexes: readonly TableIndex[];
  /** Attribute holding an epoch-seconds expiry. */
  ttl?: string;
}

export interface QueueDefinition {
  name: string;
  envVar: string;
  description: string;
  /** Seconds a received message stays invisible; ≥ the consumer's timeout. */
  visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** How long messages are kept in the queue. */
  retentionSeconds: number;
  /** How long dead letters are kept; longer than `retentionSeconds` (a message keeps its age when it moves). */
  deadLetterRetentionSeconds: number;
}

export interface BucketDefinition {
  name: string;
  envVar: string;
  /** The prefix layout inside the bucket; keys are built from these and nothing else. */
  prefixes: Record<string, string>;
  /** Days after which objects under a prefix expire (an S3 lifecycle rule each); other prefixes are kept. */
  retentionDays: Partial<Record<string, number>>;
  /** Days after which a multipart upload that was neither completed nor aborted is aborted and its parts deleted (a bucket-wide lifecycle rule). */
  abortIncompleteUploadsAfterDays: number;
}

export type Resource =
  | { kind: 'table'; name: string; access: 'read' | 'readwrite' }
  | { kind: 'queue'; name: string; access: 'send' | 'consume' }
  /** A queue's dead-letter queue, for consumers that park bad records there themselves. */
  | { kind: 'deadLetterQueue'; queue: string; access: 'send' }
  /**
   * `putsUnder`: prefixes (keys of the bucket's prefixes) a read-only function may also put objects
   * under, and nothing else: the edge spills log batches it could not send.
   */
  | { kind: 'bucket'; access: 'read' | 'readwrite'; putsUnder?: readonly string[] };

export interface QueueTrigger {
  queue: string;
  /** Records per invocation. */
  batchSize: number;
  /** Seconds to gather a batch before invoking with fewer records. */
  batchWindowSeconds: number;
}

/** A function run on the clock (EventBridge Scheduler in AWS, a timer under `npm start`). */
export interface ScheduleTrigger {
  /** Seconds between runs; EventBridge's finest grain is one minute. */
  everySeconds: number;
}

export interface FunctionDefinition {
  name: string;
  /** `file.export`, relative to the repository root. */
  handler: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  trigger: /**
   * A Function URL. `streaming`: the handler is wrapped in `awslambda.streamifyResponse` and the
   * URL's invoke mode is RESPONSE_STREAM, so the caller has the response once the stream ends.
   */
  { kind: 'url'; streaming: boolean } | { kind: 'edge'; eventType: 'origin-request' } | ({ kind: 'queue' } & QueueTrigger) | ({ kind: 'schedule' } & ScheduleTrigger);
  /** What the function may touch; least privilege in AWS, documentation locally. */
  resources: readonly Resource[];
  /** Runs ONNX models, so its package carries the inference runtimes (infra/function-package.ts). */
  runsModels: boolean;
}

/** The Glue table over the feature store's Parquet files and the Athena workgroup that queries it. */
export interface FeatureCatalogDefinition {
  table: {
    name: string;
    /** Bucket prefix the table's files live under (a key of the bucket's prefixes). */
    prefix: string;
    columns: readonly { name: string; type: string }[];
    /** Hive-style partitions in the keys, projected (no crawler, no partition sync). */
    partitionKeys: readonly { name: string; type: string }[];
  };
  /** The rows historical joins ask about, a partition per join (injected by the query). */
  spines: {
    name: string;
    prefix: string;
    columns: readonly { name: string; type: string }[];
    partitionKeys: readonly { name: string; type: string }[];
  };
  workgroup: {
    /** Bucket prefix of Athena's query results (a key of the bucket's prefixes). */
    resultsPrefix: string;
  };
  envVars: { database: string; workgroup: string };
  /** Names of the functions that query the catalog: they are granted Athena and Glue, and told the names. */
  queriedBy: readonly string[];
}
