import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { GuardrailState, GuardrailStateStore, StoredGuardrailState } from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

const stateKey = (endpoint: string) => ({ pk: `GUARDRAIL#${endpoint}`, sk: 'STATE' });

/**
 * Operations item `pk = GUARDRAIL#<endpoint>, sk = STATE`: the step a canary's guardrail last
 * looked at, its running always-valid p-value and the last rollout announced, with a revision
 * every write is conditional on.
 */
export class DynamoGuardrailStateStore implements GuardrailStateStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async read(endpoint: string): Promise<StoredGuardrailState> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(stateKey(endpoint)), ConsistentRead: true }));
    if (!Item) return { revision: 0 };
    const item = fromItem<{ state: GuardrailState; revision: number }>(Item);
    return { state: item.state, revision: item.revision };
  }

  write(endpoint: string, state: GuardrailState, expectedRevision: number): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...stateKey(endpoint), endpoint, state, revision: expectedRevision + 1 }),
          ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :expected',
          ExpressionAttributeValues: expectedRevision === 0 ? undefined : marshall({ ':expected': expectedRevision }),
        }),
      ),
    );
  }
}
