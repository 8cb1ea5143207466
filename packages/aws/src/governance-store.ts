import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { GovernanceRecord, GovernanceStore } from '@flywheel/core';
import { conditionally, queryAll, sortNumber, toItem, withoutKeys } from './dynamo-items.ts';

/**
 * Registry items `pk = MODEL#<model>, sk = GOV#<version>#<revision>`: every revision of a
 * version's governance, never rewritten. The newest is the version's state, so a change is one
 * put-if-absent of the next revision (as alias moves are), and its history cannot miss one.
 */
export class DynamoGovernanceStore implements GovernanceStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async current(model: string): Promise<GovernanceRecord[]> {
    const items = await this.query(model, 'GOV#', true);
    const newest = new Map<number, GovernanceRecord>();
    for (const item of items) {
      const seen = newest.get(item.version);
      if (!seen || item.revision > seen.revision) newest.set(item.version, item);
    }
    return [...newest.values()].sort((a, b) => a.version - b.version);
  }

  history(model: string, version: number): Promise<GovernanceRecord[]> {
    return this.query(model, `GOV#${sortNumber(version)}#`, false);
  }

  append(record: GovernanceRecord): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ pk: modelKey(record.model), sk: `GOV#${sortNumber(record.version)}#${sortNumber(record.revision)}`, ...record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  private async query(model: string, prefix: string, ascending: boolean): Promise<GovernanceRecord[]> {
    const items = await queryAll<GovernanceRecord>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': modelKey(model), ':prefix': prefix }),
      ScanIndexForward: ascending,
      ConsistentRead: true,
    });
    return items.map(withoutKeys);
  }
}

const modelKey = (model: string) => `MODEL#${model}`;
