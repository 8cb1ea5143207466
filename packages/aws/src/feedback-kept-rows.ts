import { TtlCache, type EndpointStore, type PredictionLogRecord, type Task, type VersionCache } from '@flywheel/core';

export type EndpointConfigs = Pick<EndpointStore, 'get'>;

/** Config versions looked up at once; an unknown one is asked again after this long. */
const MISSING_RETRY_MS = 60_000;

/**
 * Which logged rows the join keeps (one DynamoDB write each): those whose feedback can count.
 * A label counts when the row's model version names a task (it is scored against the predicted
 * class or value); an outcome counts when the row's config version splits traffic between two
 * or more variants (the experiment compares them, the guardrails read it). A row of a
 * single-variant endpoint whose model names no task is not kept: its feedback is still stored
 * (retraining's labels, `labels.received`) but joins nothing, as there is nothing to compare it
 * with or score it against.
 */
export class KeptRows {
  /** Config versions are never rewritten: a found one is kept for good, a missing one asked again later. */
  readonly #splits: TtlCache<boolean | undefined>;

  constructor(
    private readonly endpoints: EndpointConfigs,
    private readonly versions: Pick<VersionCache, 'task'>,
    now: () => number = Date.now,
  ) {
    this.#splits = new TtlCache({ ttlMs: (splits) => (splits === undefined ? MISSING_RETRY_MS : Infinity), refreshAfterMs: Infinity, now });
  }

  /** The task of the row's version when the row is kept (undefined: kept without one); `false` when it is not kept. */
  async keep(record: PredictionLogRecord): Promise<Task | undefined | false> {
    const task = await this.versions.task(record.model, record.version);
    if (task) return task;
    return (await this.#splitsTraffic(record.endpoint, record.configVersion)) ? undefined : false;
  }

  /** Whether the config version splits traffic; undefined (not kept) while it is not found. */
  async #splitsTraffic(endpoint: string, configVersion: number): Promise<boolean> {
    const splits = await this.#splits.get(`${endpoint}\u0000${configVersion}`, () =>
      this.endpoints.get(endpoint, configVersion).then((found) => found && found.config.variants.length > 1),
    );
    return splits ?? false;
  }
}
