import { QueryCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { FeatureViewRecord, FeatureViewStore } from '@flywheel/core';
import { conditionally, fromItem, lookupNames, newest, sortNumber, toItem, withoutKeys } from './dynamo-items.ts';

/**
 * Registry items `pk = FEATUREVIEW#<view>, sk = VERSION#<version>`, one per change and never
 * rewritten, as endpoint configs are (endpoint-store.ts): a change is the put-if-absent of the next
 * version. Version 1 carries `lookup = FEATUREVIEWS` so the `byLookup` index lists every view.
 */
export class DynamoFeatureViewStore implements FeatureViewStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async current(view: string): Promise<FeatureViewRecord | undefined> {
    const item = await newest<FeatureViewRecord>(this.dynamodb, this.table, viewKey(view), 'VERSION#');
    return item && withoutKeys(item);
  }

  append(record: FeatureViewRecord): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ pk: viewKey(record.view), sk: versionKey(record.version), ...(record.version === 1 ? { lookup: 'FEATUREVIEWS' } : {}), ...record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async history(view: string, options: { limit?: number; before?: number } = {}): Promise<FeatureViewRecord[]> {
    if (options.before !== undefined && options.before <= 1) return [];
    const { Items } = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: marshall({ ':pk': viewKey(view), ':from': versionKey(1), ':to': versionKey(options.before !== undefined ? options.before - 1 : 9_999_999_999) }),
        ScanIndexForward: false,
        Limit: options.limit ?? 100,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => withoutKeys(fromItem<FeatureViewRecord>(item)));
  }

  async list(): Promise<FeatureViewRecord[]> {
    const names = await lookupNames(this.dynamodb, this.table, 'FEATUREVIEWS', 'view');
    const records = await Promise.all(names.map((name) => this.current(name)));
    return records.filter((record): record is FeatureViewRecord => record !== undefined);
  }
}

const viewKey = (view: string) => `FEATUREVIEW#${view}`;
const versionKey = (version: number) => `VERSION#${sortNumber(version)}`;
