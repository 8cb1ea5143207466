import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { CloudEvent, EventQuery, EventStore } from '@flywheel/core';
import { conditionally, fromItem, toItem } from './dynamo-items.ts';

export interface DynamoEventStoreOptions {
  /** How long events are kept (default 30 days). */
  retentionDays?: number;
  now?: () => number;
}

export const MAX_EVENT_PAGE = 1000;

/**
 * Operations items under `pk = EVENT#<id>`, so recording is idempotent on the event id: `sk = EVENT`
 * is listed by the `byStatus` index under `gsi1pk = EVENTS`, `sk = TYPE` under `EVENTS#<type>`,
 * both with `gsi1sk = <time>#<id>`. They expire after the retention (`expiresAt`; readers skip
 * expired items, since DynamoDB deletes them lazily and the local emulator not at all).
 */
export class DynamoEventStore implements EventStore {
  readonly #retentionSeconds: number;
  readonly #now: () => number;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoEventStoreOptions = {},
  ) {
    this.#retentionSeconds = (options.retentionDays ?? 30) * 86_400;
    this.#now = options.now ?? Date.now;
  }

  async record(event: CloudEvent): Promise<boolean> {
    const item = {
      pk: `EVENT#${event.id}`,
      // UTC, so that sort keys order by time whatever offset the producer wrote.
      gsi1sk: `${new Date(event.time).toISOString()}#${event.id}`,
      type: event.type,
      event: JSON.stringify(event),
      expiresAt: Math.floor(this.#now() / 1000) + this.#retentionSeconds,
    };
    // The by-type entry first: if the process dies between the two writes, the redelivery still
    // finds the main entry missing and writes both.
    await this.dynamodb.send(new PutItemCommand({ TableName: this.table, Item: toItem({ ...item, sk: 'TYPE', gsi1pk: `EVENTS#${event.type}` }) }));
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...item, sk: 'EVENT', gsi1pk: 'EVENTS' }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async list(query: EventQuery): Promise<CloudEvent[]> {
    const limit = Math.min(query.limit ?? 100, MAX_EVENT_PAGE);
    const forward = query.since !== undefined;
    const events: CloudEvent[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: forward ? 'gsi1pk = :pk AND gsi1sk >= :since' : 'gsi1pk = :pk',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: marshall({
            ':pk': query.type ? `EVENTS#${query.type}` : 'EVENTS',
            ':now': Math.floor(this.#now() / 1000),
            ...(forward ? { ':since': query.since } : {}),
          }),
          ScanIndexForward: forward,
          Limit: limit - events.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) events.push(JSON.parse(fromItem<{ event: string }>(item).event) as CloudEvent);
      start = page.LastEvaluatedKey as typeof start;
    } while (start && events.length < limit);
    return forward ? events : events.reverse();
  }
}
