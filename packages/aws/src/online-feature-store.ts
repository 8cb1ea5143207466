import { BatchGetItemCommand, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { latestPerEntity, type FeatureRow, type OnlineFeatureStore } from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

const SORT_KEY = 'LATEST';
/** BatchGetItem's limit per call. */
const GET_BATCH = 100;
/** Conditional puts in flight per write; the rest wait. */
const WRITE_CONCURRENCY = 48;

interface OnlineItem {
  entityId: string;
  eventTimeMs: number;
  values: FeatureRow['values'];
}

/**
 * The `features` table: one item per (view, entity), `pk = <view>#<entity>`, holding the entity's
 * newest row. A write is conditional on not going back in time, so rows may arrive in any order
 * and twice (at-least-once) and the item still ends as the newest; the same event time written
 * again replaces it (the later ingest wins, as in historical joins).
 */
export class DynamoOnlineFeatureStore implements OnlineFeatureStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async write(view: string, rows: readonly FeatureRow[]): Promise<void> {
    const pending = latestPerEntity(rows);
    const worker = async () => {
      for (let row = pending.pop(); row; row = pending.pop()) {
        const item: OnlineItem = { entityId: row.entityId, eventTimeMs: row.eventTimeMs, values: row.values };
        await conditionally(() =>
          this.dynamodb.send(
            new PutItemCommand({
              TableName: this.table,
              Item: toItem({ pk: onlineKey(view, row.entityId), sk: SORT_KEY, ...item }),
              ConditionExpression: 'attribute_not_exists(pk) OR eventTimeMs <= :t',
              ExpressionAttributeValues: marshall({ ':t': row.eventTimeMs }),
            }),
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, pending.length) }, worker));
  }

  async latest(view: string, entityIds: readonly string[]): Promise<Map<string, FeatureRow>> {
    const found = new Map<string, FeatureRow>();
    const unique = [...new Set(entityIds)];
    for (let start = 0; start < unique.length; start += GET_BATCH) {
      let keys = unique.slice(start, start + GET_BATCH).map((id) => marshall({ pk: onlineKey(view, id), sk: SORT_KEY }));
      // Unprocessed keys (throttling) are asked for again until none are left.
      while (keys.length) {
        const { Responses, UnprocessedKeys } = await this.dynamodb.send(new BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        for (const item of Responses?.[this.table] ?? []) {
          const { entityId, eventTimeMs, values } = fromItem<OnlineItem>(item);
          found.set(entityId, { entityId, eventTimeMs, values });
        }
        keys = UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return found;
  }

  async erase(view: string, entityId: string): Promise<boolean> {
    const { Attributes } = await this.dynamodb.send(
      new DeleteItemCommand({ TableName: this.table, Key: marshall({ pk: onlineKey(view, entityId), sk: SORT_KEY }), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}

// A view name has no "#" (names.ts), so the first one splits view from entity.
const onlineKey = (view: string, entityId: string) => `${view}#${entityId}`;
