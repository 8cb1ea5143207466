import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DriftScoreStore, DriftScores } from '@flywheel/core';
import { DynamoLatestScores } from './latest-scores-store.ts';

/** The latest drift scores (`pk = DRIFTSCORES`). */
export class DynamoDriftScoreStore extends DynamoLatestScores<DriftScores> implements DriftScoreStore {
  constructor(dynamodb: DynamoDBClient, table: string) {
    super(dynamodb, table, 'DRIFTSCORES');
  }
}
