import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createAwsClients, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { tempDataDir } from '@flywheel/testing/temp-dir';
import { startEmbeddedAws, type EmbeddedAws } from './embedded-aws.ts';
import { provisionStack } from './provision.ts';
import { TtlSweeper, sweptTables } from './ttl-sweeper.ts';

describe('the local TTL sweeper', () => {
  let dir: Awaited<ReturnType<typeof tempDataDir>>;
  let aws: EmbeddedAws;
  let clients: AwsClients;
  let names: ResourceNames;
  const nowSeconds = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    dir = await tempDataDir('ttl-sweeper');
    aws = await startEmbeddedAws({ dataDir: dir.path });
    clients = createAwsClients({ endpoints: aws.endpoints });
    names = await provisionStack(clients);
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.sqs.destroy();
    clients?.s3.destroy();
    await aws?.stop();
    await dir?.remove();
  });

  const put = (table: string, item: Record<string, unknown>) => clients.dynamodb.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
  const exists = async (table: string, pk: string, sk: string) =>
    (await clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: marshall({ pk, sk }), ConsistentRead: true }))).Item !== undefined;

  it('sweeps the tables infra/ gives a TTL, by their local names', () => {
    expect(
      sweptTables(names)
        .map((table) => table.name)
        .sort(),
    ).toEqual([names.tables.monitoring, names.tables.operations].sort());
    expect(sweptTables(names).every((table) => table.ttlAttribute === 'expiresAt')).toBe(true);
  });

  it('deletes expired items and keeps the rest', async () => {
    const { monitoring, operations, registry } = names.tables;
    await put(monitoring, { pk: 'PREDICTION#shop', sk: 'old/0', expiresAt: nowSeconds - 60 });
    await put(monitoring, { pk: 'FEEDBACK#shop', sk: 'old/0', expiresAt: nowSeconds - 1 });
    await put(monitoring, { pk: 'PREDICTION#shop', sk: 'fresh/0', expiresAt: nowSeconds + 3600 });
    await put(monitoring, { pk: 'WINDOW#shop', sk: 'forever', state: 'x' });
    await put(monitoring, { pk: 'ODD#shop', sk: 'text-ttl', expiresAt: 'yesterday' });
    await put(operations, { pk: 'AUDIT#1', sk: 'AUDIT', expiresAt: nowSeconds - 10 });
    // The registry declares no TTL: an attribute of that name there means nothing.
    await put(registry, { pk: 'MODEL#m', sk: 'META', expiresAt: nowSeconds - 10 });

    const sweeper = new TtlSweeper({ dynamodb: clients.dynamodb, tables: sweptTables(names) });
    const result = await sweeper.sweep();
    expect(result.deleted).toEqual({ [monitoring]: 2, [operations]: 1 });
    expect(await exists(monitoring, 'PREDICTION#shop', 'old/0')).toBe(false);
    expect(await exists(monitoring, 'FEEDBACK#shop', 'old/0')).toBe(false);
    expect(await exists(operations, 'AUDIT#1', 'AUDIT')).toBe(false);
    expect(await exists(monitoring, 'PREDICTION#shop', 'fresh/0')).toBe(true);
    expect(await exists(monitoring, 'WINDOW#shop', 'forever')).toBe(true);
    expect(await exists(monitoring, 'ODD#shop', 'text-ttl')).toBe(true);
    expect(await exists(registry, 'MODEL#m', 'META')).toBe(true);
    // Nothing left to do the second time.
    expect((await sweeper.sweep()).deleted).toEqual({ [monitoring]: 0, [operations]: 0 });
  });

  it('sweeps many items across scan pages', async () => {
    const { monitoring } = names.tables;
    for (let i = 0; i < 1200; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => put(monitoring, { pk: 'PREDICTION#bulk', sk: `r${i + j}/0`, expiresAt: nowSeconds - 5, features: 'x'.repeat(100) })));
    }
    const result = await new TtlSweeper({ dynamodb: clients.dynamodb, tables: sweptTables(names) }).sweep();
    expect(result.deleted[monitoring]).toBe(1200);
    expect(await exists(monitoring, 'PREDICTION#bulk', 'r1199/0')).toBe(false);
  });

  it('runs by itself on its period, in real time', async () => {
    const { monitoring } = names.tables;
    await put(monitoring, { pk: 'PREDICTION#timer', sk: 'a/0', expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const sweeper = new TtlSweeper({ dynamodb: clients.dynamodb, tables: sweptTables(names), everyMs: 200 });
    sweeper.start();
    try {
      const deadline = Date.now() + 5000;
      while ((await exists(monitoring, 'PREDICTION#timer', 'a/0')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await exists(monitoring, 'PREDICTION#timer', 'a/0')).toBe(false);
    } finally {
      await sweeper.stop();
    }
  });
});
