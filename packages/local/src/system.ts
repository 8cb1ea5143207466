import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createApp } from '@flywheel/api';
import { createAwsClients, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { createApiDependencies, createFeatureStore } from '@flywheel/deploy';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { functions, queues, type QueueDefinition } from '@flywheel/infra';
import { silentLogger, type Logger } from '@flywheel/core';
import { bootstrapAdminKey } from './admin-key.ts';
import { startEmbeddedAws } from './embedded-aws.ts';
import { SqsEventSource, type SqsBatchHandler } from './event-source.ts';
import { JournaledPredictionLog } from './prediction-journal.ts';
import { ScheduledInvoker, type ScheduledHandler } from './scheduled-invoker.ts';
import { provisionStack } from './provision.ts';
import { TtlSweeper, sweptTables } from './ttl-sweeper.ts';

export type QueueConsumers = Partial<Record<keyof typeof functions, (clients: AwsClients, names: ResourceNames, logger: Logger) => SqsBatchHandler>>;
export type ScheduledFunctions = Partial<Record<keyof typeof functions, (clients: AwsClients, names: ResourceNames, logger: Logger) => ScheduledHandler>>;

export interface LocalSystemOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  adminKey?: string;
  /** Handlers of the queue-triggered functions to run in-process, by function name. */
  consumers?: QueueConsumers;
  /** Handlers of the schedule-triggered functions to run on a timer, by function name. */
  scheduled?: ScheduledFunctions;
  /** Seconds between runs of a scheduled function, instead of its schedule in infra/ (tests). */
  scheduleOverrides?: Partial<Record<keyof typeof functions, number>>;
  queueOverrides?: Partial<Record<keyof typeof queues, Partial<QueueDefinition>>>;
  /** Long-poll wait of idle consumers. */
  pollWaitSeconds?: number;
  /** Milliseconds between sweeps of expired items (dynalite applies no TTL); default 10 minutes. */
  ttlSweepEveryMs?: number;
  /** What the system and its functions log through (default: nothing). */
  logger?: Logger;
}

export interface LocalSystem {
  url: string;
  adminKey: string;
  adminKeyGenerated: boolean;
  clients: AwsClients;
  names: ResourceNames;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

/** The whole system on one machine: embedded AWS, the provisioned stack, the API and the consumers. */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const logger = options.logger ?? silentLogger;
  await ensureWritable(options.dataDir);
  const aws = await startEmbeddedAws({ dataDir: options.dataDir });
  const stops: Array<() => Promise<void>> = [() => aws.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => logger.warn('stopping failed', { error: String(error) }));
  };
  try {
    const clients = createAwsClients({ endpoints: aws.endpoints });
    stops.push(async () => {
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
    });
    const names = await provisionStack(clients, { queueOverrides: options.queueOverrides });
    // The feature store's point-in-time joins run on DuckDB in this process.
    const featureEngine = new DuckDbFeatureEngine(clients.s3, names.bucket);
    stops.push(() => featureEngine.close());
    const features = createFeatureStore(clients, names, featureEngine);
    const api = createApiDependencies(clients, names, { logger });
    // An erasure by entity reaches the feature rows this process keeps.
    const direct = { ...api, features, ...(api.erasures ? { erasures: { ...api.erasures, features } } : {}) };
    // Predictions answered here are journaled on disk first, so `kill -9` loses none of them.
    const journal = direct.predictionLog && (await JournaledPredictionLog.open(direct.predictionLog, { dir: join(options.dataDir, 'journal'), logger }));
    if (journal?.recovered) logger.info('handed journaled predictions of an earlier process to the prediction log', { predictions: journal.recovered });
    const deps = journal ? { ...direct, predictionLog: journal.log } : direct;
    // Buffered prediction logs reach the queue before the emulators stop.
    stops.push(async () => deps.predictionLog?.close());
    const admin = await bootstrapAdminKey(deps.apiKeys, options.dataDir, options.adminKey);
    // DynamoDB deletes expired items by itself; dynalite never does, so the local stack sweeps them.
    const sweeper = new TtlSweeper({
      dynamodb: clients.dynamodb,
      tables: sweptTables(names),
      everyMs: options.ttlSweepEveryMs,
      onError: (error) => logger.warn('ttl sweep failed', { error: String(error) }),
    });
    sweeper.start();
    stops.push(() => sweeper.stop());

    for (const [functionName, createHandler] of Object.entries(options.consumers ?? {})) {
      const definition = functions[functionName as keyof typeof functions];
      if (definition.trigger.kind !== 'queue' || !createHandler) continue;
      const queueUrl = names.queues[definition.trigger.queue];
      const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      const source = new SqsEventSource({
        sqs: clients.sqs,
        queueUrl,
        queueArn: Attributes!.QueueArn!,
        handler: createHandler(clients, names, logger),
        batchSize: definition.trigger.batchSize,
        batchWindowSeconds: definition.trigger.batchWindowSeconds,
        functionName: definition.name,
        timeoutSeconds: definition.timeoutSeconds,
        ...(options.pollWaitSeconds === undefined ? {} : { waitTimeSeconds: options.pollWaitSeconds }),
        onError: (error) => logger.error('function failed', { function: definition.name, error: String(error) }),
      });
      source.start();
      stops.push(() => source.stop());
    }

    for (const [functionName, createHandler] of Object.entries(options.scheduled ?? {})) {
      const definition = functions[functionName as keyof typeof functions];
      if (definition.trigger.kind !== 'schedule' || !createHandler) continue;
      const invoker = new ScheduledInvoker({
        handler: createHandler(clients, names, logger),
        everySeconds: options.scheduleOverrides?.[functionName as keyof typeof functions] ?? definition.trigger.everySeconds,
        functionName: definition.name,
        timeoutSeconds: definition.timeoutSeconds,
        onError: (error) => logger.error('function failed', { function: definition.name, error: String(error) }),
      });
      invoker.start();
      stops.push(() => invoker.stop());
    }

    const app = createApp(deps, { logger });
    const server = await listen(app.fetch, options.port, options.host ?? '127.0.0.1');
    stops.push(() => closeServer(server));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${options.host ?? '127.0.0.1'}:${port}`,
      adminKey: admin.key,
      adminKeyGenerated: admin.generated,
      clients,
      names,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureWritable(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    // A real write, not access(): root passes permission checks on read-only mounts too.
    const probe = join(dataDir, '.write-probe');
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new StartupError(`data dir ${dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}); set FLYWHEEL_DATA_DIR to a writable folder`);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

function listen(fetch: (request: Request) => Response | Promise<Response>, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    // A client that never finishes its request is cut off, rather than holding memory for Node's default 300 s.
    const server = serve({ fetch, port, hostname, serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS } }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new StartupError(`port ${port} is already in use; stop the other process or set PORT`) : error);
    });
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open.
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}
