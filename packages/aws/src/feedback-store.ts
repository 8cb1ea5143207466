import { QueryCommand, UpdateItemCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { predictionRowId, type FeedbackLabel, type FeedbackReceipt, type FeedbackRow, type FeedbackStore, forEachLimit } from '@flywheel/core';
import { conditionally, fromItem } from './dynamo-items.ts';
import { batchGet, feedbackKey, isLive, predictionKey, type FeedbackItem, type PredictionItem } from './feedback-items.ts';
import type { ClaimTerms, ClaimedRow, FeedbackJoiner } from './feedback-join.ts';

export interface DynamoFeedbackStoreOptions {
  /** Feedback is kept this long after it was last given (default 90 days), for its prediction and for retraining. */
  retentionDays?: number;
  /** Rows written at once (default 16). */
  concurrency?: number;
  now?: () => Date;
}

const FIELDS = ['label', 'value', 'outcome'] as const;

/**
 * Feedback items in the monitoring table (`FEEDBACK#<endpoint>` / `<row id>`, see feedback-items.ts).
 * A row whose prediction is already kept is written together with its join claim; any other is
 * written and then its prediction read again (strongly consistent). The monitor writes
 * predictions and then reads feedback, so of two sides arriving together one sees the other.
 */
export class DynamoFeedbackStore implements FeedbackStore {
  readonly #retentionSeconds: number;
  readonly #concurrency: number;
  readonly #now: () => Date;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly joiner: FeedbackJoiner,
    options: DynamoFeedbackStoreOptions = {},
  ) {
    this.#retentionSeconds = (options.retentionDays ?? 90) * 86_400;
    this.#concurrency = options.concurrency ?? 16;
    this.#now = options.now ?? (() => new Date());
  }

  async record(endpoint: string, rows: readonly FeedbackRow[]): Promise<FeedbackReceipt> {
    const ids = rows.map((row) => predictionRowId(row.requestId, row.row));
    // Rows whose prediction is known before the write claim it in the same write: the usual case costs one write less.
    const known = await this.#predictions(endpoint, ids);
    const claimed: ClaimedRow[] = [];
    const written = new Map<string, FeedbackItem>();
    const writing = forEachLimit(rows.keys(), this.#concurrency, async (i) => {
      const rowId = ids[i];
      const prediction = known.get(rowId);
      if (prediction) {
        const terms = this.joiner.newClaim();
        const item = await this.#put(endpoint, rowId, rows[i], terms);
        if (item) return void claimed.push({ rowId, token: terms.token, feedback: item, prediction });
      }
      // Its prediction unknown, or another joiner holds the row: a plain write, joined below.
      written.set(rowId, (await this.#put(endpoint, rowId, rows[i]))!);
    });
    await writing.catch(async (error: unknown) => {
      await this.joiner.abandon(endpoint, claimed);
      throw error;
    });
    await this.joiner.complete(endpoint, claimed);
    // The rest are read again after the write: a prediction logged meanwhile is joined here, or by the monitor.
    const late = await this.#predictions(endpoint, [...written.keys()]);
    const joinable = [...late].map(([rowId, prediction]) => ({ rowId, feedback: written.get(rowId)!, prediction }));
    await this.joiner.join(endpoint, joinable);
    return { rows: rows.length, joined: claimed.length + joinable.length };
  }

  async #predictions(endpoint: string, rowIds: readonly string[]): Promise<Map<string, PredictionItem>> {
    const now = this.#now();
    const found = await batchGet<PredictionItem>(
      this.dynamodb,
      this.table,
      rowIds.map((rowId) => predictionKey(endpoint, rowId)),
    );
    return new Map(found.filter((p) => isLive(p, now)).map((p) => [p.sk, p]));
  }

  /**
   * Labels and true values kept for the endpoint, given before `range.to`. Not bounded below by
   * `range.from`: that is a prediction time, and feedback may be given before its prediction is logged.
   */
  async *labels(endpoint: string, range: { from: string; to: string }): AsyncIterable<FeedbackLabel> {
    const input: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '(attribute_exists(#label) OR attribute_exists(#value)) AND #givenAt < :to AND #expiresAt > :now',
      ProjectionExpression: '#requestId, #row, #label, #value, #givenAt',
      ExpressionAttributeNames: { '#label': 'label', '#value': 'value', '#givenAt': 'givenAt', '#expiresAt': 'expiresAt', '#requestId': 'requestId', '#row': 'row' },
      ExpressionAttributeValues: marshall({ ':pk': `FEEDBACK#${endpoint}`, ':to': range.to, ':now': Math.floor(this.#now().getTime() / 1000) }),
    };
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      for (const raw of page.Items ?? []) {
        const item = fromItem<Pick<FeedbackItem, 'requestId' | 'row' | 'label' | 'value' | 'givenAt'>>(raw);
        yield { id: item.requestId, row: item.row, label: (item.label ?? item.value)!, time: item.givenAt };
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /**
   * Writes the given fields over the row's earlier feedback; returns the item as it now is. With
   * `claim`, the write also takes the row's join claim, and is refused (undefined) while another
   * joiner holds it.
   */
  async #put(endpoint: string, rowId: string, row: FeedbackRow, claim?: ClaimTerms): Promise<FeedbackItem | undefined> {
    const given = FIELDS.filter((field) => row[field] !== undefined);
    const now = this.#now();
    const names = ['requestId', 'row', 'givenAt', 'expiresAt', ...given, ...(claim ? ['claim', 'claimUntil'] : [])];
    let item: FeedbackItem | undefined;
    await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(feedbackKey(endpoint, rowId)),
          UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
          ...(claim ? { ConditionExpression: 'attribute_not_exists(#claim) OR #claimUntil < :now' } : {}),
          ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: marshall({
            ':requestId': row.requestId,
            ':row': row.row,
            ':givenAt': now.toISOString(),
            ':expiresAt': Math.floor(now.getTime() / 1000) + this.#retentionSeconds,
            ...Object.fromEntries(given.map((field) => [`:${field}`, row[field]])),
            ...(claim ? { ':claim': claim.token, ':claimUntil': claim.until, ':now': claim.now } : {}),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = fromItem<FeedbackItem>(Attributes!);
    });
    return item;
  }
}
