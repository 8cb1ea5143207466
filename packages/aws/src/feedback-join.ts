import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  facetDelta,
  pendingFacets,
  realizedPerformance,
  type JoinFacet,
  type PerformanceState,
  type PredictionSide,
  type TallyDelta,
  type TallyKey,
  forEachLimit,
  windowKeyId,
  windowOf,
  type WindowKey,
} from '@flywheel/core';
import { conditionally, fromItem } from './dynamo-items.ts';
import type { DynamoExperimentStore } from './experiment-store.ts';
import { feedbackKey, feedbackSide, type FeedbackItem } from './feedback-items.ts';
import type { WindowPerformanceWriter } from './feedback-window-performance.ts';

export interface FeedbackJoinerOptions {
  /**
   * How long a join holds its row (default 2 min). Longer than any invocation that may hold it
   * (API 30 s, monitor 60 s), so a holder is gone, not slow, when its claim is taken over.
   */
  claimLeaseMs?: number;
  /** Rows written at once (default 16). */
  concurrency?: number;
  /** Where joined labels are counted into their predictions' monitoring windows (realized performance); without it they are not. */
  windows?: WindowPerformanceWriter;
  now?: () => Date;
}

/** A row whose feedback and prediction are both known. */
export interface JoinableRow {
  readonly rowId: string;
  readonly feedback: FeedbackItem;
  readonly prediction: PredictionSide;
}

/** A join's rounds: another facet given while one is counted is counted in the next. */
const MAX_ROUNDS = 3;
/** Rows joined together: bounds the tokens one join leaves in a tally's applied set at a time. */
const CHUNK = 100;

/** A row's feedback written with a claim held by `token`; `feedback` is the item as that write left it. */
export interface ClaimedRow extends JoinableRow {
  readonly token: string;
}

/** What a claim writes: its token, held until `until`, taking over any claim that ran out before `now` (epoch ms). */
export interface ClaimTerms {
  readonly token: string;
  readonly now: number;
  readonly until: number;
}

interface Claimed extends ClaimedRow {
  /** Counted from the feedback as claimed: as it is now, not as first read. */
  readonly facets: JoinFacet[];
  readonly key: TallyKey;
}

function claimOf(endpoint: string, row: ClaimedRow): Claimed {
  const { prediction } = row;
  return { ...row, facets: pendingFacets(feedbackSide(row.feedback), prediction), key: { endpoint, configVersion: prediction.configVersion, variant: prediction.variant } };
}

/**
 * Counts rows' joined feedback into their variants' tallies, each facet exactly once, whichever
 * side (the feedback route or the monitor) completes the pair and however often either repeats:
 *
 * 1. claim each row's feedback item (a conditional write with a lease): one joiner at a time
 *    (the feedback route claims in its own write when it already knows the prediction);
 * 2. add the facets to the tallies, tokens `<row id>#<facet>`, each add conditional on its
 *    tokens not being in the tally's applied set (so a holder that died after adding is not
 *    counted twice by the next), rows of one tally summed into one write; the quality facet
 *    likewise into the prediction's monitoring window (realized performance), its token in
 *    the window's applied set;
 * 3. mark the facets joined and drop the claim (conditional on still holding it);
 * 4. drop the tokens from the applied sets (tallies and windows): the marks now keep the
 *    facets from counting again.
 */
export class FeedbackJoiner {
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #now: () => Date;
  readonly #windows: WindowPerformanceWriter | undefined;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly experiments: Pick<DynamoExperimentStore, 'addAll' | 'forget'>,
    options: FeedbackJoinerOptions = {},
  ) {
    this.#leaseMs = options.claimLeaseMs ?? 120_000;
    this.#concurrency = options.concurrency ?? 16;
    this.#now = options.now ?? (() => new Date());
    this.#windows = options.windows;
  }

  /** A claim for a feedback write to take with it, when the writer already knows the row's prediction. */
  newClaim(): ClaimTerms {
    const now = this.#now().getTime();
    return { token: crypto.randomUUID(), now, until: now + this.#leaseMs };
  }

  /** Joins rows of one endpoint; a row another joiner holds is left to it. */
  async join(endpoint: string, rows: readonly JoinableRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += CHUNK) {
      let pending = rows.slice(start, start + CHUNK).filter((row) => pendingFacets(feedbackSide(row.feedback), row.prediction).length > 0);
      for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) pending = await this.#count(endpoint, await this.#claimAll(endpoint, pending));
    }
  }

  /** Counts rows whose feedback was written together with a claim (see `newClaim`). */
  async complete(endpoint: string, rows: readonly ClaimedRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const again = await this.#count(
        endpoint,
        rows.slice(start, start + CHUNK).map((row) => claimOf(endpoint, row)),
      );
      await this.join(endpoint, again);
    }
  }

  /** Gives back claims taken with feedback writes that will not be counted now (the request failed part-way). */
  async abandon(endpoint: string, rows: readonly ClaimedRow[]): Promise<void> {
    await forEachLimit(rows, this.#concurrency, (row) => this.#release(endpoint, row.rowId, row.token).catch(() => undefined));
  }

  async #claimAll(endpoint: string, rows: readonly JoinableRow[]): Promise<Claimed[]> {
    const claimed: Claimed[] = [];
    await forEachLimit(rows, this.#concurrency, async ({ rowId, prediction }) => {
      const terms = this.newClaim();
      const item = await this.#claim(endpoint, rowId, terms);
      if (item) claimed.push(claimOf(endpoint, { rowId, token: terms.token, feedback: item, prediction }));
    });
    return claimed;
  }

  /** Adds, marks and forgets claimed rows; returns those given more feedback meanwhile, for another round. */
  async #count(endpoint: string, claimed: readonly Claimed[]): Promise<JoinableRow[]> {
    const again: JoinableRow[] = [];
    const marked: Claimed[] = [];
    try {
      await this.#add(claimed);
      await forEachLimit(claimed, this.#concurrency, async (row) => {
        const item = await this.#markJoined(endpoint, row.rowId, row.token, row.facets);
        // Undefined: the claim was taken over (its lease ran out); the taker finishes the row.
        if (!item) return;
        marked.push(row);
        if (pendingFacets(feedbackSide(item), row.prediction).length > 0) again.push({ rowId: row.rowId, feedback: item, prediction: row.prediction });
      });
    } catch (error) {
      await this.abandon(endpoint, claimed);
      // Rows marked before the failure are done: their tokens need not wait for a retry.
      await this.#forget(marked).catch(() => undefined);
      throw error;
    }
    await this.#forget(marked);
    return again;
  }

  /** One add per tally of everything its claimed rows count. */
  async #add(claimed: readonly Claimed[]): Promise<void> {
    const byTally = new Map<string, { key: TallyKey; tokens: string[]; deltas: TallyDelta[] }>();
    for (const row of claimed) {
      const id = `${row.key.configVersion}\u0000${row.key.variant}`;
      const group = byTally.get(id) ?? { key: row.key, tokens: [], deltas: [] };
      const side = feedbackSide(row.feedback);
      for (const facet of row.facets) {
        group.tokens.push(tokenOf(row.rowId, facet));
        group.deltas.push(facetDelta(facet, side, row.prediction));
      }
      byTally.set(id, group);
    }
    await forEachLimit(byTally.values(), this.#concurrency, ({ key, tokens, deltas }) =>
      this.experiments.addAll(
        key,
        tokens.map((token, i) => ({ token, delta: deltas[i] })),
      ),
    );
    const windows = this.#windows;
    if (windows) await forEachLimit(realizedByWindow(claimed), this.#concurrency, ({ key, entries }) => windows.addAll(key, entries));
  }

  async #forget(marked: readonly Claimed[]): Promise<void> {
    const byTally = new Map<string, { key: TallyKey; tokens: string[] }>();
    for (const row of marked) {
      const id = `${row.key.configVersion}\u0000${row.key.variant}`;
      const group = byTally.get(id) ?? { key: row.key, tokens: [] };
      group.tokens.push(...row.facets.map((facet) => tokenOf(row.rowId, facet)));
      byTally.set(id, group);
    }
    await forEachLimit(byTally.values(), this.#concurrency, ({ key, tokens }) => this.experiments.forget(key, tokens));
    const windows = this.#windows;
    if (windows)
      await forEachLimit(realizedByWindow(marked), this.#concurrency, ({ key, entries }) =>
        windows.forget(
          key,
          entries.map((entry) => entry.token),
        ),
      );
  }

  async #claim(endpoint: string, rowId: string, { token, now, until }: ClaimTerms): Promise<FeedbackItem | undefined> {
    let claimed: FeedbackItem | undefined;
    await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(feedbackKey(endpoint, rowId)),
          UpdateExpression: 'SET #claim = :token, #claimUntil = :until',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#claim) OR #claimUntil < :now)',
          ExpressionAttributeNames: { '#claim': 'claim', '#claimUntil': 'claimUntil' },
          ExpressionAttributeValues: marshall({ ':token': token, ':until': until, ':now': now }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      claimed = fromItem<FeedbackItem>(Attributes!);
    });
    return claimed;
  }

  /** The item after marking, or undefined when the claim was lost (its holder was taken over). */
  async #markJoined(endpoint: string, rowId: string, token: string, facets: readonly JoinFacet[]): Promise<FeedbackItem | undefined> {
    const at = this.#now().toISOString();
    let marked: FeedbackItem | undefined;
    await conditionally(async () => {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(feedbackKey(endpoint, rowId)),
          UpdateExpression: `${facets.length ? `SET ${facets.map((f) => `#${f}JoinedAt = :at`).join(', ')} ` : ''}REMOVE #claim, #claimUntil`,
          ConditionExpression: '#claim = :token',
          ExpressionAttributeNames: { '#claim': 'claim', '#claimUntil': 'claimUntil', ...Object.fromEntries(facets.map((f) => [`#${f}JoinedAt`, `${f}JoinedAt`])) },
          ExpressionAttributeValues: marshall({ ':token': token, ...(facets.length ? { ':at': at } : {}) }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      marked = fromItem<FeedbackItem>(Attributes!);
    });
    return marked;
  }

  async #release(endpoint: string, rowId: string, token: string): Promise<void> {
    await conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall(feedbackKey(endpoint, rowId)),
          UpdateExpression: 'REMOVE #claim, #claimUntil',
          ConditionExpression: '#claim = :token',
          ExpressionAttributeNames: { '#claim': 'claim', '#claimUntil': 'claimUntil' },
          ExpressionAttributeValues: marshall({ ':token': token }),
        }),
      ),
    );
  }
}

/** The realized performance the rows' quality facets add, grouped by their predictions' monitoring windows. */
function realizedByWindow(rows: readonly Claimed[]): { key: WindowKey; entries: { token: string; performance: PerformanceState }[] }[] {
  const byWindow = new Map<string, { key: WindowKey; entries: { token: string; performance: PerformanceState }[] }>();
  for (const row of rows) {
    if (!row.facets.includes('quality')) continue;
    const performance = realizedPerformance(feedbackSide(row.feedback), row.prediction);
    if (!performance) continue;
    const key = windowOf({ ...row.prediction, endpoint: row.key.endpoint });
    const group = byWindow.get(windowKeyId(key)) ?? { key, entries: [] };
    group.entries.push({ token: tokenOf(row.rowId, 'quality'), performance });
    byWindow.set(windowKeyId(key), group);
  }
  return [...byWindow.values()];
}

/** What keeps a row's facet from being added twice: the same token whoever joins it. */
function tokenOf(rowId: string, facet: JoinFacet): string {
  return `${rowId}#${facet}`;
}
