import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AlertKey, AlertState } from '@flywheel/core';
import { ALERT_STATUSES, type Alert, type AlertStateRecord, type AlertStatusName, type AlertStore } from '@flywheel/core';
import { conditionally, queryAll } from './dynamo-items.ts';

const RESOLVED_RETENTION_SECONDS = 180 * 86_400;

/**
 * Alerts in the operations table.
 * - Alert: `pk = ALERT#<id>, sk = ALERT`, listed through the `byStatus` index
 *   (`gsi1pk = ALERT#<status>`, `gsi1sk = <opened at>#<id>`).
 * - Policy state per alert key: `pk = ALERTSTATE#<endpoint>, sk = <kind>#<feature>`, one query
 *   per endpoint, every write conditional on `revision`.
 */
export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async states(endpoint: string): Promise<AlertStateRecord[]> {
    const items = await queryAll<StateItem>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': `ALERTSTATE#${endpoint}` }),
      ConsistentRead: true,
    });
    return items.map(toStateRecord);
  }

  async getState(key: AlertKey): Promise<AlertStateRecord | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(stateKey(key)), ConsistentRead: true }));
    return Item ? toStateRecord(unmarshall(Item) as StateItem) : undefined;
  }

  saveState(record: Omit<AlertStateRecord, 'revision'>, expectedRevision: number): Promise<boolean> {
    const item: StateItem = {
      ...stateKey(record.key),
      key: { endpoint: record.key.endpoint, kind: record.key.kind, ...(record.key.feature !== undefined ? { feature: record.key.feature } : {}) },
      state: record.state,
      ...(record.alertId !== undefined ? { alertId: record.alertId } : {}),
      revision: expectedRevision + 1,
    };
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(item, { removeUndefinedValues: true }),
          ...(expectedRevision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :r', ExpressionAttributeValues: marshall({ ':r': expectedRevision }) }),
        }),
      ),
    );
  }

  async create(alert: Alert): Promise<void> {
    await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ ...alertKey(alert.id), ...indexKeys(alert), ...alert }, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(id: string): Promise<Alert | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(alertKey(id)), ConsistentRead: true }));
    return Item ? toAlert(unmarshall(Item)) : undefined;
  }

  async transition(id: string, status: Exclude<AlertStatusName, 'open'>, at: string, from: readonly AlertStatusName[], by?: 'policy' | 'user'): Promise<Alert | undefined> {
    const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    const stamp = status === 'acknowledged' ? 'acknowledgedAt' : 'resolvedAt';
    // Resolved alerts are history: kept for a while, then left to TTL.
    const expires = status === 'resolved' ? Math.floor(Date.parse(at) / 1000) + RESOLVED_RETENTION_SECONDS : undefined;
    let updated: Alert | undefined;
    await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(alertKey(id)),
          UpdateExpression: `SET #status = :status, gsi1pk = :gsi1pk, ${stamp} = :at${by ? ', resolvedBy = :by' : ''}${expires ? ', expiresAt = :expiresAt' : ''}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({
            ':status': status,
            ':gsi1pk': `ALERT#${status}`,
            ':at': at,
            ...(by ? { ':by': by } : {}),
            ...(expires ? { ':expiresAt': expires } : {}),
            ...fromValues,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = Attributes ? toAlert(unmarshall(Attributes)) : undefined;
    });
    return updated;
  }

  async list(filter: { status?: AlertStatusName; endpoint?: string; limit: number }): Promise<Alert[]> {
    const statuses = filter.status ? [filter.status] : ALERT_STATUSES;
    const lists = await Promise.all(statuses.map((status) => this.#byStatus(status, filter.endpoint, filter.limit)));
    return lists
      .flat()
      .sort((a, b) => (a.openedAt === b.openedAt ? (a.id < b.id ? 1 : -1) : a.openedAt < b.openedAt ? 1 : -1))
      .slice(0, filter.limit);
  }

  /** Newest first, stopping once `limit` are found (resolved alerts pile up; pages are read only as needed). */
  async #byStatus(status: AlertStatusName, endpoint: string | undefined, limit: number): Promise<Alert[]> {
    const alerts: Alert[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byStatus',
          KeyConditionExpression: 'gsi1pk = :g',
          ...(endpoint ? { FilterExpression: 'endpoint = :e' } : {}),
          ExpressionAttributeValues: marshall({ ':g': `ALERT#${status}`, ...(endpoint ? { ':e': endpoint } : {}) }),
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const alert = unmarshall(item);
        // Resolved alerts past their TTL may linger until DynamoDB deletes them (dynalite never does).
        if (typeof alert.expiresAt === 'number' && alert.expiresAt * 1000 <= Date.now()) continue;
        alerts.push(toAlert(alert));
      }
      start = page.LastEvaluatedKey;
    } while (start && alerts.length < limit);
    return alerts.slice(0, limit);
  }
}

interface StateItem {
  pk: string;
  sk: string;
  key: AlertKey;
  state: AlertState;
  alertId?: string;
  revision: number;
}

function stateKey(key: AlertKey) {
  return { pk: `ALERTSTATE#${key.endpoint}`, sk: `${key.kind}#${key.feature ?? ''}` };
}

function alertKey(id: string) {
  return { pk: `ALERT#${id}`, sk: 'ALERT' };
}

function indexKeys(alert: Alert) {
  return { gsi1pk: `ALERT#${alert.status}`, gsi1sk: `${alert.openedAt}#${alert.id}` };
}

function toStateRecord(item: StateItem): AlertStateRecord {
  return { key: item.key, state: item.state, ...(item.alertId !== undefined ? { alertId: item.alertId } : {}), revision: item.revision };
}

function toAlert(item: Record<string, unknown>): Alert {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, expiresAt: _e, ...alert } = item;
  return alert as unknown as Alert;
}
