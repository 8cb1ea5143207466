import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RateLimitLedger } from '@flywheel/core';
import { conditionally } from './dynamo-items.ts';

/**
 * Per-key, per-second windows in the operations table, `pk = RATE#<key id>, sk = <epoch second>`,
 * `used` counting leased tokens with an atomic add that may not pass the limit; items expire a
 * minute later. A lease asks for a chunk, and if the window has less left, for one token.
 */
export class DynamoRateLimitLedger implements RateLimitLedger {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async lease(keyId: string, windowSecond: number, tokens: number, limit: number): Promise<number> {
    for (const asked of tokens > 1 ? [tokens, 1] : [1]) {
      if (asked > limit) continue;
      const granted = await conditionally(() =>
        this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: marshall({ pk: `RATE#${keyId}`, sk: String(windowSecond) }),
            UpdateExpression: 'ADD used :n SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
            ExpressionAttributeValues: marshall({ ':n': asked, ':room': limit - asked, ':expires': windowSecond + 60 }),
          }),
        ),
      );
      if (granted) return asked;
    }
    return 0;
  }
}
