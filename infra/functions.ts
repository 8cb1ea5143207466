import type { FunctionDefinition } from './types.ts';

const allTables = (access: 'read' | 'readwrite') => (['registry', 'monitoring', 'operations'] as const).map((name) => ({ kind: 'table' as const, name, access }));

export const functions = {
  api: {
    name: 'api',
    handler: 'functions/api.handler',
    description: 'The HTTP API: registry, endpoints, predictions, monitoring, alerts, runs.',
    memoryMb: 2048,
    timeoutSeconds: 30,
    // Streamed: functions/api.ts flushes the prediction log after the response is complete.
    trigger: { kind: 'url', streaming: true },
    resources: [
      ...allTables('readwrite'),
      { kind: 'table', name: 'tracking', access: 'readwrite' },
      // The online feature store: rows ingested, looked up at predict time (historical joins: infra/feature-catalog.ts).
      { kind: 'table', name: 'features', access: 'readwrite' },
      { kind: 'queue', name: 'predictionLogs', access: 'send' },
      { kind: 'queue', name: 'events', access: 'send' },
      { kind: 'queue', name: 'trainJobs', access: 'send' },
      { kind: 'queue', name: 'batchChunks', access: 'send' },
      { kind: 'queue', name: 'erasures', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: true,
  },
  edge: {
    name: 'edge',
    handler: 'functions/edge.handler',
    description: 'Lambda@Edge origin-request: serves predictions from cached models next to the caller.',
    memoryMb: 1024,
    timeoutSeconds: 30,
    trigger: { kind: 'edge', eventType: 'origin-request' },
    resources: [
      { kind: 'table', name: 'registry', access: 'read' },
      { kind: 'queue', name: 'predictionLogs', access: 'send' },
      // A log batch the queue keeps refusing goes to spill/; the API's sink replays it.
      { kind: 'bucket', access: 'read', putsUnder: ['spill'] },
    ],
    runsModels: true,
  },
  monitor: {
    name: 'monitor',
    handler: 'functions/monitor.handler',
    description: 'Consumes prediction logs: archive, window sketches, drift evaluation, alerts.',
    memoryMb: 1024,
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'predictionLogs', batchSize: 100, batchWindowSeconds: 2 },
    resources: [
      ...allTables('readwrite'),
      // Malformed records are parked there with a reason while the rest of the batch goes on.
      { kind: 'deadLetterQueue', queue: 'predictionLogs', access: 'send' },
      { kind: 'queue', name: 'events', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: false,
  },
  judge: {
    name: 'judge',
    handler: 'functions/judge.handler',
    description: "Judges every endpoint's recent windows on the clock: drift, quality, health, performance, alerts, guardrails, scheduled retraining.",
    memoryMb: 1024,
    timeoutSeconds: 55,
    trigger: { kind: 'schedule', everySeconds: 60 },
    resources: [
      ...allTables('readwrite'),
      { kind: 'queue', name: 'events', access: 'send' },
      { kind: 'queue', name: 'trainJobs', access: 'send' },
      { kind: 'bucket', access: 'read' },
    ],
    runsModels: false,
  },
  replay: {
    name: 'replay',
    handler: 'functions/replay.handler',
    description: 'Re-sends prediction-log batches spilled to S3 while the queue refused them.',
    memoryMb: 256,
    timeoutSeconds: 60,
    trigger: { kind: 'schedule', everySeconds: 300 },
    resources: [
      { kind: 'queue', name: 'predictionLogs', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: false,
  },
  events: {
    name: 'events',
    handler: 'functions/events.handler',
    description: 'Consumes CloudEvents: records them, notifies webhooks, applies the retraining policy.',
    memoryMb: 512,
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'events', batchSize: 10, batchWindowSeconds: 0 },
    resources: [
      ...allTables('readwrite'),
      { kind: 'queue', name: 'trainJobs', access: 'send' },
      { kind: 'queue', name: 'events', access: 'send' },
      // Presigns the dataset download a webhook trainer is sent.
      { kind: 'bucket', access: 'read' },
    ],
    runsModels: false,
  },
  train: {
    name: 'train',
    handler: 'functions/train.handler',
    description: 'Runs one retraining job: dataset assembly, training, evaluation, registration, canary.',
    memoryMb: 3008,
    timeoutSeconds: 900,
    trigger: { kind: 'queue', queue: 'trainJobs', batchSize: 1, batchWindowSeconds: 0 },
    resources: [
      ...allTables('readwrite'),
      // Each run is recorded as a tracking run when it ends.
      { kind: 'table', name: 'tracking', access: 'readwrite' },
      { kind: 'queue', name: 'events', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: true,
  },
  batch: {
    name: 'batch',
    handler: 'functions/batch.handler',
    description: 'Batch predictions: plans a job into chunks, scores chunks through the serving path, assembles the output.',
    memoryMb: 2048,
    timeoutSeconds: 120,
    // A few chunks per invocation, scored concurrently so reads and writes overlap the model's runs;
    // Lambda's concurrency runs many invocations side by side.
    trigger: { kind: 'queue', queue: 'batchChunks', batchSize: 4, batchWindowSeconds: 0 },
    resources: [
      { kind: 'table', name: 'registry', access: 'read' },
      { kind: 'table', name: 'operations', access: 'readwrite' },
      // The planner sends the chunk messages.
      { kind: 'queue', name: 'batchChunks', access: 'send' },
      { kind: 'queue', name: 'predictionLogs', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: true,
  },
  erasure: {
    name: 'erasure',
    handler: 'functions/erasure.handler',
    description: 'Erases a data subject: archive objects rewritten without its rows, join items deleted, datasets marked.',
    memoryMb: 1024,
    // A long erasure hands itself on to a new message before this, from its checkpoint.
    timeoutSeconds: 300,
    trigger: { kind: 'queue', queue: 'erasures', batchSize: 1, batchWindowSeconds: 0 },
    resources: [
      // Dataset versions are marked as having had rows erased.
      { kind: 'table', name: 'registry', access: 'readwrite' },
      { kind: 'table', name: 'monitoring', access: 'readwrite' },
      { kind: 'table', name: 'operations', access: 'readwrite' },
      // An entity's online feature item is deleted (its offline files are rewritten in the bucket).
      { kind: 'table', name: 'features', access: 'readwrite' },
      // A long erasure hands itself on before its timeout.
      { kind: 'queue', name: 'erasures', access: 'send' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: false,
  },
  retention: {
    name: 'retention',
    handler: 'functions/retention.handler',
    description: "Applies endpoints' shorter retention daily: old archive days and join items deleted.",
    memoryMb: 512,
    timeoutSeconds: 900,
    trigger: { kind: 'schedule', everySeconds: 86_400 },
    resources: [
      { kind: 'table', name: 'registry', access: 'read' },
      { kind: 'table', name: 'monitoring', access: 'readwrite' },
      { kind: 'bucket', access: 'readwrite' },
    ],
    runsModels: false,
  },
} as const satisfies Record<string, FunctionDefinition>;
