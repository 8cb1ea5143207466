import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  EMPTY_TALLY,
  TALLY_FIELDS,
  addTallies,
  type ExperimentStore,
  type ExperimentTally,
  type Moments,
  type ServedCount,
  type TallyDelta,
  type TallyKey,
  type VariantTally,
  forEachLimit,
} from '@flywheel/core';
import { conditionally, queryAll, sortNumber } from './dynamo-items.ts';
import { batchGet, batchPut } from './feedback-items.ts';

export interface DynamoExperimentStoreOptions {
  /** Tallies expire this long after their last change (default 400 days, as monitoring windows). */
  retentionDays?: number;
  /** How long a batch's served rows are remembered as counted (default 15 days: longer than a message lives). */
  batchMemoryDays?: number;
  now?: () => Date;
}

type TallyItem = ExperimentTally & TallyKey & { pk: string; sk: string; expiresAt: number };

/** Tokens one add checks and records: its condition stays well inside DynamoDB's 4 KB expression limit. */
const TOKENS_PER_ADD = 40;
/** Unit claims written at once. */
const CLAIMS_IN_FLIGHT = 16;

/**
 * Experiment tallies in the monitoring table: `pk = EXPERIMENT#<endpoint>`,
 * `sk = <config version>#<variant>`, so a span of config versions is one query. Counters grow by
 * atomic ADDs; each ADD is conditional on its token not being in the item's `applied` set and adds
 * it there in the same write, so an add repeated after a failure counts once. Tokens are dropped
 * once whatever made them has recorded that it is counted.
 */
export class DynamoExperimentStore implements ExperimentStore {
  readonly #retentionSeconds: number;
  readonly #batchMemorySeconds: number;
  readonly #now: () => Date;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoExperimentStoreOptions = {},
  ) {
    this.#retentionSeconds = (options.retentionDays ?? 400) * 86_400;
    this.#batchMemorySeconds = (options.batchMemoryDays ?? 15) * 86_400;
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds `delta` to the tally unless `token` was added before (and not forgotten); false then. */
  add(key: TallyKey, delta: TallyDelta, token: string): Promise<boolean> {
    return this.#addOnce(key, delta, [token]);
  }

  /**
   * Adds each entry's delta unless its token was added before: entries go in summed writes of up
   * to 40 tokens, and a write refused because one of its tokens is in goes again entry by entry.
   */
  async addAll(key: TallyKey, entries: readonly { token: string; delta: TallyDelta }[]): Promise<void> {
    for (let start = 0; start < entries.length; start += TOKENS_PER_ADD) {
      const chunk = entries.slice(start, start + TOKENS_PER_ADD);
      const sum = chunk.reduce((total, entry) => addTallies(total, entry.delta), EMPTY_TALLY);
      if (
        await this.#addOnce(
          key,
          sum,
          chunk.map((entry) => entry.token),
        )
      )
        continue;
      for (const entry of chunk) await this.add(key, entry.delta, entry.token);
    }
  }

  async #addOnce(key: TallyKey, delta: TallyDelta, tokens: readonly string[]): Promise<boolean> {
    const fields = TALLY_FIELDS.filter((field) => delta[field] !== undefined && delta[field] !== 0);
    const values: Record<string, unknown> = {
      ':endpoint': key.endpoint,
      ':configVersion': key.configVersion,
      ':variant': key.variant,
      ':expiresAt': this.#seconds() + this.#retentionSeconds,
      ':tokens': new Set(tokens),
    };
    tokens.forEach((token, i) => (values[`:t${i}`] = token));
    for (const field of fields) values[`:${field}`] = delta[field];
    return conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(itemKey(key)),
          // Every attribute by placeholder: some field names (`valued`) are DynamoDB reserved words.
          UpdateExpression: `SET #endpoint = :endpoint, #configVersion = :configVersion, #variant = :variant, #expiresAt = :expiresAt ADD #applied :tokens${fields.map((f) => `, #${f} :${f}`).join('')}`,
          ConditionExpression: tokens.map((_, i) => `NOT contains(#applied, :t${i})`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(['endpoint', 'configVersion', 'variant', 'expiresAt', 'applied', ...fields].map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: marshall(values),
        }),
      ),
    );
  }

  async forget(key: TallyKey, tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall(itemKey(key)),
        UpdateExpression: 'DELETE applied :tokens',
        ExpressionAttributeValues: marshall({ ':tokens': new Set(tokens) }),
      }),
    );
  }

  /** Counts one log batch's served rows (see `addServedBatches`). */
  addServed(batchId: string, served: readonly ServedCount[]): Promise<void> {
    return this.addServedBatches([{ batchId, served }]);
  }

  /**
   * Counts log batches' served rows, requests and new units once each, however often a batch is
   * delivered: the adds carry the batch ids as tokens, a marker item per batch records it as
   * counted, and only then are the ids dropped. The batches of one monitor invocation share the
   * writes: one read of their markers, one add per tally (the batches' tokens together), one
   * write of the markers and one forget per tally. The monitor's ledger lets one consumer at a
   * time hold a batch, so no other add of it can race.
   */
  async addServedBatches(batches: readonly { batchId: string; served: readonly ServedCount[] }[]): Promise<void> {
    const markers = batches.filter((batch) => batch.served.length > 0).map((batch) => ({ batch, key: servedMarkerKey(batch.batchId) }));
    if (markers.length === 0) return;
    const counted = new Set(
      (
        await batchGet<{ pk: string }>(
          this.dynamodb,
          this.table,
          markers.map((m) => m.key),
        )
      ).map((item) => item.pk),
    );
    const pending = markers.filter((m) => !counted.has(m.key.pk)).map((m) => m.batch);
    if (pending.length === 0) return;

    const byTally = new Map<string, { key: TallyKey; entries: { batchId: string; count: ServedCount; units: string[] }[] }>();
    for (const { batchId, served } of pending) {
      for (const count of served) {
        const id = `${count.key.endpoint}\u0000${count.key.configVersion}\u0000${count.key.variant}`;
        const tally = byTally.get(id) ?? { key: count.key, entries: [] };
        tally.entries.push({ batchId, count, units: [] });
        byTally.set(id, tally);
      }
    }
    await forEachLimit(byTally.values(), CLAIMS_IN_FLIGHT, async ({ key, entries }) => {
      // A unit in several of the batches is claimed once, for the first of them: which batch
      // counts it does not matter, only that one does, and the claim says which.
      const claimedHere = new Set<string>();
      for (const entry of entries) {
        for (const unit of entry.count.units) {
          if (claimedHere.has(unit)) continue;
          claimedHere.add(unit);
          entry.units.push(unit);
        }
      }
      const deltas = await Promise.all(
        entries.map(async ({ batchId, count, units }) => ({
          token: `batch:${batchId}`,
          delta: { served: count.rows, requests: count.requests, unitlessRequests: count.unitlessRequests, units: await this.#claimUnits(key, units, batchId) },
        })),
      );
      await this.addAll(key, deltas);
    });
    const expiresAt = this.#seconds() + this.#batchMemorySeconds;
    await batchPut(
      this.dynamodb,
      this.table,
      pending.map(({ batchId }) => ({ ...servedMarkerKey(batchId), expiresAt })),
    );
    await forEachLimit(byTally.values(), CLAIMS_IN_FLIGHT, ({ key, entries }) =>
      this.forget(
        key,
        entries.map(({ batchId }) => `batch:${batchId}`),
      ),
    );
  }

  /**
   * How many of the units are new to the tally: each is claimed by the first batch that counts it
   * (`EXPERIMENTUNIT#<endpoint>` / `<config version>#<variant>#<unit>`, a put-if-absent), and the
   * claim stays that batch's, so the batch delivered again finds the same units new.
   */
  async #claimUnits(key: TallyKey, units: readonly string[], batchId: string): Promise<number> {
    let claimed = 0;
    const expiresAt = this.#seconds() + this.#retentionSeconds;
    for (let start = 0; start < units.length; start += CLAIMS_IN_FLIGHT) {
      const claims = await Promise.all(
        units.slice(start, start + CLAIMS_IN_FLIGHT).map((unit) =>
          conditionally(() =>
            this.dynamodb.send(
              new PutItemCommand({
                TableName: this.table,
                Item: marshall({ pk: `EXPERIMENTUNIT#${key.endpoint}`, sk: `${sortNumber(key.configVersion)}#${key.variant}#${unit}`, batch: batchId, expiresAt }),
                ConditionExpression: 'attribute_not_exists(pk) OR #batch = :batch',
                ExpressionAttributeNames: { '#batch': 'batch' },
                ExpressionAttributeValues: marshall({ ':batch': batchId }),
              }),
            ),
          ),
        ),
      );
      claimed += claims.filter(Boolean).length;
    }
    return claimed;
  }

  async tallies(endpoint: string, fromConfigVersion: number, toConfigVersion: number): Promise<VariantTally[]> {
    // `#` sorts below every name character, `~` above: the bounds take in every variant of both versions.
    const items = await queryAll<TallyItem>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: marshall({ ':pk': `EXPERIMENT#${endpoint}`, ':from': `${sortNumber(fromConfigVersion)}#`, ':to': `${sortNumber(toConfigVersion)}#~` }),
      ConsistentRead: true,
    });
    const now = this.#seconds();
    return items
      .filter((item) => item.expiresAt > now)
      .map((item) => ({
        endpoint: item.endpoint,
        configVersion: item.configVersion,
        variant: item.variant,
        tally: Object.fromEntries(TALLY_FIELDS.map((field) => [field, item[field] ?? EMPTY_TALLY[field]])) as unknown as ExperimentTally,
      }));
  }

  /**
   * A variant's outcomes since a config version, as the guardrails judge the `outcome` metric:
   * every served prediction counts, one without an outcome as 0.
   */
  async outcomes(endpoint: string, variant: string, since: { readonly configVersion: number }): Promise<Moments> {
    const mine = (await this.tallies(endpoint, since.configVersion, 9_999_999_999)).filter((t) => t.variant === variant);
    return mine.reduce(
      (sum, { tally }) => ({ count: sum.count + Math.max(tally.served, tally.outcomes), sum: sum.sum + tally.outcomeSum, sumSquares: sum.sumSquares + tally.outcomeSumSquares }),
      { count: 0, sum: 0, sumSquares: 0 },
    );
  }

  #seconds(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }
}

const servedMarkerKey = (batchId: string) => ({ pk: `EXPERIMENTBATCH#${batchId}`, sk: 'SERVED' });

function itemKey(key: TallyKey): { pk: string; sk: string } {
  return { pk: `EXPERIMENT#${key.endpoint}`, sk: `${sortNumber(key.configVersion)}#${key.variant}` };
}
