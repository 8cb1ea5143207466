import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { INITIAL_RETRAIN_STATE, type RetrainState, type RetrainStateStore, type StoredRetrainState } from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

const stateKey = (model: string) => ({ pk: `RETRAIN#${model}`, sk: 'STATE' });

/**
 * Operations item `pk = RETRAIN#<model>, sk = STATE`: the model's retraining state with a
 * revision. Every write is conditional on the revision read, which serialises all triggers of a
 * model: the idempotency record that coalesces concurrent signals into one run.
 */
export class DynamoRetrainStateStore implements RetrainStateStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async read(model: string): Promise<StoredRetrainState> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(stateKey(model)), ConsistentRead: true }));
    if (!Item) return { state: INITIAL_RETRAIN_STATE, revision: 0 };
    const item = fromItem<{ state: RetrainState; revision: number }>(Item);
    return { state: { ...INITIAL_RETRAIN_STATE, ...item.state }, revision: item.revision };
  }

  write(model: string, state: RetrainState, expectedRevision: number): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...stateKey(model), model, state, revision: expectedRevision + 1 }),
          ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :expected',
          ExpressionAttributeValues: expectedRevision === 0 ? undefined : marshall({ ':expected': expectedRevision }),
        }),
      ),
    );
  }
}
