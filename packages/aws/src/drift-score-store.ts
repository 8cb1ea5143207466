import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DriftScoreStore, DriftScores } from '@flywheel/monitor';
import { conditionally, queryAll } from './dynamo-items.ts';

const PARTITION = 'DRIFTSCORES';

/**
 * The latest drift scores per endpoint variant and model version, in one partition of the
 * monitoring table (`pk = DRIFTSCORES`), so `/metrics` reads them all with one query.
 */
export class DynamoDriftScoreStore implements DriftScoreStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async put(scores: DriftScores): Promise<void> {
    const sk = [scores.endpoint, scores.variant, scores.model, scores.version].join('#');
    // An older window judged late must not replace a newer one's scores.
    await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ pk: PARTITION, sk, windowEnd: scores.windowEnd, scores: JSON.stringify(scores) }),
          ConditionExpression: 'attribute_not_exists(pk) OR windowEnd <= :windowEnd',
          ExpressionAttributeValues: marshall({ ':windowEnd': scores.windowEnd }),
        }),
      ),
    );
  }

  async list(): Promise<DriftScores[]> {
    const items = await queryAll<{ scores: string }>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': PARTITION }),
    });
    return items.map((item) => JSON.parse(item.scores) as DriftScores);
  }
}
