import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { BatchLedger, ClaimResult, WindowKey } from '@flywheel/core';
import { conditionally } from './dynamo-items.ts';

export interface DynamoBatchLedgerOptions {
  /**
   * How long a completed batch is remembered (default 15 days: longer than the queue keeps a
   * message, so no redelivery outlives its record).
   */
  retentionDays?: number;
  now?: () => Date;
}

/** Ledger items `pk = LOGBATCH#<batch id>, sk = LEDGER` in the monitoring table, expiring by TTL. */
export class DynamoBatchLedger implements BatchLedger {
  readonly #retentionSeconds: number;
  readonly #now: () => Date;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoBatchLedgerOptions = {},
  ) {
    this.#retentionSeconds = (options.retentionDays ?? 15) * 86_400;
    this.#now = options.now ?? (() => new Date());
  }

  async claim(batchId: string, owner: string, leaseUntil: number): Promise<ClaimResult> {
    const now = this.#now().getTime();
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ ...key(batchId), status: 'claimed', owner, leaseUntil, expiresAt: this.#expiry() }),
          // New, or a claim whose holder is gone (lease over), or a record past its TTL.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now) OR expiresAt < :nowSeconds',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':claimed': 'claimed', ':now': now, ':nowSeconds': Math.floor(now / 1000) }),
        }),
      );
      return { status: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(key(batchId)), ConsistentRead: true }));
    const item = Item ? unmarshall(Item) : undefined;
    if (item?.status === 'done') return { status: 'done', windows: JSON.parse(item.windows as string) as WindowKey[] };
    return { status: 'busy' };
  }

  async complete(batchId: string, owner: string, windows: readonly WindowKey[]): Promise<void> {
    const completed = await conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(key(batchId)),
          UpdateExpression: 'SET #status = :done, windows = :windows, expiresAt = :expiresAt REMOVE leaseUntil',
          ConditionExpression: '#status = :claimed AND #owner = :owner',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: marshall({
            ':done': 'done',
            ':claimed': 'claimed',
            ':owner': owner,
            ':windows': JSON.stringify(windows),
            ':expiresAt': this.#expiry(),
          }),
        }),
      ),
    );
    if (!completed) throw new Error(`the claim on batch ${batchId} was lost (lease expired and taken over)`);
  }

  async release(batchId: string, owner: string): Promise<void> {
    await conditionally(() =>
      this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: marshall(key(batchId)),
          ConditionExpression: '#status = :claimed AND #owner = :owner',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: marshall({ ':claimed': 'claimed', ':owner': owner }),
        }),
      ),
    );
  }

  #expiry(): number {
    return Math.floor(this.#now().getTime() / 1000) + this.#retentionSeconds;
  }
}

function key(batchId: string) {
  return { pk: `LOGBATCH#${batchId}`, sk: 'LEDGER' };
}
