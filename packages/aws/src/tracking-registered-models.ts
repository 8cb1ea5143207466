import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RegisteredModelRecord, RegisteredModelStore } from '@flywheel/core';
import { conditionally, fromItem, queryAll, toItem } from './dynamo-items.ts';

const recordKey = (name: string) => ({ pk: `REGMODEL#${name}`, sk: 'REGMODEL' });

/** Registered-model records of the MLflow API in the tracking table (`REGMODEL#<name>`, listed under `REGMODELS`). */
export class DynamoRegisteredModelStore implements RegisteredModelStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  create(record: RegisteredModelRecord): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...recordKey(record.name), gsi1pk: 'REGMODELS', gsi1sk: record.name, value: record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(name: string): Promise<RegisteredModelRecord | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(recordKey(name)), ConsistentRead: true }));
    return Item ? fromItem<{ value: RegisteredModelRecord }>(Item).value : undefined;
  }

  async list(): Promise<RegisteredModelRecord[]> {
    const items = await queryAll<{ value: RegisteredModelRecord }>(this.dynamodb, {
      TableName: this.table,
      IndexName: 'byParent',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': 'REGMODELS' }),
    });
    return items.map((item) => item.value);
  }
}
