import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { S3LogArchive } from '@flywheel/aws';
import { bucket, retention } from '@flywheel/infra';
import { archiveKey } from '@flywheel/monitor';
import { createRetentionHandler } from '@flywheel/deploy';
import { scheduledEvent } from '@flywheel/testing/lambda-events';
import { lambdaContext, logRecord } from '@flywheel/testing/monitor-fixtures';
import { expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const DAY = 86_400_000;

describe('per-endpoint retention of raw logs and join rows', () => {
  let system: TestSystem;
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

  beforeAll(async () => {
    system = await startTestSystem();
    await registered(system, 'kept', scaledModel(1));
  });
  afterAll(() => system?.stop());

  it('takes retention in the endpoint config within its limits, and refuses more or unknown fields', async () => {
    const created = await putEndpoint(system, 'short', { ...singleVariant('kept', 1), retention: { logsDays: 7, joinedDays: 2 } });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await (await system.api('/v1/endpoints/short')).json()) as { config: { retention: unknown } }).config.retention).toEqual({ logsDays: 7, joinedDays: 2 });
    for (const bad of [{ logsDays: retention.logs.maxDays + 1 }, { joinedDays: retention.joined.maxDays + 1 }, { logsDays: 0 }, { logsDays: 1.5 }, { logDays: 7 }]) {
      await expectProblem(await putEndpoint(system, 'refused', { ...singleVariant('kept', 1), retention: bad }), 400);
    }
    expect((await system.api('/v1/endpoints/refused')).status).toBe(404);
    expect((await putEndpoint(system, 'default', singleVariant('kept', 1))).status).toBe(201);
  });

  it('deletes what is older than an endpoint keeps, and only that, each day', async () => {
    const archive = new S3LogArchive(system.clients.s3, system.names.bucket);
    const objects: Record<string, string> = {};
    for (const endpoint of ['short', 'default']) {
      for (const age of [10, 8, 3, 0]) {
        const time = daysAgo(age);
        const key = archiveKey(endpoint, time, `batch-${endpoint}-${age}`);
        await archive.put(key, [JSON.stringify(logRecord(age, { endpoint, time }))]);
        objects[`${endpoint}/${age}`] = key;
      }
    }
    const table = system.names.tables.monitoring;
    const put = (item: Record<string, unknown>) => system.clients.dynamodb.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
    const expiresAt = Math.floor(now.getTime() / 1000) + 30 * 86_400;
    for (const endpoint of ['short', 'default']) {
      for (const age of [5, 1]) {
        await put({ pk: `PREDICTION#${endpoint}`, sk: `r${age}/0`, variant: 'main', model: 'kept', version: 1, configVersion: 1, time: daysAgo(age), expiresAt });
        await put({ pk: `FEEDBACK#${endpoint}`, sk: `r${age}/0`, requestId: `r${age}`, row: 0, label: 1, givenAt: daysAgo(age), expiresAt });
      }
    }

    const swept = await createRetentionHandler(system.clients, system.names)(scheduledEvent('arn:aws:events:us-east-1:000000000000:rule/retention', now), lambdaContext());
    // `short` keeps 7 days of logs and 2 of join rows; `default` asks for nothing shorter than the defaults.
    expect(swept).toEqual({ archiveObjects: { short: 2 }, joinItems: { short: 2 } });

    const { Contents = [] } = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: bucket.prefixes.logs }));
    const left = new Set(Contents.map((object) => object.Key));
    expect(
      Object.entries(objects)
        .filter(([, key]) => left.has(key))
        .map(([name]) => name)
        .sort(),
    ).toEqual(['default/0', 'default/10', 'default/3', 'default/8', 'short/0', 'short/3'].sort());
    const exists = async (pk: string, sk: string) =>
      (await system.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: marshall({ pk, sk }), ConsistentRead: true }))).Item !== undefined;
    expect(await exists('PREDICTION#short', 'r5/0')).toBe(false);
    expect(await exists('FEEDBACK#short', 'r5/0')).toBe(false);
    expect(await exists('PREDICTION#short', 'r1/0')).toBe(true);
    expect(await exists('FEEDBACK#short', 'r1/0')).toBe(true);
    expect(await exists('PREDICTION#default', 'r5/0')).toBe(true);
    expect(await exists('FEEDBACK#default', 'r5/0')).toBe(true);

    // The next day's sweep finds nothing more to do.
    expect(await createRetentionHandler(system.clients, system.names)(scheduledEvent('arn:aws:events:us-east-1:000000000000:rule/retention', now), lambdaContext())).toEqual({
      archiveObjects: { short: 0 },
      joinItems: { short: 0 },
    });
  });
});
