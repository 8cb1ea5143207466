// The two sides of the feedback join in the monitoring table, and batched reads and writes of them.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { FeedbackSide, LabelValue, OutcomeValue, PredictionSide } from '@flywheel/core';
import { forEachLimit } from '@flywheel/core';
import { fromItem } from './dynamo-items.ts';

/** `pk = FEEDBACK#<endpoint>, sk = <row id>`: the latest feedback for a row, and what of it is counted. */
export interface FeedbackItem {
  pk: string;
  sk: string;
  requestId: string;
  row: number;
  label?: LabelValue;
  value?: number;
  outcome?: OutcomeValue;
  /** When feedback for the row was last given. */
  givenAt: string;
  /** When a facet was counted into the experiment; present means counted. */
  outcomeJoinedAt?: string;
  qualityJoinedAt?: string;
  /** A join in progress: its holder's token and lease (epoch ms). */
  claim?: string;
  claimUntil?: number;
  expiresAt: number;
}

/** `pk = PREDICTION#<endpoint>, sk = <row id>`: a logged prediction row, kept for its feedback. */
export type PredictionItem = PredictionSide & { pk: string; sk: string; expiresAt: number };

export const feedbackKey = (endpoint: string, rowId: string) => ({ pk: `FEEDBACK#${endpoint}`, sk: rowId });
export const predictionKey = (endpoint: string, rowId: string) => ({ pk: `PREDICTION#${endpoint}`, sk: rowId });

export function feedbackSide(item: FeedbackItem): FeedbackSide {
  return {
    label: item.label,
    value: item.value,
    outcome: item.outcome,
    outcomeJoined: item.outcomeJoinedAt !== undefined,
    qualityJoined: item.qualityJoinedAt !== undefined,
  };
}

/** DynamoDB deletes expired items lazily (and dynalite never): readers skip them. */
export function isLive(item: { expiresAt: number }, now: Date): boolean {
  return item.expiresAt * 1000 > now.getTime();
}

const GET_PAGE = 100;
const WRITE_PAGE = 25;
const ATTEMPTS = 6;
/** Pages in flight at once. */
const PAGES_AT_ONCE = 8;

/** Items by key (strongly consistent), pages of 100, retrying what DynamoDB leaves unprocessed. */
export async function batchGet<T>(dynamodb: DynamoDBClient, table: string, keys: readonly { pk: string; sk: string }[]): Promise<T[]> {
  const found: T[] = [];
  await forEachLimit(pages(keys, GET_PAGE), PAGES_AT_ONCE, async (page) => {
    let pending: Record<string, AttributeValue>[] | undefined = page.map((key) => marshall(key));
    for (let attempt = 1; pending?.length; attempt++) {
      if (attempt > ATTEMPTS) throw new Error(`DynamoDB left ${pending.length} reads unprocessed after ${ATTEMPTS} attempts`);
      if (attempt > 1) await backoff(attempt);
      const result: BatchGetItemCommandOutput = await dynamodb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[table] ?? []) found.push(fromItem<T>(item));
      pending = result.UnprocessedKeys?.[table]?.Keys;
    }
  });
  return found;
}

/** Puts items (unconditionally: each must be the same whoever writes it), pages of 25, retrying what is left unprocessed. */
export async function batchPut(dynamodb: DynamoDBClient, table: string, items: readonly object[]): Promise<void> {
  await forEachLimit(pages(items, WRITE_PAGE), PAGES_AT_ONCE, async (page) => {
    let pending: WriteRequest[] = page.map((item) => ({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } }));
    for (let attempt = 1; pending.length; attempt++) {
      if (attempt > ATTEMPTS) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${ATTEMPTS} attempts`);
      if (attempt > 1) await backoff(attempt);
      const result: BatchWriteItemCommandOutput = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] ?? [];
    }
  });
}

function pages<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
}
