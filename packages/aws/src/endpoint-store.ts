import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { EndpointRecord, EndpointStore } from '@flywheel/core';
import { conditionally, fromItem, lookupNames, newest, sortNumber, toItem, withoutKeys } from './dynamo-items.ts';

/**
 * Registry items `pk = ENDPOINT#<endpoint>, sk = CONFIG#<configVersion>`, one per change and never
 * rewritten. The newest is the endpoint, so a change is a single put-if-absent of the next
 * version: there is no separate head item that a crash could leave out of step with the history
 * (DynamoDB's transactions would make a head safe, but the local emulator has none, and the
 * newest-item query costs the same as a get). Version 1 carries `lookup = ENDPOINTS` so the
 * `byLookup` index lists every endpoint.
 */
export class DynamoEndpointStore implements EndpointStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async current(endpoint: string): Promise<EndpointRecord | undefined> {
    const item = await newest<EndpointRecord>(this.dynamodb, this.table, endpointKey(endpoint), 'CONFIG#');
    return item && withoutKeys(item);
  }

  async get(endpoint: string, configVersion: number): Promise<EndpointRecord | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: marshall({ pk: endpointKey(endpoint), sk: configKey(configVersion) }),
        ConsistentRead: true,
      }),
    );
    return Item ? withoutKeys(fromItem<EndpointRecord>(Item)) : undefined;
  }

  append(record: EndpointRecord): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({
            pk: endpointKey(record.endpoint),
            sk: configKey(record.configVersion),
            ...(record.configVersion === 1 ? { lookup: 'ENDPOINTS' } : {}),
            ...record,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async history(endpoint: string, options: { limit?: number; before?: number } = {}): Promise<EndpointRecord[]> {
    if (options.before !== undefined && options.before <= 1) return [];
    const { Items } = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: marshall({
          ':pk': endpointKey(endpoint),
          ':from': configKey(1),
          ':to': configKey(options.before !== undefined ? options.before - 1 : 9_999_999_999),
        }),
        ScanIndexForward: false,
        Limit: options.limit ?? 100,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => withoutKeys(fromItem<EndpointRecord>(item)));
  }

  async list(): Promise<EndpointRecord[]> {
    const names = await lookupNames(this.dynamodb, this.table, 'ENDPOINTS', 'endpoint');
    const records = await Promise.all(names.map((name) => this.current(name)));
    return records.filter((record): record is EndpointRecord => record !== undefined);
  }
}

const endpointKey = (endpoint: string) => `ENDPOINT#${endpoint}`;
const configKey = (configVersion: number) => `CONFIG#${sortNumber(configVersion)}`;
