import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredWindow, WindowKey, WindowSeries, WindowState, WindowStore } from '@flywheel/core';
import { conditionally, queryAll } from './dynamo-items.ts';
import { gunzipAsync, gzipAsync } from './gzip.ts';

export interface DynamoWindowStoreOptions {
  /** Hour windows expire (TTL) this long after they end (default 400 days: a year-over-year drift query works). */
  retentionDays?: number;
  /** Minute windows, which the judge reads and the hours' history outlives (default 7 days). */
  minuteRetentionDays?: number;
  now?: () => Date;
}

interface WindowItem {
  pk: string;
  sk: string;
  endpoint: string;
  variant: string;
  model: string;
  version: number;
  start: string;
  shadow?: true;
  grain?: 'minute';
  records: number;
  /** Gzipped JSON of the WindowState: counts compress ~5×, and DynamoDB bills writes per KB. */
  state: Uint8Array;
  applied?: Set<string>;
  revision: number;
  expiresAt: number;
}

/**
 * Monitoring windows in the monitoring table: `pk = WINDOW#<endpoint>`, `sk = <hour start>#<variant>#<model>#<version>`,
 * so a time range of an endpoint is one query; shadow windows likewise under `pk = SHADOW#<endpoint>`
 * and minute windows under `pk = MINUTE#<endpoint>`, out of the way of the hours' queries. Every
 * write is conditional on `revision`.
 */
export class DynamoWindowStore implements WindowStore {
  readonly #retentionMs: number;
  readonly #minuteRetentionMs: number;
  readonly #now: () => Date;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoWindowStoreOptions = {},
  ) {
    this.#retentionMs = (options.retentionDays ?? 400) * 86_400_000;
    this.#minuteRetentionMs = (options.minuteRetentionDays ?? 7) * 86_400_000;
    this.#now = options.now ?? (() => new Date());
  }

  async get(key: WindowKey): Promise<StoredWindow | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall(keyOf(key)), ConsistentRead: true }));
    if (!Item) return undefined;
    const item = unmarshall(Item) as WindowItem;
    return this.#isExpired(item) ? undefined : toWindow(item);
  }

  async put(key: WindowKey, state: WindowState, applied: readonly string[], expectedRevision: number): Promise<boolean> {
    const item: WindowItem = {
      ...keyOf(key),
      endpoint: key.endpoint,
      variant: key.variant,
      model: key.model,
      version: key.version,
      start: key.start,
      ...(key.shadow ? { shadow: true as const } : {}),
      ...(key.grain ? { grain: key.grain } : {}),
      records: state.records,
      state: await gzipAsync(JSON.stringify(state)),
      ...(applied.length > 0 ? { applied: new Set(applied) } : {}),
      revision: expectedRevision + 1,
      expiresAt: Math.floor((Date.parse(key.start) + (key.grain === 'minute' ? 60_000 + this.#minuteRetentionMs : 3_600_000 + this.#retentionMs)) / 1000),
    };
    return conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(item),
          ...(expectedRevision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'revision = :r', ExpressionAttributeValues: marshall({ ':r': expectedRevision }) }),
        }),
      ),
    );
  }

  async forget(key: WindowKey, batchIds: readonly string[]): Promise<void> {
    if (batchIds.length === 0) return;
    // Bumping the revision makes a concurrent read-modify-write that still saw these ids retry.
    await conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(keyOf(key)),
          UpdateExpression: 'DELETE applied :ids ADD revision :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: marshall({ ':ids': new Set(batchIds), ':one': 1 }),
        }),
      ),
    );
  }

  async list(endpoint: string, from: string, to: string, series: WindowSeries = 'variants'): Promise<StoredWindow[]> {
    // Sort keys begin with the window start (fixed-length ISO), so every window starting before
    // `to` sorts below it and one starting at `to` above it: BETWEEN gives [from, to).
    const items = await queryAll<WindowItem>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: marshall({ ':pk': partitionOf(endpoint, series), ':from': from, ':to': to }),
    });
    return Promise.all(items.filter((item) => !this.#isExpired(item)).map(toWindow));
  }

  // DynamoDB deletes expired items lazily (and dynalite never): readers skip them.
  #isExpired(item: WindowItem): boolean {
    return item.expiresAt * 1000 <= this.#now().getTime();
  }
}

const PARTITION_PREFIX: Record<WindowSeries, string> = { variants: 'WINDOW', shadows: 'SHADOW', minutes: 'MINUTE' };

function partitionOf(endpoint: string, series: WindowSeries): string {
  return `${PARTITION_PREFIX[series]}#${endpoint}`;
}

function keyOf(key: WindowKey): { pk: string; sk: string } {
  const series: WindowSeries = key.shadow ? 'shadows' : key.grain === 'minute' ? 'minutes' : 'variants';
  return { pk: partitionOf(key.endpoint, series), sk: `${key.start}#${key.variant}#${key.model}#${key.version}` };
}

async function toWindow(item: WindowItem): Promise<StoredWindow> {
  return {
    key: {
      endpoint: item.endpoint,
      variant: item.variant,
      model: item.model,
      version: item.version,
      start: item.start,
      ...(item.shadow ? { shadow: true as const } : {}),
      ...(item.grain ? { grain: item.grain } : {}),
    },
    state: JSON.parse((await gunzipAsync(item.state)).toString('utf8')) as WindowState,
    applied: item.applied ?? new Set(),
    revision: item.revision,
  };
}
