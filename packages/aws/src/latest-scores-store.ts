import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { LatestScoresStore, SeriesScores } from '@flywheel/core';
import { conditionally, queryAll } from './dynamo-items.ts';

/**
 * The latest scores per endpoint variant and model version, in one partition of the monitoring
 * table, so `/metrics` reads them all with one query.
 */
export class DynamoLatestScores<T extends SeriesScores> implements LatestScoresStore<T> {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly partition: string,
  ) {}

  async put(scores: T): Promise<void> {
    const sk = [scores.endpoint, scores.variant, scores.model, scores.version].join('#');
    // An older window judged late must not replace a newer one's scores.
    await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ pk: this.partition, sk, windowEnd: scores.windowEnd, scores: JSON.stringify(scores) }),
          ConditionExpression: 'attribute_not_exists(pk) OR windowEnd <= :windowEnd',
          ExpressionAttributeValues: marshall({ ':windowEnd': scores.windowEnd }),
        }),
      ),
    );
  }

  async list(): Promise<T[]> {
    const items = await queryAll<{ scores: string }>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': this.partition }),
    });
    return items.map((item) => JSON.parse(item.scores) as T);
  }
}
