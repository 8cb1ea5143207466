import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { InvalidCursorError, type Run, type RunPage, type RunStatus, type RunStore } from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

const runKey = (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' });

/**
 * Operations items `pk = RUN#<runId>, sk = RUN`; the `byStatus` index lists a model's runs
 * (`gsi1pk = RUNS#<model>`, `gsi1sk = <createdAt>#<runId>`), newest first.
 */
export class DynamoRunStore implements RunStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async create(run: Run): Promise<Run> {
    const created = await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...runKey(run.runId), gsi1pk: `RUNS#${run.model}`, gsi1sk: `${run.createdAt}#${run.runId}`, ...run }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return created ? run : ((await this.get(run.runId)) ?? run);
  }

  async get(runId: string): Promise<Run | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(runKey(runId)), ConsistentRead: true }));
    return Item ? toRun(fromItem(Item)) : undefined;
  }

  async list(model: string, options: { limit?: number; cursor?: string } = {}): Promise<RunPage> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byStatus',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `RUNS#${model}` }),
        ScanIndexForward: false,
        Limit: options.limit ?? 50,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, `RUNS#${model}`) : undefined,
      }),
    );
    return {
      runs: (page.Items ?? []).map((item) => toRun(fromItem(item))),
      ...(page.LastEvaluatedKey ? { next: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') } : {}),
    };
  }

  async update(runId: string, from: readonly RunStatus[], patch: Partial<Omit<Run, 'runId' | 'model' | 'createdAt'>>): Promise<Run | undefined> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove: string[] = [];
    Object.entries(patch).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      if (value === undefined) remove.push(`#f${i}`);
      else {
        values[`:v${i}`] = value;
        set.push(`#f${i} = :v${i}`);
      }
    });
    from.forEach((status, i) => (values[`:from${i}`] = status));
    const update = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
    let updated: Run | undefined;
    const applied = await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(runKey(runId)),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = Attributes ? toRun(fromItem(Attributes)) : undefined;
    });
    return applied ? updated : undefined;
  }
}

const CURSOR_KEYS = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);

/** The start key a page's `next` encodes, checked to be one of this listing's own keys before DynamoDB sees it. */
function decodeCursor(cursor: string, partition: string): Record<string, never> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this listing gave');
  }
  const attributes = key !== null && typeof key === 'object' && !Array.isArray(key) ? Object.entries(key) : [];
  const wellFormed =
    attributes.length === CURSOR_KEYS.size &&
    attributes.every(
      ([name, value]) =>
        CURSOR_KEYS.has(name) && typeof value === 'object' && value !== null && typeof (value as { S?: unknown }).S === 'string' && Object.keys(value).length === 1,
    ) &&
    (key as { gsi1pk: { S: string } }).gsi1pk.S === partition;
  if (!wellFormed) throw new InvalidCursorError('the cursor is not one this listing gave');
  return key as Record<string, never>;
}

function toRun(item: Record<string, unknown>): Run {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...run } = item;
  return run as unknown as Run;
}
