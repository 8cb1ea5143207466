/// <reference path="./infra/sst-platform.d.ts" />
import type { FunctionDefinition, QueueDefinition, Resource, TableDefinition } from './infra/types.ts';

/**
 * The deployment, built from the same typed data as the local stack (infra/), so the two cannot
 * drift apart; infra/sst.test.ts runs this file against a recording stand-in for SST.
 */
export default $config({
  app(input) {
    return {
      name: 'flywheel',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
    };
  },
  async run() {
    const { bucket, deadLetterQueueName, functions, queues, tables } = await import('./infra/index.ts');

    const tableComponents = Object.fromEntries(
      Object.entries(tables).map(([key, table]) => [key, declareTable(table)]),
    ) as Record<keyof typeof tables, SstComponent>;
    const queuePairs = Object.fromEntries(
      Object.entries(queues).map(([key, queue]) => [key, declareQueue(queue, deadLetterQueueName(queue))]),
    ) as Record<keyof typeof queues, { queue: SstComponent; dlq: SstComponent }>;
    const queueComponents = mapValues(queuePairs, (pair) => pair.queue);
    const bucketComponent = new sst.aws.Bucket(pascal(bucket.name), {});

    const linksOf = (fn: FunctionDefinition) =>
      fn.resources.map((resource: Resource) =>
        resource.kind === 'table'
          ? tableComponents[resource.name as keyof typeof tables]
          : resource.kind === 'queue'
            ? queueComponents[resource.name as keyof typeof queues]
            : resource.kind === 'deadLetterQueue'
              ? queuePairs[resource.queue as keyof typeof queues].dlq
              : bucketComponent,
      );
    // Functions find resources through the same variables the local stack sets.
    const environmentOf = (fn: FunctionDefinition) =>
      Object.fromEntries(
        // A dead-letter queue is found through its queue's redrive policy; the link grants access.
        fn.resources.filter((resource: Resource) => resource.kind !== 'deadLetterQueue').map((resource: Resource) =>
          resource.kind === 'table'
            ? [tables[resource.name as keyof typeof tables].envVar, tableComponents[resource.name as keyof typeof tables].name]
            : resource.kind === 'queue'
              ? [queues[resource.name as keyof typeof queues].envVar, queueComponents[resource.name as keyof typeof queues].url]
              : [bucket.envVar, bucketComponent.name],
        ),
      );
    const functionArgs = (fn: FunctionDefinition) => ({
      handler: fn.handler,
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      memory: `${fn.memoryMb} MB`,
      timeout: `${fn.timeoutSeconds} seconds`,
      link: linksOf(fn),
      environment: environmentOf(fn),
      // The ONNX runtime loads its WebAssembly from disk next to the bundle.
      copyFiles: [{ from: 'node_modules/onnxruntime-web/dist', to: 'onnxruntime-web' }],
    });

    const outputs: Record<string, unknown> = {};
    for (const fn of Object.values(functions) as FunctionDefinition[]) {
      const trigger = fn.trigger;
      if (trigger.kind === 'queue') {
        queueComponents[trigger.queue as keyof typeof queues].subscribe(functionArgs(fn), {
          batch: { size: trigger.batchSize, window: `${trigger.batchWindowSeconds} seconds`, partialResponses: true },
        });
      } else if (trigger.kind === 'url') {
        const api = new sst.aws.Function(pascal(fn.name), { ...functionArgs(fn), url: true });
        outputs.api = api.url;
      } else if (trigger.kind === 'schedule') {
        new sst.aws.Cron(pascal(fn.name), { schedule: rateExpression(trigger.everySeconds), function: functionArgs(fn) });
      } else {
        // Lambda@Edge: us-east-1, a published version, no environment variables (names are bundled).
        // The edge reads the registry in the stack's home region, wherever the edge location is.
        const { environment, ...args } = functionArgs(fn);
        const bundled = { ...environment, FLYWHEEL_HOME_REGION: aws.getRegionOutput().name };
        const edge = new sst.aws.Function(
          pascal(fn.name),
          { ...args, versioning: true, nodejs: { esbuild: { define: defineEnvironment(bundled) } } },
          { provider: new aws.Provider('UsEast1', { region: 'us-east-1' }) },
        );
        outputs.edgeFunctionVersion = edge.arn;
      }
    }
    return outputs;
  },
});

function declareTable(table: TableDefinition): SstComponent {
  const fields = Object.fromEntries(
    [table.hashKey, table.rangeKey, ...table.indexes.flatMap((i) => [i.hashKey, i.rangeKey])].map((name) => [name, 'string']),
  );
  return new sst.aws.Dynamo(pascal(table.name), {
    fields,
    primaryIndex: { hashKey: table.hashKey, rangeKey: table.rangeKey },
    globalIndexes: Object.fromEntries(table.indexes.map((i) => [i.name, { hashKey: i.hashKey, rangeKey: i.rangeKey }])),
    ...(table.ttl ? { ttl: table.ttl } : {}),
  });
}

function declareQueue(queue: QueueDefinition, dlqName: string): { queue: SstComponent; dlq: SstComponent } {
  const dlq = new sst.aws.Queue(pascal(dlqName), {
    transform: { queue: { messageRetentionSeconds: queue.retentionSeconds } },
  });
  const main = new sst.aws.Queue(pascal(queue.name), {
    visibilityTimeout: `${queue.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: queue.maxReceiveCount },
    transform: { queue: { messageRetentionSeconds: queue.retentionSeconds } },
  });
  return { queue: main, dlq };
}

function mapValues<K extends string, V, R>(record: Record<K, V>, fn: (value: V) => R): Record<K, R> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as V)])) as Record<K, R>;
}

function defineEnvironment(environment: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [`process.env.${name}`, $jsonStringify(value)]));
}

function rateExpression(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
