import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PerformanceScoreStore, PerformanceScores } from '@flywheel/core';
import { DynamoLatestScores } from './latest-scores-store.ts';

/** The latest judged performance (`pk = PERFORMANCESCORES`). */
export class DynamoPerformanceScoreStore extends DynamoLatestScores<PerformanceScores> implements PerformanceScoreStore {
  constructor(dynamodb: DynamoDBClient, table: string) {
    super(dynamodb, table, 'PERFORMANCESCORES');
  }
}
