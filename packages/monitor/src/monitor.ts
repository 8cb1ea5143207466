import {
  InvalidLogBatchError,
  decodePredictionLogBatch,
  driftDetectedEvent,
  type AlertPolicyOptionsInput,
  type PerformanceThresholdsInput,
  type PredictionLogRecord,
  type PredictionObserver,
  type ReferenceProfile,
  type RejectedLogLine,
  type Task,
} from '@flywheel/core';
import { applyWindowSignals, type AlertOutcome } from './alerts/alert-engine.ts';
import { NO_NOTIFIER, type AlertNotifier } from './alerts/notifier.ts';
import { archiveGroups } from './archive.ts';
import { forEachLimit, sleep } from './concurrency.ts';
import { driftScores } from './drift-scores.ts';
import { GuardrailEvaluator, type GuardrailDependencies, type GuardrailEvaluatorOptions } from './guardrail-evaluator.ts';
import type { BatchLedger, DeadLetterQueue, DriftScoreStore, EventPublisher, LogArchive, ProfileSource, WindowStore, AlertStore } from './ports.ts';
import { performanceSignals, type PerformanceScoreStore } from './performance-signals.ts';
import { VersionCache, type VersionRegistry } from './performance-versions.ts';
import { ProfileCache } from './profile-cache.ts';
import { WINDOW_MS, hourStart, windowEnd, windowKeyId, windowOf, type WindowKey } from './window-key.ts';
import { windowSignals, type SignalOptions } from './window-signals.ts';
import { WindowStateBuilder, emptyWindowState, mergeWindowStates, type WindowState } from './window-state.ts';

export interface MonitorDependencies {
  readonly windows: WindowStore;
  readonly ledger: BatchLedger;
  readonly archive: LogArchive;
  /** Reference profiles; the monitor caches them. */
  readonly profiles: ProfileSource;
  readonly deadLetters: DeadLetterQueue;
  readonly alerts: AlertStore;
  readonly events: EventPublisher;
  readonly driftScores: DriftScoreStore;
  readonly notifier?: AlertNotifier;
  /** Endpoint configs and guardrail state: with them, canaries are judged after every merge. */
  readonly guardrails?: GuardrailDependencies;
  /** The prediction side of the feedback join: sees every batch's records as they are archived. */
  readonly predictions?: PredictionObserver;
  /** Model versions' tasks and reference performance: with them, performance is estimated and judged. */
  readonly versions?: VersionRegistry;
  /** Where the latest judged performance is kept for `/metrics`. */
  readonly performanceScores?: PerformanceScoreStore;
}

export interface MonitorOptions {
  readonly signals?: SignalOptions;
  readonly alertPolicy?: AlertPolicyOptionsInput;
  /** When a performance drop breaches (tolerance, samples). */
  readonly performance?: PerformanceThresholdsInput;
  /** How often canaries are looked at, and the rest of the evaluator's tuning. */
  readonly guardrails?: Omit<GuardrailEvaluatorOptions, 'now' | 'report'>;
  /**
   * An hour is judged once records at least this far into the next hour arrive, so stragglers
   * of the closing hour (other monitors, the batching delay) are in (default 1 min).
   */
  readonly closeGraceMs?: number;
  /** Claim lease when the invocation's remaining time is unknown (default 2 min). */
  readonly defaultLeaseMs?: number;
  /** Added to the invocation's remaining time: a lease must outlast the invocation holding it (default 30 s). */
  readonly leaseMarginMs?: number;
  readonly concurrency?: number;
  /** Conditional-write conflicts tolerated per window merge before the batch is retried later. */
  readonly maxMergeAttempts?: number;
  readonly profileCacheTtlMs?: number;
  readonly now?: () => Date;
  readonly report?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
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
  windowsEvaluated: number;
  alertsOpened: number;
  alertsResolved: number;
  /** Canaries looked at, and the rollbacks and promotions those looks wrote. */
  guardrailLooks: number;
  guardrailChanges: number;
  failedMessages: number;
}

export interface IngestResult {
  /** Messages to leave on the queue for redelivery (Lambda `batchItemFailures`). */
  readonly failedMessageIds: string[];
  readonly stats: IngestStats;
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

interface PendingWindow {
  readonly key: WindowKey;
  readonly contributions: { batch: Batch; records: PredictionLogRecord[] }[];
}

const MAX_DEAD_LETTER_REASON = 900;

const defaultReport: NonNullable<MonitorOptions['report']> = (level, message, fields) => {
  if (level !== 'info') console[level](JSON.stringify({ level, component: 'monitor', message, ...fields }));
};

/**
 * The prediction-log consumer: per batch of queue messages it dead-letters what cannot be read,
 * archives the records, merges them into their hourly windows and, when an hour closes, judges
 * drift, quality and health and applies the alert policy.
 *
 * Exactly-once counting over at-least-once delivery: a batch is claimed in the ledger (a lease),
 * merged into each window by a conditional write that also records the batch id in the window's
 * `applied` set, then marked complete, after which its id is dropped from the windows. A batch
 * seen again is skipped (complete) or merged only where its id is not yet applied (a crash
 * part-way); two consumers never merge the same batch at once (the lease).
 */
export class Monitor {
  readonly #deps: MonitorDependencies;
  readonly #profiles: ProfileCache;
  readonly #options: Required<Omit<MonitorOptions, 'signals' | 'alertPolicy' | 'guardrails' | 'performance'>> & Pick<MonitorOptions, 'signals' | 'alertPolicy' | 'performance'>;
  readonly #versions: VersionCache | undefined;
  readonly #notifier: AlertNotifier;
  readonly #guardrails: GuardrailEvaluator | undefined;
  /** Hours already judged by this instance, so every batch of the next hour does not re-judge them. */
  readonly #judged = new Set<string>();

  constructor(deps: MonitorDependencies, options: MonitorOptions = {}) {
    this.#deps = deps;
    this.#notifier = deps.notifier ?? NO_NOTIFIER;
    this.#options = {
      signals: options.signals,
      alertPolicy: options.alertPolicy,
      performance: options.performance,
      closeGraceMs: options.closeGraceMs ?? 60_000,
      defaultLeaseMs: options.defaultLeaseMs ?? 120_000,
      leaseMarginMs: options.leaseMarginMs ?? 30_000,
      concurrency: options.concurrency ?? 8,
      maxMergeAttempts: options.maxMergeAttempts ?? 10,
      profileCacheTtlMs: options.profileCacheTtlMs ?? 60_000,
      now: options.now ?? (() => new Date()),
      report: options.report ?? defaultReport,
    };
    this.#profiles = new ProfileCache(deps.profiles, { ttlMs: this.#options.profileCacheTtlMs });
    this.#versions = deps.versions && new VersionCache(deps.versions);
    this.#guardrails =
      deps.guardrails &&
      new GuardrailEvaluator(
        { ...deps.guardrails, windows: deps.windows, events: deps.events },
        { ...options.guardrails, now: this.#options.now, report: (level, message, fields) => this.#options.report(level, message, { component: 'guardrails', ...fields }) },
      );
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
        this.#options.report('error', 'claiming a log batch failed', { batch: batch.id, error: String(error) });
      }
    });

    await forEachLimit(claimed, limit, (batch) => this.#setAside(batch, stats));
    const pending = pendingWindows(claimed.filter((b) => !b.failed));
    await forEachLimit(pending, limit, async (window) => {
      try {
        await this.#merge(window, stats);
      } catch (error) {
        for (const { batch } of window.contributions) batch.failed = true;
        this.#options.report('error', 'merging into a window failed', { window: windowKeyId(window.key), error: String(error) });
      }
    });
    await forEachLimit(claimed, limit, async (batch) => {
      if (batch.failed) return;
      try {
        await this.#deps.ledger.complete(batch.id, owner, batch.windows);
        stats.records += batch.records.length;
      } catch (error) {
        batch.failed = true;
        this.#options.report('error', 'completing a log batch failed', { batch: batch.id, error: String(error) });
      }
    });
    await this.#forgetApplied([...claimed.filter((b) => !b.failed).map((batch) => ({ batch, windows: batch.windows })), ...seenBefore]);
    await forEachLimit(claimed, limit, async (batch) => {
      if (batch.failed) await this.#deps.ledger.release(batch.id, owner).catch(() => undefined);
    });
    await this.#lookAtCanaries(claimed.filter((b) => !b.failed), stats);
    await this.#judgeClosedHours([...batches.values()].filter((b) => !b.failed), stats);

    for (const batch of batches.values()) if (batch.failed) for (const id of batch.messageIds) failedMessages.add(id);
    stats.failedMessages = failedMessages.size;
    return { failedMessageIds: [...failedMessages], stats };
  }

  /**
   * Judges one closed hour of an endpoint: drift and quality per window, health over all of
   * them, performance per variant and version, drift events, alert transitions. Idempotent (see
   * `applyWindowSignals`).
   */
  async judgeHour(endpoint: string, start: string): Promise<AlertOutcome> {
    const end = windowEnd(start);
    const stored = await this.#deps.windows.list(endpoint, start, end);
    const windows = await Promise.all(
      stored.map(async (w) => ({ key: w.key, state: w.state, profile: await this.#profiles.get(w.key.model, w.key.version) })),
    );
    const verdict = windowSignals(endpoint, end, windows, this.#options.signals);
    const byVariant = new Map<string, { count: number; features: Set<string>; predictions: Set<string> }>();
    for (const { key, report, records } of verdict.reports) {
      await this.#deps.driftScores.put(driftScores(key, end, report, records));
      const variant = byVariant.get(key.variant) ?? { count: 0, features: new Set<string>(), predictions: new Set<string>() };
      variant.count += records;
      for (const c of report.features) if (c.drifted) variant.features.add(c.name);
      for (const c of report.predictions) if (c.drifted) variant.predictions.add(c.name);
      byVariant.set(key.variant, variant);
    }
    for (const [variant, { count, features, predictions }] of byVariant) {
      if (features.size + predictions.size === 0) continue;
      const event = await driftDetectedEvent(
        { endpoint, variant, window: { from: start, to: end, count }, features: [...features].sort(), predictions: [...predictions].sort() },
        { time: end },
      );
      await this.#deps.events.publish(event);
    }
    const performance = this.#versions ? await performanceSignals(endpoint, { start, end }, windows, this.#versions, this.#options.performance) : undefined;
    for (const scores of performance?.scores ?? []) await this.#deps.performanceScores?.put(scores);
    return applyWindowSignals(
      { alerts: this.#deps.alerts, events: this.#deps.events, notifier: this.#notifier },
      endpoint,
      { start, end },
      [...verdict.signals, ...(performance?.signals ?? [])],
      this.#options.alertPolicy,
    );
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
        this.#options.report('warn', 'dead-lettered a message that is not a prediction log batch', { messageId: message.messageId, reason });
      } catch (error) {
        failedMessages.add(message.messageId);
        this.#options.report('error', 'dead-lettering failed', { messageId: message.messageId, error: String(error) });
      }
    });
    return batches;
  }

  /** Dead-letters the batch's bad lines, archives its good records and hands them to the feedback join. */
  async #setAside(batch: Batch, stats: IngestStats): Promise<void> {
    try {
      if (batch.rejected.length > 0) {
        const reason = batch.rejected.map((r) => `line ${r.line}: ${r.reason}`).join(' | ').slice(0, MAX_DEAD_LETTER_REASON);
        await this.#deps.deadLetters.send(batch.rejected.map((r) => r.text).join('\n'), reason, { messageId: batch.messageIds[0], batchId: batch.id });
        stats.rejectedRecords += batch.rejected.length;
        this.#options.report('warn', 'dead-lettered invalid log records', { batch: batch.id, count: batch.rejected.length, reason });
      }
      for (const [key, lines] of archiveGroups(batch.id, batch.records, batch.lines)) await this.#deps.archive.put(key, lines);
      await this.#deps.predictions?.observe(batch.id, batch.records);
    } catch (error) {
      batch.failed = true;
      this.#options.report('error', 'archiving a log batch failed', { batch: batch.id, error: String(error) });
    }
  }

  async #merge(window: PendingWindow, stats: IngestStats): Promise<void> {
    const { key } = window;
    let profile = await this.#profiles.get(key.model, key.version);
    const task = await this.#versions?.task(key.model, key.version);
    let deltas = buildDeltas(window, profile, task);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#deps.windows.get(key);
      const applied = stored?.applied ?? new Set<string>();
      const pending = deltas.filter((d) => !applied.has(d.batchId));
      if (pending.length === 0) return;
      const storedProfile = stored?.state.sketch?.profile;
      if (!refreshed && storedProfile !== undefined && storedProfile !== profile?.fingerprint) {
        // The window was counted under another baseline than the one this monitor has cached:
        // read the current one, so an outdated cache never overwrites newer counts.
        refreshed = true;
        profile = await this.#profiles.refresh(key.model, key.version);
        deltas = buildDeltas(window, profile, task);
        continue;
      }
      let state = stored?.state ?? emptyWindowState(undefined);
      for (const delta of pending) state = mergeWindowStates(state, delta.state);
      const written = await this.#deps.windows.put(key, state, [...applied, ...pending.map((d) => d.batchId)], stored?.revision ?? 0);
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
        this.#options.report('warn', 'forgetting applied batch ids failed', { window: windowKeyId(key), error: String(error) });
      }
    });
  }

  /**
   * Judges the canaries of the endpoints whose served traffic was just merged (throttled per
   * endpoint). A failed look fails no batch: the counts are in, and the next batch looks again.
   */
  async #lookAtCanaries(merged: readonly Batch[], stats: IngestStats): Promise<void> {
    const guardrails = this.#guardrails;
    if (!guardrails) return;
    const endpoints = new Set<string>();
    for (const batch of merged) for (const record of batch.records) if (record.shadowOf === undefined) endpoints.add(record.endpoint);
    await forEachLimit(endpoints, this.#options.concurrency, async (endpoint) => {
      try {
        const look = await guardrails.evaluate(endpoint);
        if (look.status === 'throttled') return;
        stats.guardrailLooks++;
        if (look.status === 'changed') stats.guardrailChanges++;
      } catch (error) {
        this.#options.report('error', 'judging a canary failed', { endpoint, error: String(error) });
      }
    });
  }

  /** Judges, per endpoint, the hour before the latest record seen once that hour is closed. */
  async #judgeClosedHours(batches: readonly Batch[], stats: IngestStats): Promise<void> {
    // Latest time per endpoint by string comparison (ISO UTC; good to the second, all this needs).
    const latestText = new Map<string, { time: string; batches: Batch[] }>();
    for (const batch of batches) {
      for (const record of batch.records) {
        const entry = latestText.get(record.endpoint);
        if (!entry) latestText.set(record.endpoint, { time: record.time, batches: [batch] });
        else {
          if (record.time > entry.time) entry.time = record.time;
          if (entry.batches.at(-1) !== batch) entry.batches.push(batch);
        }
      }
    }
    const latest = new Map([...latestText].map(([endpoint, { time, batches: sources }]) => [endpoint, { time: Date.parse(time), batches: sources }]));
    for (const [endpoint, { time, batches: sources }] of latest) {
      const start = new Date(Date.parse(hourStart(time - this.#options.closeGraceMs)) - WINDOW_MS).toISOString();
      const memo = `${endpoint}\u0000${start}`;
      if (this.#judged.has(memo)) continue;
      try {
        const outcome = await this.judgeHour(endpoint, start);
        stats.windowsEvaluated++;
        stats.alertsOpened += outcome.opened.length;
        stats.alertsResolved += outcome.resolved.length;
        if (this.#judged.size > 10_000) this.#judged.clear();
        this.#judged.add(memo);
      } catch (error) {
        // The batches are counted; failing them brings them back (as "done") to judge the hour again.
        for (const batch of sources) batch.failed = true;
        this.#options.report('error', 'judging a closed hour failed', { endpoint, window: start, error: String(error) });
      }
    }
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
    windowsEvaluated: 0,
    alertsOpened: 0,
    alertsResolved: 0,
    guardrailLooks: 0,
    guardrailChanges: 0,
    failedMessages: 0,
  };
}

function pendingWindows(batches: readonly Batch[]): PendingWindow[] {
  const windows = new Map<string, PendingWindow>();
  const groupIds = new Map<string, string>();
  for (const batch of batches) {
    const mine = new Map<string, PredictionLogRecord[]>();
    for (const record of batch.records) {
      // Grouped by a cheap string; the key object is built once per window.
      const group = `${record.endpoint}\u0000${record.variant}\u0000${record.model}\u0000${record.version}\u0000${record.time.slice(0, 13)}\u0000${record.shadowOf === undefined ? '' : 's'}`;
      let records = mine.get(group);
      if (!records) {
        mine.set(group, (records = []));
        const key = windowOf(record);
        const id = windowKeyId(key);
        batch.windows.push(key);
        if (!windows.has(id)) windows.set(id, { key, contributions: [] });
        groupIds.set(group, id);
      }
      records.push(record);
    }
    for (const [group, records] of mine) windows.get(groupIds.get(group)!)!.contributions.push({ batch, records });
  }
  return [...windows.values()];
}

function buildDeltas(window: PendingWindow, profile: ReferenceProfile | undefined, task: Task | undefined): { batchId: string; state: WindowState }[] {
  return window.contributions.map(({ batch, records }) => {
    const builder = new WindowStateBuilder(profile, task);
    for (const record of records) builder.add(record);
    return { batchId: batch.id, state: builder.build() };
  });
}
