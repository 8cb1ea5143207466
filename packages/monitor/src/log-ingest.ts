import {
  InvalidLogBatchError,
  decodePredictionLogBatch,
  type PredictionLogRecord,
  type PredictionObserver,
  type ReferenceProfile,
  type RejectedLogLine,
  type Task,
  jsonLogger,
  withFields,
  type Logger,
  type ProfileSource,
  forEachLimit,
  sleep,
  type BatchLedger,
  type DeadLetterQueue,
  type LogArchive,
  type WindowStore,
  VersionCache,
  type VersionRegistry,
  minuteWindowOf,
  windowKeyId,
  windowOf,
  type WindowKey,
  WindowStateBuilder,
  emptyWindowState,
  mergeWindowStates,
  type WindowState,
} from '@flywheel/core';
import { archiveGroups } from './archive.ts';
import { ProfileCache } from './profile-cache.ts';

export interface LogIngestDependencies {
  readonly windows: WindowStore;
  readonly ledger: BatchLedger;
  readonly archive: LogArchive;
  /** Reference profiles; the ingest caches them. */
  readonly profiles: ProfileSource;
  readonly deadLetters: DeadLetterQueue;
  /** The prediction side of the feedback join: sees every batch's records as they are archived. */
  readonly predictions?: PredictionObserver;
  /** Model versions' tasks: with them, each window also keeps what performance is estimated from. */
  readonly versions?: VersionRegistry;
}

export interface LogIngestOptions {
  /** Claim lease when the invocation's remaining time is unknown (default 2 min). */
  readonly defaultLeaseMs?: number;
  /** Added to the invocation's remaining time: a lease must outlast the invocation holding it (default 30 s). */
  readonly leaseMarginMs?: number;
  readonly concurrency?: number;
  /** Conditional-write conflicts tolerated per window merge before the batch is retried later. */
  readonly maxMergeAttempts?: number;
  readonly profileCacheTtlMs?: number;
  readonly now?: () => Date;
  /** Where it logs (default: JSON lines on the console). */
  readonly logger?: Logger;
}

/** One queue message: a prediction log batch. */
export interface LogMessage {
  readonly messageId: string;
  readonly body: string;
}

export interface IngestStats {
  messages: number;
  batches: number;
  /** Rows counted into windows. */
  records: number;
  /** Batches delivered again after they were processed: skipped. */
  duplicateBatches: number;
  /** Batches another consumer was processing: left for redelivery. */
  busyBatches: number;
  /** Lines that were not valid records, and whole messages that were not batches: dead-lettered. */
  rejectedRecords: number;
  invalidMessages: number;
  windowsMerged: number;
  mergeConflicts: number;
  failedMessages: number;
}

export interface IngestResult {
  /** Messages to leave on the queue for redelivery (Lambda `batchItemFailures`). */
  readonly failedMessageIds: string[];
  readonly stats: IngestStats;
  /** Endpoints whose served (not shadow) traffic this call counted: where a canary may have news. */
  readonly servedEndpoints: string[];
}

interface Batch {
  readonly id: string;
  readonly messageIds: string[];
  readonly records: PredictionLogRecord[];
  readonly lines: string[];
  readonly rejected: RejectedLogLine[];
  readonly windows: WindowKey[];
  failed: boolean;
}

/** Records of one batch in one minute of one series; their state is built once and shared by the minute and hour window. */
interface RecordGroup {
  readonly records: PredictionLogRecord[];
  built?: { readonly profile: string | undefined; readonly state: WindowState };
}

interface PendingWindow {
  readonly key: WindowKey;
  readonly contributions: Map<Batch, RecordGroup[]>;
}

const MAX_DEAD_LETTER_REASON = 900;

/**
 * The prediction-log consumer: per batch of queue messages it dead-letters what cannot be read,
 * archives the records, hands them to the feedback join and merges them into their minute and
 * hour windows. Judging those windows is the Judge's work, on the clock.
 *
 * Exactly-once counting over at-least-once delivery, in one place: a batch is claimed in the
 * ledger (a lease), merged into each window by a conditional write that also records the batch
 * id in the window's `applied` set, then marked complete, after which its id is dropped from the
 * windows. A batch seen again is skipped (complete) or merged only where its id is not yet
 * applied (a crash part-way); two consumers never merge the same batch at once (the lease).
 */
export class LogIngest {
  readonly #deps: LogIngestDependencies;
  readonly #profiles: ProfileCache;
  readonly #versions: VersionCache | undefined;
  readonly #options: Required<LogIngestOptions>;

  constructor(deps: LogIngestDependencies, options: LogIngestOptions = {}) {
    this.#deps = deps;
    this.#options = {
      defaultLeaseMs: options.defaultLeaseMs ?? 120_000,
      leaseMarginMs: options.leaseMarginMs ?? 30_000,
      concurrency: options.concurrency ?? 8,
      maxMergeAttempts: options.maxMergeAttempts ?? 10,
      profileCacheTtlMs: options.profileCacheTtlMs ?? 60_000,
      now: options.now ?? (() => new Date()),
      logger: withFields(options.logger ?? jsonLogger, { component: 'monitor' }),
    };
    this.#profiles = new ProfileCache(deps.profiles, { ttlMs: this.#options.profileCacheTtlMs });
    this.#versions = deps.versions && new VersionCache(deps.versions);
  }

  async ingest(messages: readonly LogMessage[], context: { remainingMs?: number } = {}): Promise<IngestResult> {
    const stats = emptyStats(messages.length);
    const failedMessages = new Set<string>();
    const owner = crypto.randomUUID();
    // Past the lease, a redelivered batch may be taken over: it must outlast this invocation.
    const leaseUntil = this.#options.now().getTime() + (context.remainingMs ?? this.#options.defaultLeaseMs) + this.#options.leaseMarginMs;
    const limit = this.#options.concurrency;

    const batches = await this.#decode(messages, stats, failedMessages);
    const claimed: Batch[] = [];
    const seenBefore: { batch: Batch; windows: readonly WindowKey[] }[] = [];
    await forEachLimit(batches.values(), limit, async (batch) => {
      try {
        const claim = await this.#deps.ledger.claim(batch.id, owner, leaseUntil);
        if (claim.status === 'claimed') claimed.push(batch);
        else if (claim.status === 'done') {
          stats.duplicateBatches++;
          seenBefore.push({ batch, windows: claim.windows });
        } else {
          stats.busyBatches++;
          batch.failed = true;
        }
      } catch (error) {
        batch.failed = true;
        this.#options.logger.error('claiming a log batch failed', { batch: batch.id, error: String(error) });
      }
    });

    await forEachLimit(claimed, limit, (batch) => this.#setAside(batch, stats));
    await this.#observe(claimed.filter((b) => !b.failed));
    const pending = pendingWindows(claimed.filter((b) => !b.failed));
    await forEachLimit(pending, limit, async (window) => {
      try {
        await this.#merge(window, stats);
      } catch (error) {
        for (const batch of window.contributions.keys()) batch.failed = true;
        this.#options.logger.error('merging into a window failed', { window: windowKeyId(window.key), error: String(error) });
      }
    });
    await forEachLimit(claimed, limit, async (batch) => {
      if (batch.failed) return;
      try {
        await this.#deps.ledger.complete(batch.id, owner, batch.windows);
        stats.records += batch.records.length;
      } catch (error) {
        batch.failed = true;
        this.#options.logger.error('completing a log batch failed', { batch: batch.id, error: String(error) });
      }
    });
    await this.#forgetApplied([...claimed.filter((b) => !b.failed).map((batch) => ({ batch, windows: batch.windows })), ...seenBefore]);
    await forEachLimit(claimed, limit, async (batch) => {
      if (batch.failed) await this.#deps.ledger.release(batch.id, owner).catch(() => undefined);
    });

    const servedEndpoints = new Set<string>();
    for (const batch of claimed) if (!batch.failed) for (const record of batch.records) if (record.shadowOf === undefined) servedEndpoints.add(record.endpoint);
    for (const batch of batches.values()) if (batch.failed) for (const id of batch.messageIds) failedMessages.add(id);
    stats.failedMessages = failedMessages.size;
    return { failedMessageIds: [...failedMessages], stats, servedEndpoints: [...servedEndpoints] };
  }

  async #decode(messages: readonly LogMessage[], stats: IngestStats, failedMessages: Set<string>): Promise<Map<string, Batch>> {
    const batches = new Map<string, Batch>();
    const invalid: { message: LogMessage; reason: string }[] = [];
    const seen = new Set<string>();
    for (const message of messages) {
      // A message received twice in one batch (its visibility ran out while the batch gathered)
      // is one message: its fate is reported once, by id.
      if (seen.has(message.messageId)) continue;
      seen.add(message.messageId);
      let decoded;
      try {
        decoded = decodePredictionLogBatch(message.body);
      } catch (error) {
        if (!(error instanceof InvalidLogBatchError)) throw error;
        invalid.push({ message, reason: error.message });
        continue;
      }
      const existing = batches.get(decoded.id);
      if (existing) existing.messageIds.push(message.messageId);
      else {
        const { id, records, lines, rejected } = decoded;
        batches.set(id, { id, messageIds: [message.messageId], records, lines, rejected, windows: [], failed: false });
      }
    }
    stats.batches = batches.size;
    stats.invalidMessages = invalid.length;
    // A message that is not a batch will not become one by retrying: dead-letter it now, with why.
    await forEachLimit(invalid, this.#options.concurrency, async ({ message, reason }) => {
      try {
        await this.#deps.deadLetters.send(message.body, reason, { messageId: message.messageId });
        this.#options.logger.warn('dead-lettered a message that is not a prediction log batch', { messageId: message.messageId, reason });
      } catch (error) {
        failedMessages.add(message.messageId);
        this.#options.logger.error('dead-lettering failed', { messageId: message.messageId, error: String(error) });
      }
    });
    return batches;
  }

  /** Dead-letters the batch's bad lines and archives its good records. */
  async #setAside(batch: Batch, stats: IngestStats): Promise<void> {
    try {
      if (batch.rejected.length > 0) {
        const reason = batch.rejected
          .map((r) => `line ${r.line}: ${r.reason}`)
          .join(' | ')
          .slice(0, MAX_DEAD_LETTER_REASON);
        await this.#deps.deadLetters.send(batch.rejected.map((r) => r.text).join('\n'), reason, { messageId: batch.messageIds[0], batchId: batch.id });
        stats.rejectedRecords += batch.rejected.length;
        this.#options.logger.warn('dead-lettered invalid log records', { batch: batch.id, count: batch.rejected.length, reason });
      }
      for (const [key, lines] of archiveGroups(batch.id, batch.records, batch.lines)) await this.#deps.archive.put(key, lines);
    } catch (error) {
      batch.failed = true;
      this.#options.logger.error('archiving a log batch failed', { batch: batch.id, error: String(error) });
    }
  }

  /**
   * Hands the archived batches to the feedback join, all at once: the batches of an invocation
   * share its writes (served counts, kept rows). If it fails, they all go back for redelivery; the
   * join is safe to repeat.
   */
  async #observe(batches: readonly Batch[]): Promise<void> {
    if (!this.#deps.predictions || batches.length === 0) return;
    try {
      await this.#deps.predictions.observe(batches.map(({ id, records }) => ({ id, records })));
    } catch (error) {
      for (const batch of batches) batch.failed = true;
      this.#options.logger.error('the feedback join of log batches failed', { batches: batches.map((batch) => batch.id), error: String(error) });
    }
  }

  async #merge(window: PendingWindow, stats: IngestStats): Promise<void> {
    const { key } = window;
    let profile = await this.#profiles.get(key.model, key.version);
    const task = await this.#versions?.task(key.model, key.version);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#deps.windows.get(key);
      const applied = stored?.applied ?? new Set<string>();
      const pending = [...window.contributions].filter(([batch]) => !applied.has(batch.id));
      if (pending.length === 0) return;
      const storedProfile = stored?.state.sketch?.profile;
      if (!refreshed && storedProfile !== undefined && storedProfile !== profile?.fingerprint) {
        // The window was counted under another baseline than the one this monitor has cached:
        // read the current one, so an outdated cache never overwrites newer counts.
        refreshed = true;
        profile = await this.#profiles.refresh(key.model, key.version);
        continue;
      }
      let state = stored?.state ?? emptyWindowState(undefined);
      for (const [, groups] of pending) for (const group of groups) state = mergeWindowStates(state, groupState(group, profile, task));
      const written = await this.#deps.windows.put(key, state, [...applied, ...pending.map(([batch]) => batch.id)], stored?.revision ?? 0);
      if (written) {
        stats.windowsMerged++;
        return;
      }
      stats.mergeConflicts++;
      if (attempt >= this.#options.maxMergeAttempts) throw new Error(`window changed under ${attempt} merge attempts`);
      await sleep(Math.random() * 20 * attempt);
    }
  }

  async #forgetApplied(batches: readonly { batch: Batch; windows: readonly WindowKey[] }[]): Promise<void> {
    const byWindow = new Map<string, { key: WindowKey; ids: string[]; batches: Batch[] }>();
    for (const { batch, windows } of batches) {
      for (const key of windows) {
        const id = windowKeyId(key);
        const entry = byWindow.get(id) ?? { key, ids: [], batches: [] };
        entry.ids.push(batch.id);
        entry.batches.push(batch);
        byWindow.set(id, entry);
      }
    }
    await forEachLimit(byWindow.values(), this.#options.concurrency, async ({ key, ids, batches: owners }) => {
      try {
        await this.#deps.windows.forget(key, ids);
      } catch (error) {
        // The ledger already says complete; the redelivery takes the "done" path and forgets again.
        for (const batch of owners) batch.failed = true;
        this.#options.logger.warn('forgetting applied batch ids failed', { window: windowKeyId(key), error: String(error) });
      }
    });
  }
}

function emptyStats(messages: number): IngestStats {
  return {
    messages,
    batches: 0,
    records: 0,
    duplicateBatches: 0,
    busyBatches: 0,
    rejectedRecords: 0,
    invalidMessages: 0,
    windowsMerged: 0,
    mergeConflicts: 0,
    failedMessages: 0,
  };
}

/** The windows the batches touch: each record's minute window (served rows only) and hour window. */
function pendingWindows(batches: readonly Batch[]): PendingWindow[] {
  const windows = new Map<string, PendingWindow>();
  const contribute = (key: WindowKey, batch: Batch, group: RecordGroup) => {
    const id = windowKeyId(key);
    let window = windows.get(id);
    if (!window) windows.set(id, (window = { key, contributions: new Map() }));
    const groups = window.contributions.get(batch);
    if (groups) groups.push(group);
    else {
      window.contributions.set(batch, [group]);
      batch.windows.push(key);
    }
  };
  for (const batch of batches) {
    const mine = new Map<string, RecordGroup>();
    for (const record of batch.records) {
      // Grouped by a cheap string; key objects are built once per group.
      const name = `${record.endpoint}\u0000${record.variant}\u0000${record.model}\u0000${record.version}\u0000${record.time.slice(0, 16)}\u0000${record.shadowOf === undefined ? '' : 's'}`;
      let group = mine.get(name);
      if (!group) {
        mine.set(name, (group = { records: [] }));
        const minute = minuteWindowOf(record);
        if (minute) contribute(minute, batch, group);
        contribute(windowOf(record), batch, group);
      }
      group.records.push(record);
    }
  }
  return [...windows.values()];
}

/** The state of a group's records under `profile`, built once however many windows it goes into. */
function groupState(group: RecordGroup, profile: ReferenceProfile | undefined, task: Task | undefined): WindowState {
  if (group.built && group.built.profile === profile?.fingerprint) return group.built.state;
  const builder = new WindowStateBuilder(profile, task);
  for (const record of group.records) builder.add(record);
  group.built = { profile: profile?.fingerprint, state: builder.build() };
  return group.built.state;
}
