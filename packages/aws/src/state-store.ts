import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  INITIAL_RETRAIN_STATE,
  type GuardrailState,
  type GuardrailStateStore,
  type RetrainState,
  type RetrainStateStore,
  type StoredGuardrailState,
  type StoredRetrainState,
} from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

/**
 * Operations item `pk = <KIND>#<id>, sk = STATE`: one state per id with a revision every write is
 * conditional on, so concurrent writers serialise (the first wins; the others read again).
 */
class DynamoStateStore<S> {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    /** The key's prefix and the attribute that names the id (`GUARDRAIL`, `endpoint`). */
    private readonly kind: { readonly prefix: string; readonly idAttribute: string },
  ) {}

  async read(id: string): Promise<{ state?: S; revision: number }> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(this.#key(id)), ConsistentRead: true }));
    if (!Item) return { revision: 0 };
    const item = fromItem<{ state: S; revision: number }>(Item);
    return { state: item.state, revision: item.revision };
  }

  write(id: string, state: S, expectedRevision: number): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...this.#key(id), [this.kind.idAttribute]: id, state, revision: expectedRevision + 1 }),
          ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :expected',
          ExpressionAttributeValues: expectedRevision === 0 ? undefined : marshall({ ':expected': expectedRevision }),
        }),
      ),
    );
  }

  #key(id: string) {
    return { pk: `${this.kind.prefix}#${id}`, sk: 'STATE' };
  }
}

/**
 * `GUARDRAIL#<endpoint>`: the step a canary's guardrail last looked at, its running always-valid
 * p-value and the last rollout announced.
 */
export class DynamoGuardrailStateStore extends DynamoStateStore<GuardrailState> implements GuardrailStateStore {
  constructor(dynamodb: DynamoDBClient, table: string) {
    super(dynamodb, table, { prefix: 'GUARDRAIL', idAttribute: 'endpoint' });
  }

  override read(endpoint: string): Promise<StoredGuardrailState> {
    return super.read(endpoint);
  }
}

/**
 * `RETRAIN#<model>`: the model's retraining state. The conditional write serialises all triggers
 * of a model: the idempotency record that coalesces concurrent signals into one run.
 */
export class DynamoRetrainStateStore extends DynamoStateStore<RetrainState> implements RetrainStateStore {
  constructor(dynamodb: DynamoDBClient, table: string) {
    super(dynamodb, table, { prefix: 'RETRAIN', idAttribute: 'model' });
  }

  // A state stored before a field was added reads with that field's initial value.
  override async read(model: string): Promise<StoredRetrainState> {
    const { state, revision } = await super.read(model);
    return { state: { ...INITIAL_RETRAIN_STATE, ...state }, revision };
  }
}
