import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { MAX_AUDIT_PAGE, type AuditLog, type AuditPage, type AuditQuery, type AuditRecord } from '@flywheel/core';
import { fromItem, toItem } from './dynamo-items.ts';

export interface DynamoAuditLogOptions {
  /** How long records are kept (default 400 days: a year's audit and then some). */
  retentionDays?: number;
}

/**
 * Operations items under `pk = AUDIT#<id>`, written once (conditional on the id), listed by the
 * `byStatus` index newest first: `sk = AUDIT` under `gsi1pk = AUDIT`, `sk = ACTOR` under
 * `AUDIT#actor#<key id>`, `sk = RESOURCE` under `AUDIT#resource#<resource>`, all with
 * `gsi1sk = <time>#<id>`. The index is eventually consistent: a record shows within about a second.
 */
export class DynamoAuditLog implements AuditLog {
  readonly #retentionSeconds: number;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoAuditLogOptions = {},
  ) {
    this.#retentionSeconds = (options.retentionDays ?? 400) * 86_400;
  }

  async append(record: AuditRecord): Promise<void> {
    const base = {
      pk: `AUDIT#${record.id}`,
      gsi1sk: `${record.at}#${record.id}`,
      actorId: record.actor.keyId,
      record: JSON.stringify(record),
      expiresAt: Math.floor(Date.parse(record.at) / 1000) + this.#retentionSeconds,
    };
    const entries = [
      { sk: 'AUDIT', gsi1pk: 'AUDIT' },
      { sk: 'ACTOR', gsi1pk: `AUDIT#actor#${record.actor.keyId}` },
      ...(record.resource ? [{ sk: 'RESOURCE', gsi1pk: `AUDIT#resource#${record.resource}` }] : []),
    ];
    await Promise.all(
      entries.map((entry) =>
        this.dynamodb.send(new PutItemCommand({ TableName: this.table, Item: toItem({ ...base, ...entry }), ConditionExpression: 'attribute_not_exists(pk)' })),
      ),
    );
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(query.limit ?? 100, MAX_AUDIT_PAGE);
    // The most selective listing, the other filter applied to it.
    const partition = query.resource ? `AUDIT#resource#${query.resource}` : query.actor ? `AUDIT#actor#${query.actor}` : 'AUDIT';
    const filterActor = query.resource !== undefined && query.actor !== undefined;
    const range = query.since && query.cursor ? 'gsi1sk BETWEEN :since AND :before' : query.since ? 'gsi1sk >= :since' : query.cursor ? 'gsi1sk < :before' : undefined;
    const records: AuditRecord[] = [];
    let start: Record<string, never> | undefined;
    let last: string | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: `gsi1pk = :pk${range ? ` AND ${range}` : ''}`,
          ...(filterActor ? { FilterExpression: 'actorId = :actor' } : {}),
          ExpressionAttributeValues: marshall({
            ':pk': partition,
            ...(query.since ? { ':since': query.since } : {}),
            ...(query.cursor ? { ':before': query.cursor } : {}),
            ...(filterActor ? { ':actor': query.actor } : {}),
          }),
          ScanIndexForward: false,
          Limit: limit + 1,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const { record, gsi1sk } = fromItem<{ record: string; gsi1sk: string }>(item);
        // BETWEEN is inclusive; the cursor's own record ended the previous page.
        if (gsi1sk === query.cursor) continue;
        if (records.length === limit) return { records, next: last };
        records.push(JSON.parse(record) as AuditRecord);
        last = gsi1sk;
      }
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    return { records };
  }
}
