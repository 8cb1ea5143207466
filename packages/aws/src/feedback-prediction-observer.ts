import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  countServed,
  isExperimentRecord,
  predictionSideOf,
  type ObservedBatch,
  type PredictionLogRecord,
  type PredictionObserver,
  type Task,
  VersionCache,
  type VersionRegistry,
} from '@flywheel/core';
import type { DynamoExperimentStore } from './experiment-store.ts';
import { batchGet, batchPut, feedbackKey, isLive, predictionKey, type FeedbackItem, type PredictionItem } from './feedback-items.ts';
import type { FeedbackJoiner, JoinableRow } from './feedback-join.ts';
import { KeptRows, type EndpointConfigs } from './feedback-kept-rows.ts';

export interface DynamoPredictionObserverOptions {
  /** A prediction waits this long for its feedback (default 30 days after it was made). */
  retentionDays?: number;
  now?: () => Date;
}

/**
 * The prediction side of the feedback join, run by the monitor on the log batches of each
 * invocation together: it counts the batches' served rows, requests and units per (config
 * version, variant), keeps each row whose feedback can count (`PREDICTION#<endpoint>` /
 * `<row id>`, see KeptRows) with what it predicted, then reads the feedback that arrived first
 * for those rows and joins it. Rows that are not kept cost no DynamoDB request. Every step is
 * safe to repeat when a batch comes again.
 */
export class DynamoPredictionObserver implements PredictionObserver {
  readonly #retentionMs: number;
  readonly #now: () => Date;
  readonly #kept: KeptRows;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly experiments: Pick<DynamoExperimentStore, 'addServedBatches'>,
    private readonly joiner: FeedbackJoiner,
    registry: VersionRegistry,
    endpoints: EndpointConfigs,
    options: DynamoPredictionObserverOptions = {},
  ) {
    this.#retentionMs = (options.retentionDays ?? 30) * 86_400_000;
    this.#now = options.now ?? (() => new Date());
    this.#kept = new KeptRows(endpoints, new VersionCache(registry));
  }

  async observe(batches: readonly ObservedBatch[]): Promise<void> {
    const served = batches.map(({ id, records }) => ({ id, records: records.filter(isExperimentRecord) }));
    await this.experiments.addServedBatches(served.map(({ id, records }) => ({ batchId: id, served: countServed(records) })));

    // Whether rows are kept is decided per series (endpoint, config version, model, version): once each, not per row.
    const decisions = new Map<string, Task | undefined | false>();
    for (const { records } of served) {
      for (const record of records) {
        const series = seriesOf(record);
        if (!decisions.has(series)) decisions.set(series, await this.#kept.keep(record));
      }
    }
    if (![...decisions.values()].some((task) => task !== false)) return;

    // A client that reuses a request id logs a row id twice: the first of a batch is kept, a later batch's replaces it.
    const rows = new Map<string, { endpoint: string; rowId: string; prediction: PredictionItem }>();
    for (const { records } of served) {
      const mine = new Set<string>();
      for (const record of records) {
        const task = decisions.get(seriesOf(record))!;
        if (task === false) continue;
        const id = itemId(feedbackKey(record.endpoint, record.id));
        if (mine.has(id)) continue;
        mine.add(id);
        const expiresAt = Math.floor((Date.parse(record.time) + this.#retentionMs) / 1000);
        rows.set(id, { endpoint: record.endpoint, rowId: record.id, prediction: { ...predictionKey(record.endpoint, record.id), ...predictionSideOf(record, task), expiresAt } });
      }
    }
    await batchPut(
      this.dynamodb,
      this.table,
      [...rows.values()].map((row) => row.prediction),
    );

    const now = this.#now();
    const feedback = await batchGet<FeedbackItem>(
      this.dynamodb,
      this.table,
      [...rows.values()].map((row) => feedbackKey(row.endpoint, row.rowId)),
    );
    const joinable = new Map<string, JoinableRow[]>();
    for (const item of feedback) {
      if (!isLive(item, now)) continue;
      const { endpoint, rowId, prediction } = rows.get(itemId(item))!;
      const joins = joinable.get(endpoint) ?? [];
      joins.push({ rowId, feedback: item, prediction });
      joinable.set(endpoint, joins);
    }
    for (const [endpoint, joins] of joinable) await this.joiner.join(endpoint, joins);
  }
}

const seriesOf = (record: PredictionLogRecord) => `${record.endpoint}\u0000${record.configVersion}\u0000${record.model}\u0000${record.version}`;
const itemId = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;
