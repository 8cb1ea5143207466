import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucket, deadLetterQueueName, functions, queues, tables } from './index.ts';

interface Declared {
  kind: string;
  name: string;
  args: Record<string, any>;
  opts?: Record<string, any>;
  subscriptions: Array<{ fn: Record<string, any>; args: Record<string, any> }>;
}

/** Stands in for SST's globals and records what sst.config.ts declares. */
function installRecordingSst(): Declared[] {
  const declared: Declared[] = [];
  const component = (kind: string) =>
    class {
      readonly record: Declared;
      constructor(name: string, args: Record<string, any>, opts?: Record<string, any>) {
        this.record = { kind, name, args, opts, subscriptions: [] };
        declared.push(this.record);
      }
      get name() { return { ref: `${this.record.name}.name` }; }
      get arn() { return { ref: `${this.record.name}.arn` }; }
      get url() { return { ref: `${this.record.name}.url` }; }
      subscribe(fn: Record<string, any>, args: Record<string, any>) {
        this.record.subscriptions.push({ fn, args });
      }
    };
  Object.assign(globalThis, {
    $config: (config: unknown) => config,
    $jsonStringify: (value: unknown) => ({ json: value }),
    sst: { aws: { Dynamo: component('Dynamo'), Queue: component('Queue'), Bucket: component('Bucket'), Function: component('Function') } },
    aws: {
      Provider: class { constructor(public name: string, public args: Record<string, unknown>) {} },
      getRegionOutput: () => ({ name: { ref: 'region' } }),
    },
  });
  return declared;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

describe('sst.config.ts declares exactly what infra/ defines', () => {
  let declared: Declared[];
  let outputs: Record<string, unknown>;
  const find = (kind: string, name: string) => {
    const found = declared.filter((d) => d.kind === kind && d.name === pascal(name));
    expect(found, `${kind} ${name}`).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    declared = installRecordingSst();
    const config = (await import('../sst.config.ts')).default as any;
    expect(config.app({ stage: 'production' })).toMatchObject({ name: 'flywheel', home: 'aws', removal: 'retain' });
    outputs = await config.run();
  });

  it('declares every table with its keys, indexes and TTL', () => {
    for (const table of Object.values(tables)) {
      const { args } = find('Dynamo', table.name);
      expect(args.primaryIndex).toEqual({ hashKey: table.hashKey, rangeKey: table.rangeKey });
      expect(args.globalIndexes).toEqual(Object.fromEntries(table.indexes.map((i) => [i.name, { hashKey: i.hashKey, rangeKey: i.rangeKey }])));
      expect(args.ttl).toBe('ttl' in table ? table.ttl : undefined);
      for (const key of [table.hashKey, table.rangeKey, ...table.indexes.flatMap((i) => [i.hashKey, i.rangeKey])]) {
        expect(args.fields[key]).toBe('string');
      }
    }
    expect(declared.filter((d) => d.kind === 'Dynamo')).toHaveLength(Object.keys(tables).length);
  });

  it('declares every queue with its dead-letter queue, receive count, visibility and retention', () => {
    for (const queue of Object.values(queues)) {
      const main = find('Queue', queue.name);
      const dlq = find('Queue', deadLetterQueueName(queue));
      expect(main.args.visibilityTimeout).toBe(`${queue.visibilityTimeoutSeconds} seconds`);
      expect(main.args.dlq).toEqual({ queue: { ref: `${dlq.name}.arn` }, retry: queue.maxReceiveCount });
      expect(main.args.transform.queue.messageRetentionSeconds).toBe(queue.retentionSeconds);
      expect(dlq.args.transform.queue.messageRetentionSeconds).toBe(queue.retentionSeconds);
    }
    expect(declared.filter((d) => d.kind === 'Queue')).toHaveLength(2 * Object.keys(queues).length);
    find('Bucket', bucket.name);
  });

  it('subscribes each queue-triggered function with its batch settings and partial batch responses', () => {
    for (const fn of Object.values(functions)) {
      if (fn.trigger.kind !== 'queue') continue;
      const queue = find('Queue', queues[fn.trigger.queue].name);
      expect(queue.subscriptions).toHaveLength(1);
      const [{ fn: args, args: subscription }] = queue.subscriptions;
      expect(args).toMatchObject({ handler: fn.handler, runtime: 'nodejs22.x', memory: `${fn.memoryMb} MB`, timeout: `${fn.timeoutSeconds} seconds` });
      expect(subscription.batch).toEqual({ size: fn.trigger.batchSize, window: `${fn.trigger.batchWindowSeconds} seconds`, partialResponses: true });
    }
  });

  it('serves the API from a function URL and the edge handler as a versioned us-east-1 function', () => {
    const api = find('Function', functions.api.name);
    expect(api.args).toMatchObject({ handler: functions.api.handler, url: true, runtime: 'nodejs22.x' });
    expect(outputs.api).toEqual({ ref: 'Api.url' });
    const edge = find('Function', functions.edge.name);
    expect(edge.args).toMatchObject({ handler: functions.edge.handler, versioning: true });
    expect(edge.args.environment).toBeUndefined();
    expect(edge.args.nodejs.esbuild.define).toMatchObject({
      'process.env.FLYWHEEL_TABLE_REGISTRY': { json: { ref: 'Registry.name' } },
      'process.env.FLYWHEEL_BUCKET': { json: { ref: 'Artifacts.name' } },
      'process.env.FLYWHEEL_HOME_REGION': { json: { ref: 'region' } },
    });
    expect((edge.opts?.provider as any).args).toEqual({ region: 'us-east-1' });
  });

  it('links each function to exactly the resources infra/ grants it', () => {
    const argsOf = (fn: (typeof functions)[keyof typeof functions]) =>
      fn.trigger.kind === 'queue' ? find('Queue', queues[fn.trigger.queue].name).subscriptions[0].fn : find('Function', fn.name).args;
    for (const fn of Object.values(functions)) {
      const expected = fn.resources.map((r) =>
        r.kind === 'table'
          ? tables[r.name as keyof typeof tables].name
          : r.kind === 'queue'
            ? queues[r.name as keyof typeof queues].name
            : r.kind === 'deadLetterQueue'
              ? deadLetterQueueName(queues[r.queue as keyof typeof queues])
              : bucket.name,
      );
      const linked = (argsOf(fn).link as Array<{ record: Declared }>).map((c) => c.record.name);
      expect(linked.sort()).toEqual(expected.map(pascal).sort());
    }
  });
});

describe('infra/ is deployable as written', () => {
  it('points every handler at a file that exports it', () => {
    for (const fn of Object.values(functions)) {
      const [file, exported] = fn.handler.split('.');
      expect(existsSync(`${file}.ts`), `${file}.ts`).toBe(true);
      expect(readFileSync(`${file}.ts`, 'utf8')).toMatch(new RegExp(`export (const|async function|function) ${exported}\\b`));
    }
  });

  it('keeps queue visibility at six times the consumer timeout, as AWS advises, and batches within limits', () => {
    for (const fn of Object.values(functions)) {
      if (fn.trigger.kind !== 'queue') continue;
      expect(queues[fn.trigger.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * fn.timeoutSeconds);
      expect(fn.trigger.batchSize).toBeLessThanOrEqual(fn.trigger.batchWindowSeconds > 0 ? 10_000 : 10);
    }
  });
});
