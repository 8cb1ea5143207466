import {
  canaryOf,
  changesWeights,
  createLatencyHistogram,
  decideGuardrail,
  guardrailChange,
  healthFromHistogram,
  mergeLatencyHistograms,
  nextEndpointRecord,
  rolloutPromotedEvent,
  rolloutRolledBackEvent,
  stepStart,
  type Canary,
  type EndpointRecord,
  type EndpointStore,
  type GuardrailDecision,
  type GuardrailStateStore,
  type LatencyHistogram,
  type Moments,
  type VariantHealth,
  silentLogger,
  type Logger,
  type EventPublisher,
  type WindowStore,
  WINDOW_MS,
  hourStart,
} from '@flywheel/core';

/**
 * Business outcomes per variant from feedback, for guardrails on metric `outcome`: the moments of
 * the outcomes joined to predictions served under config versions ≥ `since.configVersion`.
 */
export interface OutcomeSource {
  outcomes(endpoint: string, variant: string, since: { readonly configVersion: number; readonly time: string }): Promise<Moments>;
}

export interface GuardrailDependencies {
  readonly endpoints: Pick<EndpointStore, 'current' | 'history' | 'append'>;
  readonly state: GuardrailStateStore;
  /** Without it, canaries judged on `outcome` are left alone (and say so). */
  readonly outcomes?: OutcomeSource;
}

export interface GuardrailEvaluatorOptions {
  /** An endpoint is looked at most once per this interval per monitor instance (default 60 s). */
  readonly minIntervalMs?: number;
  /** Latencies sampled from a variant's histogram for `latency_p95` (default 20,000, or `minSamples` if more). */
  readonly latencySamples?: number;
  /** Conflicting config writes tolerated per look before giving up until the next one (default 3). */
  readonly maxAttempts?: number;
  /** Config versions read back to find where the current step began (default 50). */
  readonly historyLimit?: number;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

export type GuardrailLook =
  | { readonly status: 'throttled' }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'held'; readonly decision: GuardrailDecision }
  | { readonly status: 'changed'; readonly decision: GuardrailDecision; readonly record: EndpointRecord };

/**
 * Judges canaries from the monitor's windows right after it merged new traffic into them, so a
 * decision rests on the freshest counts there are. A look reads the endpoint's current config,
 * works out where the current step began (`stepStart`), merges each side's health over exactly
 * the config versions of that step, and asks `decideGuardrail`, continuing the step's always-valid
 * p-value from the previous look. A rollback or promotion is the next config version, written
 * with one conditional put; when another change got there first the look starts over on it.
 *
 * Idempotent: a look repeated (a redelivered batch, two monitors at once) decides on the same
 * config, and only one of two identical changes can be written. The rollout event is published
 * after the change and recorded as announced; a look that finds a guardrail change not yet
 * announced publishes it again (same CloudEvent id).
 */
export class GuardrailEvaluator {
  readonly #deps: GuardrailDependencies & { windows: Pick<WindowStore, 'list'>; events: EventPublisher };
  readonly #options: Required<GuardrailEvaluatorOptions>;
  readonly #lastLook = new Map<string, number>();
  readonly #warned = new Set<string>();

  constructor(deps: GuardrailDependencies & { windows: Pick<WindowStore, 'list'>; events: EventPublisher }, options: GuardrailEvaluatorOptions = {}) {
    this.#deps = deps;
    this.#options = {
      minIntervalMs: options.minIntervalMs ?? 60_000,
      latencySamples: options.latencySamples ?? 20_000,
      maxAttempts: options.maxAttempts ?? 3,
      historyLimit: options.historyLimit ?? 50,
      now: options.now ?? (() => new Date()),
      logger: options.logger ?? silentLogger,
    };
  }

  /** Looks at the endpoint's canary unless it was looked at within the interval. */
  async evaluate(endpoint: string): Promise<GuardrailLook> {
    const now = this.#options.now().getTime();
    const last = this.#lastLook.get(endpoint);
    if (last !== undefined && now - last < this.#options.minIntervalMs) return { status: 'throttled' };
    if (this.#lastLook.size >= 10_000) this.#lastLook.clear();
    this.#lastLook.set(endpoint, now);
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      const look = await this.#look(endpoint);
      if (look !== 'conflict') return look;
    }
    return { status: 'skipped', reason: `the endpoint changed under ${this.#options.maxAttempts} attempts to apply a decision; the next look decides again` };
  }

  async #look(endpoint: string): Promise<GuardrailLook | 'conflict'> {
    const current = await this.#deps.endpoints.current(endpoint);
    if (!current) return { status: 'skipped', reason: 'no such endpoint' };
    if (current.change.kind === 'guardrail') await this.#announce(current);
    const canary = canaryOf(current.config);
    if ('reason' in canary) return { status: 'skipped', reason: canary.reason };
    if (canary.guardrails.metric === 'outcome' && !this.#deps.outcomes) {
      const reason = 'guardrails on `outcome` need feedback aggregates, which this monitor has no source for; the canary is not judged';
      if (!this.#warned.has(endpoint)) {
        this.#warned.add(endpoint);
        this.#options.logger.warn(reason, { endpoint });
      }
      return { status: 'skipped', reason };
    }
    const start = stepStart(await this.#deps.endpoints.history(endpoint, { limit: this.#options.historyLimit }));
    const stored = await this.#deps.state.read(endpoint);
    const sameStep = stored.state?.stepStartedAt === start.configVersion;
    const decision = decideGuardrail({
      guardrails: canary.guardrails,
      control: canary.control.name,
      candidate: canary.candidate.name,
      weights: current.config.variants.map(({ name, weight }) => ({ name, weight })),
      health: await this.#health(endpoint, canary, start, current),
      previousSequentialPValue: sameStep ? stored.state?.sequentialPValue : undefined,
    });

    if (!changesWeights(decision)) {
      // A lost race here only loses this look's p-value; the running minimum resumes from the other's.
      await this.#deps.state.write(
        endpoint,
        { stepStartedAt: start.configVersion, sequentialPValue: decision.numbers.sequentialPValue, ...(stored.state?.announced ? { announced: stored.state.announced } : {}) },
        stored.revision,
      );
      return { status: 'held', decision };
    }
    const next = nextEndpointRecord(endpoint, current, guardrailChange(current, canary, decision, start.configVersion), this.#options.now().toISOString());
    if (!(await this.#deps.endpoints.append(next))) return 'conflict';
    this.#options.logger.info(`guardrail ${decision.action}`, { endpoint, configVersion: next.configVersion, reason: decision.reason });
    await this.#announce(next);
    return { status: 'changed', decision, record: next };
  }

  /**
   * Each side's requests, errors and latencies over the config versions of the step. Windows are
   * hours of request time; a version serves only after it is written, so the step's windows start
   * in the hour of its first version (one hour earlier, for clocks that disagree).
   */
  async #health(endpoint: string, canary: Canary, start: EndpointRecord, current: EndpointRecord): Promise<{ control: VariantHealth; candidate: VariantHealth }> {
    const from = hourStart(Date.parse(start.updatedAt) - WINDOW_MS);
    const to = hourStart(this.#options.now().getTime() + WINDOW_MS);
    const windows = await this.#deps.windows.list(endpoint, from, to);
    const merged = new Map<string, LatencyHistogram>([
      [canary.control.name, createLatencyHistogram()],
      [canary.candidate.name, createLatencyHistogram()],
    ]);
    for (const window of windows) {
      const histogram = merged.get(window.key.variant);
      if (!histogram) continue;
      let sum = histogram;
      for (const [configVersion, health] of Object.entries(window.state.healthByConfig ?? {})) {
        if (Number(configVersion) >= start.configVersion && Number(configVersion) <= current.configVersion) sum = mergeLatencyHistograms(sum, health);
      }
      merged.set(window.key.variant, sum);
    }
    const { guardrails } = canary;
    const samples = guardrails.metric === 'latency_p95' ? Math.max(this.#options.latencySamples, guardrails.minSamples) : 0;
    const side = async (name: string): Promise<VariantHealth> => {
      const health = healthFromHistogram(merged.get(name)!, samples);
      if (guardrails.metric !== 'outcome') return health;
      return { ...health, outcome: await this.#deps.outcomes!.outcomes(endpoint, name, { configVersion: start.configVersion, time: start.updatedAt }) };
    };
    const [control, candidate] = await Promise.all([side(canary.control.name), side(canary.candidate.name)]);
    return { control, candidate };
  }

  /**
   * Publishes the rollout event of a guardrail-written version, then records it as announced —
   * which also starts the new step's state afresh. The event id is derived from the config
   * version, so publishing twice (a crash between the two) is one event to consumers.
   */
  async #announce(record: EndpointRecord): Promise<void> {
    const stored = await this.#deps.state.read(record.endpoint);
    if ((stored.state?.announced ?? 0) >= record.configVersion) return;
    const decision = record.change.decision;
    if (!decision) return;
    const candidate = record.config.variants.find((variant) => variant.name === decision.candidate);
    const data = {
      endpoint: record.endpoint,
      variant: decision.candidate,
      model: candidate?.model ?? decision.candidate,
      ...(candidate?.version !== undefined ? { version: candidate.version } : {}),
      configVersion: record.configVersion,
      ...(record.change.reason ? { reason: record.change.reason.slice(0, 1000) } : {}),
    };
    const build = decision.action === 'rollback' ? rolloutRolledBackEvent : rolloutPromotedEvent;
    await this.#deps.events.publish(await build(data, { time: record.updatedAt }));
    // Lost to a concurrent look: that look read the same version and announces it (idempotently).
    await this.#deps.state.write(record.endpoint, { stepStartedAt: record.configVersion, announced: record.configVersion }, stored.revision);
  }
}
