import {
  canaryOf,
  championVariant,
  driftDetectedEvent,
  latestScheduledInstant,
  monitoringPlan,
  parseSchedule,
  runIdFor,
  signalRetrain,
  type AlertKey,
  type AlertPolicyOptionsInput,
  type DriftOptionsInput,
  type EndpointRecord,
  type EndpointStore,
  type MonitoringPlan,
  type RetrainPorts,
  jsonLogger,
  withFields,
  type Logger,
  type EventPublisher,
  type ProfileSource,
  forEachLimit,
  driftScores,
  type AlertStore,
  type DriftScoreStore,
  type StoredWindow,
  type WindowStore,
  mergeWindowStates,
  type WindowState,
} from '@flywheel/core';
import { applyWindowSignals, type AlertOutcome } from './alerts/alert-engine.ts';
import { NO_NOTIFIER, type AlertNotifier } from './alerts/notifier.ts';
import { GuardrailEvaluator, type GuardrailDependencies, type GuardrailEvaluatorOptions } from './guardrail-evaluator.ts';
import { ProfileCache } from './profile-cache.ts';
import { listServedWindows } from './window-range.ts';
import { windowSignals, type KeyedSignal, type SignalOptions, type WindowForSignals } from './window-signals.ts';

export interface JudgeDependencies {
  readonly windows: Pick<WindowStore, 'list'>;
  readonly profiles: ProfileSource;
  /** Every endpoint is judged, from its current config. */
  readonly endpoints: Pick<EndpointStore, 'list' | 'current' | 'history' | 'append'>;
  readonly alerts: AlertStore;
  readonly events: EventPublisher;
  readonly driftScores: DriftScoreStore;
  readonly notifier?: AlertNotifier;
  /** Guardrail state (and feedback outcomes): with them, canaries are judged. */
  readonly guardrails?: Omit<GuardrailDependencies, 'endpoints'>;
  /** With them, `schedule` retraining policies start their runs. */
  readonly retrain?: RetrainPorts;
}

/** One look at an endpoint: its config, the span judged, and the span's windows merged per series. */
export interface Look {
  readonly endpoint: EndpointRecord;
  readonly plan: MonitoringPlan;
  /** The span [from, to): the look-back ending at the latest closed window. */
  readonly from: string;
  readonly to: string;
  /** One entry per variant and model version that served in the span, its windows merged. */
  readonly series: readonly WindowForSignals[];
}

export interface LookSignals {
  readonly signals: readonly KeyedSignal[];
  /** Keys the source had too little data for: their alerts are left as they are. */
  readonly undecided?: readonly AlertKey[];
}

/**
 * A source of alert signals beyond the windows' own (drift, quality, health): performance from
 * joined feedback, say. Each look asks every source; its signals go through the same alert
 * policy, events and retraining triggers. Adding one is one more entry in `signalSources`.
 */
export type SignalSource = (look: Look) => Promise<LookSignals>;

export interface JudgeOptions {
  /** Quality and health thresholds, and drift effect sizes; alpha and the minimum sample come from each endpoint's `monitoring`. */
  readonly signals?: Omit<SignalOptions, 'drift'> & { readonly drift?: Omit<DriftOptionsInput, 'alpha' | 'minSampleSize'> };
  readonly alertPolicy?: AlertPolicyOptionsInput;
  readonly signalSources?: readonly SignalSource[];
  /** How often canaries are looked at (at most every 30 s per endpoint by default), and the rest of the evaluator's tuning. */
  readonly guardrails?: Omit<GuardrailEvaluatorOptions, 'now' | 'logger'>;
  /**
   * A schedule instant this far before the judge's time still starts its run (default 2 min):
   * a late or retried invocation finds it; the instant's deterministic signal id dedupes it.
   */
  readonly scheduleCatchUpMs?: number;
  readonly concurrency?: number;
  readonly profileCacheTtlMs?: number;
  readonly now?: () => Date;
  /** Where it logs (default: JSON lines on the console). */
  readonly logger?: Logger;
}

export interface JudgeStats {
  endpoints: number;
  /** Looks that judged traffic, and those with none in their span (nothing to decide). */
  looks: number;
  quietLooks: number;
  alertsOpened: number;
  alertsResolved: number;
  guardrailLooks: number;
  guardrailChanges: number;
  scheduledRuns: number;
  failures: number;
}

export type LookOutcome = { readonly status: 'judged'; readonly look: Look; readonly alerts: AlertOutcome } | { readonly status: 'quiet' | 'seen' };

/**
 * Judges endpoints on the clock, whether or not traffic arrives: every window (the endpoint's
 * `monitoring.window`, a minute by default) it merges the windows of the look-back ending at the
 * latest closed window and decides drift, data quality, health and the other signal sources'
 * signals; the alert policy opens and resolves alerts from them, whose events start retraining.
 * It also judges canaries (guardrails) and starts scheduled retraining runs.
 *
 * A window's stragglers (records logged after its look) are in the next looks, which overlap
 * it. Repeating a look (a retried invocation, two judges) is harmless: the alert policy ignores
 * a window end it has applied, ids and events are deterministic.
 */
export class Judge {
  readonly #deps: JudgeDependencies;
  readonly #profiles: ProfileCache;
  readonly #options: Required<Omit<JudgeOptions, 'signals' | 'alertPolicy' | 'guardrails'>> & Pick<JudgeOptions, 'signals' | 'alertPolicy'>;
  readonly #notifier: AlertNotifier;
  readonly #guardrails: GuardrailEvaluator | undefined;
  /** Looks this instance made, so a second tick in the same window does not judge it again. */
  readonly #seen = new Set<string>();

  constructor(deps: JudgeDependencies, options: JudgeOptions = {}) {
    this.#deps = deps;
    this.#notifier = deps.notifier ?? NO_NOTIFIER;
    this.#options = {
      signals: options.signals,
      alertPolicy: options.alertPolicy,
      signalSources: options.signalSources ?? [],
      scheduleCatchUpMs: options.scheduleCatchUpMs ?? 120_000,
      concurrency: options.concurrency ?? 8,
      profileCacheTtlMs: options.profileCacheTtlMs ?? 60_000,
      now: options.now ?? (() => new Date()),
      logger: withFields(options.logger ?? jsonLogger, { component: 'judge' }),
    };
    this.#profiles = new ProfileCache(deps.profiles, { ttlMs: this.#options.profileCacheTtlMs });
    this.#guardrails =
      deps.guardrails &&
      new GuardrailEvaluator(
        { ...deps.guardrails, endpoints: deps.endpoints, windows: deps.windows, events: deps.events },
        {
          // Under the one-minute tick, so a tick that comes a little early is not throttled.
          minIntervalMs: 30_000,
          ...options.guardrails,
          now: this.#options.now,
          logger: withFields(this.#options.logger, { component: 'guardrails' }),
        },
      );
  }

  /** One tick of the clock at `at`: every endpoint's latest look, its canary and its schedule. A failure of one endpoint fails none other. */
  async judgeAll(at: Date): Promise<JudgeStats> {
    const stats: JudgeStats = { endpoints: 0, looks: 0, quietLooks: 0, alertsOpened: 0, alertsResolved: 0, guardrailLooks: 0, guardrailChanges: 0, scheduledRuns: 0, failures: 0 };
    const records = await this.#deps.endpoints.list();
    stats.endpoints = records.length;
    const attempt = async (what: string, endpoint: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        stats.failures++;
        this.#options.logger.error(`${what} failed`, { endpoint, error: String(error) });
      }
    };
    await forEachLimit(records, this.#options.concurrency, async (record) => {
      await attempt('judging an endpoint', record.endpoint, async () => {
        const outcome = await this.judgeEndpoint(record, at);
        if (outcome.status === 'quiet') stats.quietLooks++;
        if (outcome.status !== 'judged') return;
        stats.looks++;
        stats.alertsOpened += outcome.alerts.opened.length;
        stats.alertsResolved += outcome.alerts.resolved.length;
      });
      await attempt('starting a scheduled run', record.endpoint, async () => {
        if (await this.#scheduledRetrain(record, at)) stats.scheduledRuns++;
      });
    });
    const canaries = records.filter((record) => !('reason' in canaryOf(record.config))).map((record) => record.endpoint);
    const looked = await this.lookAtCanaries(canaries);
    stats.guardrailLooks += looked.looks;
    stats.guardrailChanges += looked.changes;
    stats.failures += looked.failures;
    return stats;
  }

  /**
   * The endpoint's look at `at`: the span of `monitoring.lookback` ending at the latest window
   * end at or before `at`. A span without traffic decides nothing (alerts stay as they are).
   */
  async judgeEndpoint(record: EndpointRecord, at: Date): Promise<LookOutcome> {
    const plan = monitoringPlan(record.config);
    const endMs = Math.floor(at.getTime() / plan.windowMs) * plan.windowMs;
    const to = new Date(endMs).toISOString();
    const from = new Date(endMs - plan.lookbackMs).toISOString();
    const memo = `${record.endpoint}\u0000${record.configVersion}\u0000${to}`;
    if (this.#seen.has(memo)) return { status: 'seen' };
    const stored = await listServedWindows(this.#deps.windows, record.endpoint, from, to);
    if (!stored.some((w) => w.state.records > 0)) {
      this.#remember(memo);
      return { status: 'quiet' };
    }
    const look: Look = { endpoint: record, plan, from, to, series: await this.#series(record.endpoint, from, stored) };
    const alerts = await this.#decide(look);
    this.#remember(memo);
    return { status: 'judged', look, alerts };
  }

  /**
   * Judges the canaries of these endpoints (throttled per endpoint). The log consumer calls it
   * after merging served traffic, so decisions rest on the freshest counts; each tick calls it
   * for every endpoint with a canary, so a quiet canary is judged too. A failed look changes
   * nothing: the next one looks again.
   */
  async lookAtCanaries(endpoints: Iterable<string>): Promise<{ looks: number; changes: number; failures: number }> {
    const counts = { looks: 0, changes: 0, failures: 0 };
    const guardrails = this.#guardrails;
    if (!guardrails) return counts;
    await forEachLimit(new Set(endpoints), this.#options.concurrency, async (endpoint) => {
      try {
        const look = await guardrails.evaluate(endpoint);
        if (look.status === 'throttled') return;
        counts.looks++;
        if (look.status === 'changed') counts.changes++;
      } catch (error) {
        counts.failures++;
        this.#options.logger.error('judging a canary failed', { endpoint, error: String(error) });
      }
    });
    return counts;
  }

  /** Drift, quality and health of the look, the other sources' signals, alert transitions, drift events and scores. */
  async #decide(look: Look): Promise<AlertOutcome> {
    const endpoint = look.endpoint.endpoint;
    const signals = this.#options.signals;
    const verdict = windowSignals(endpoint, look.to, look.series, {
      ...signals,
      drift: { ...signals?.drift, alpha: look.plan.alpha, minSampleSize: look.plan.minSamples },
    });
    const extra = await Promise.all(this.#options.signalSources.map((source) => source(look)));
    const outcome = await applyWindowSignals(
      { alerts: this.#deps.alerts, events: this.#deps.events, notifier: this.#notifier },
      endpoint,
      { start: look.from, end: look.to },
      [...verdict.signals, ...extra.flatMap((e) => e.signals)],
      this.#options.alertPolicy,
      [...verdict.undecided, ...extra.flatMap((e) => e.undecided ?? [])],
    );
    for (const { key, report, records } of verdict.reports) await this.#deps.driftScores.put(driftScores(key, look.to, report, records));

    // `drift.detected` marks the look that detected it (its drift alert opened), per variant:
    // not every look of a long drift, which would flood the event log once a minute.
    const opened = new Set(outcome.opened.filter((a) => a.kind === 'drift').flatMap((a) => a.variants));
    const byVariant = new Map<string, { count: number; features: Set<string>; predictions: Set<string> }>();
    for (const { key, report, records } of verdict.reports) {
      if (!opened.has(key.variant)) continue;
      const variant = byVariant.get(key.variant) ?? { count: 0, features: new Set<string>(), predictions: new Set<string>() };
      variant.count += records;
      for (const c of report.features) if (c.drifted) variant.features.add(c.name);
      for (const c of report.predictions) if (c.drifted) variant.predictions.add(c.name);
      byVariant.set(key.variant, variant);
    }
    for (const [variant, { count, features, predictions }] of byVariant) {
      if (features.size + predictions.size === 0) continue;
      const event = await driftDetectedEvent(
        { endpoint, variant, window: { from: look.from, to: look.to, count }, features: [...features].sort(), predictions: [...predictions].sort() },
        { time: look.to },
      );
      await this.#deps.events.publish(event);
    }
    return outcome;
  }

  /**
   * The look's windows merged per variant and model version, oldest first. Windows counted
   * under an earlier baseline of the version keep their health but not their sketch, which
   * does not fit the current profile.
   */
  async #series(endpoint: string, from: string, stored: readonly StoredWindow[]): Promise<WindowForSignals[]> {
    const groups = new Map<string, StoredWindow[]>();
    for (const w of [...stored].sort((a, b) => (a.key.start < b.key.start ? -1 : a.key.start > b.key.start ? 1 : 0))) {
      const id = `${w.key.variant}\u0000${w.key.model}\u0000${w.key.version}`;
      const group = groups.get(id);
      if (group) group.push(w);
      else groups.set(id, [w]);
    }
    return Promise.all(
      [...groups.values()].map(async (windows) => {
        const { variant, model, version } = windows[0].key;
        const profile = await this.#profiles.get(model, version);
        const fitting = (state: WindowState): WindowState => (state.sketch && state.sketch.profile !== profile?.fingerprint ? { ...state, sketch: null } : state);
        const state = windows.map((w) => fitting(w.state)).reduce((merged, next) => mergeWindowStates(merged, next));
        return { key: { endpoint, variant, model, version, start: from }, state, ...(profile ? { profile } : {}) };
      }),
    );
  }

  /** Starts the run of a `schedule` policy's latest instant, if one fell due; true when it started one. */
  async #scheduledRetrain(record: EndpointRecord, at: Date): Promise<boolean> {
    const policy = record.config.retrain;
    if (!policy?.schedule || !policy.on.includes('schedule') || !this.#deps.retrain) return false;
    const instant = latestScheduledInstant(parseSchedule(policy.schedule), at.getTime() - this.#options.scheduleCatchUpMs, at.getTime());
    if (!instant) return false;
    const id = `schedule/${record.endpoint}/${instant}`;
    const model = championVariant(record.config).model;
    const outcome = await signalRetrain(this.#deps.retrain, model, { kind: 'schedule', id, endpoint: record.endpoint, at: instant }, { policy, runId: await runIdFor(id) });
    if (outcome.action === 'start' && !outcome.resumed)
      this.#options.logger.info('scheduled retraining run started', { endpoint: record.endpoint, model, runId: outcome.run.runId, instant });
    return outcome.action === 'start' && !outcome.resumed;
  }

  #remember(memo: string): void {
    if (this.#seen.size > 10_000) this.#seen.clear();
    this.#seen.add(memo);
  }
}
