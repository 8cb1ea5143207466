import { ConditionalCheckFailedException, DeleteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tables } from '@flywheel/infra';
import type { ResourceNames } from '@flywheel/aws';

/** A table whose items expire at the epoch second in `ttlAttribute`, with its key attribute names. */
export interface SweptTable {
  readonly name: string;
  readonly ttlAttribute: string;
  readonly keys: readonly string[];
}

export interface TtlSweeperOptions {
  dynamodb: DynamoDBClient;
  tables: readonly SweptTable[];
  /** Milliseconds between sweeps (default 10 minutes). */
  everyMs?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

export interface SweepResult {
  /** Items deleted, by table. */
  deleted: Record<string, number>;
  scanned: number;
}

const SCAN_PAGE = 500;
const DELETES_AT_ONCE = 8;

/** The provisioned tables that declare a TTL attribute (infra/tables.ts), under their local names. */
export function sweptTables(names: ResourceNames): SweptTable[] {
  return Object.entries(tables).flatMap(([key, table]) =>
    'ttl' in table && table.ttl ? [{ name: names.tables[key as keyof typeof tables], ttlAttribute: table.ttl, keys: [table.hashKey, table.rangeKey] }] : [],
  );
}

/**
 * What DynamoDB's TTL does and dynalite does not: deletes items whose TTL attribute is an epoch
 * second in the past, so join items, ledgers and claims do not pile up under `npm start`. Like
 * DynamoDB it is lazy (every few minutes) and readers still skip expired items in between; an
 * item without the attribute, or with a non-number there, never expires. Each delete is
 * conditional on the item being still expired, so one renewed meanwhile is kept.
 */
export class TtlSweeper {
  readonly #options: TtlSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: TtlSweeperOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.sweep()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => (this.#running = undefined));
    }, this.#options.everyMs ?? 600_000);
    // A sweep never keeps the process alive.
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async sweep(): Promise<SweepResult> {
    const nowSeconds = Math.floor((this.#options.now?.() ?? new Date()).getTime() / 1000);
    const result: SweepResult = { deleted: {}, scanned: 0 };
    for (const table of this.#options.tables) {
      result.deleted[table.name] = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await this.#options.dynamodb.send(
          new ScanCommand({
            TableName: table.name,
            Limit: SCAN_PAGE,
            ExclusiveStartKey: start,
            FilterExpression: '#ttl < :now',
            ProjectionExpression: table.keys.map((_, i) => `#k${i}`).join(', '),
            ExpressionAttributeNames: { '#ttl': table.ttlAttribute, ...Object.fromEntries(table.keys.map((key, i) => [`#k${i}`, key])) },
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          }),
        );
        result.scanned += page.ScannedCount ?? 0;
        const expired = page.Items ?? [];
        for (let i = 0; i < expired.length; i += DELETES_AT_ONCE) {
          const deleted = await Promise.all(expired.slice(i, i + DELETES_AT_ONCE).map((key) => this.#delete(table, key, nowSeconds)));
          result.deleted[table.name] += deleted.filter(Boolean).length;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return result;
  }

  /** Deletes the item if it is still expired; false when it was renewed (or deleted) meanwhile. */
  async #delete(table: SweptTable, key: Record<string, AttributeValue>, nowSeconds: number): Promise<boolean> {
    try {
      await this.#options.dynamodb.send(
        new DeleteItemCommand({
          TableName: table.name,
          Key: key,
          ConditionExpression: '#ttl < :now',
          ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
