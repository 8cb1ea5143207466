import type { RetrainPolicy } from '../routing/endpoint-config.ts';

/**
 * When a model is retrained. One state per model serialises every trigger: the caller reads the
 * state, calls `decideRetrain`, and writes the new state back conditionally (failing if someone
 * else wrote first, then deciding again on the fresh state). That single conditional write is
 * what turns any number of concurrent signals into one run.
 */
export interface RetrainState {
  /** The run queued or running for this model; signals meanwhile join it instead of starting another. */
  readonly active?: {
    readonly runId: string;
    /** The signal that started it: the same signal delivered again resumes the start instead of coalescing. */
    readonly signalId: string;
    readonly since: string;
    readonly trigger: RunTrigger;
  };
  /** Start of the latest run, for the cool-down. */
  readonly lastRunAt?: string;
  readonly lastRunId?: string;
  /** Labelled rows that arrived since the model's last run, per endpoint. */
  readonly newLabels: Readonly<Record<string, number>>;
  /** Ids of the label signals already counted (a bounded memory: redeliveries come soon). */
  readonly countedLabelSignals: readonly string[];
  /** A trigger that arrived too early (too few labels, or cooling down); it fires when it can. */
  readonly pending?: PendingTrigger;
}

/** The alerts that start a run when the policy lists them (and enough labels are in). */
export type AlertTriggerKind = 'drift' | 'quality' | 'performance';

export interface PendingTrigger {
  readonly kind: AlertTriggerKind;
  readonly endpoint: string;
  readonly eventId: string;
  readonly since: string;
}

export const INITIAL_RETRAIN_STATE: RetrainState = { newLabels: {}, countedLabelSignals: [] };

/** How many label signal ids the state remembers for deduplication. */
export const COUNTED_LABEL_MEMORY = 64;

export type RetrainSignal =
  /** A drift detection, or a drift, quality or performance alert, on an endpoint serving the model. */
  | { readonly kind: AlertTriggerKind; readonly id: string; readonly endpoint: string; readonly at: string }
  /** The endpoint's retraining schedule came due; `id` names the instant, so every judge sends the same. */
  | { readonly kind: 'schedule'; readonly id: string; readonly endpoint: string; readonly at: string }
  /** `count` predictions of the endpoint newly labelled. */
  | { readonly kind: 'labels'; readonly id: string; readonly endpoint: string; readonly count: number; readonly at: string }
  /** Someone asked: `POST /v1/models/{model}/retrain`, or the retry of a failed run. */
  | { readonly kind: 'manual' | 'retry'; readonly id: string; readonly endpoint?: string; readonly at: string }
  /** The run finished (either way): the model is free to train again, after the cool-down. */
  | { readonly kind: 'finished'; readonly id: string; readonly runId: string; readonly at: string };

export interface RunTrigger {
  readonly kind: AlertTriggerKind | 'labels' | 'schedule' | 'manual' | 'retry';
  readonly endpoint?: string;
  /** The event that caused the run: the drift that waited for labels, not the labels that released it. */
  readonly eventId?: string;
}

export type RetrainDecision =
  | {
      readonly action: 'start';
      readonly runId: string;
      readonly trigger: RunTrigger;
      /** True when this signal had already started the run and is delivered again: finish what it started. */
      readonly resumed: boolean;
      readonly state: RetrainState;
    }
  | { readonly action: 'wait'; readonly reason: 'labels' | 'cooldown'; readonly state: RetrainState }
  | {
      readonly action: 'ignore';
      readonly reason: 'not-a-trigger' | 'coalesced' | 'duplicate' | 'counted' | 'finished' | 'cooling-down';
      /** The run the signal joined, when coalesced. */
      readonly activeRunId?: string;
      readonly state: RetrainState;
    };

export interface DecideOptions {
  /** The retraining policy of the signal's endpoint; undefined when the endpoint has none. */
  readonly policy?: RetrainPolicy;
  /** The id to give a run this signal starts (callers derive it from the signal id, so it is stable). */
  readonly runId: string;
  /** A run active longer than this is taken as lost (its job died past every retry). */
  readonly staleAfterMinutes?: number;
}

const minutes = (n: number) => n * 60_000;
const DEFAULT_STALE_MINUTES = 6 * 60;

/** Pure: what one signal does to the model's retraining state. */
export function decideRetrain(state: RetrainState, signal: RetrainSignal, options: DecideOptions): RetrainDecision {
  const now = epochMillis(signal.at);
  const active = state.active && now - epochMillis(state.active.since) < minutes(options.staleAfterMinutes ?? DEFAULT_STALE_MINUTES) ? state.active : undefined;

  if (state.active && state.active.signalId === signal.id && signal.kind !== 'finished') {
    return { action: 'start', runId: state.active.runId, trigger: state.active.trigger, resumed: true, state };
  }

  switch (signal.kind) {
    case 'finished': {
      if (state.active?.runId !== signal.runId) return { action: 'ignore', reason: 'finished', state };
      const { active: _, ...rest } = state;
      return { action: 'ignore', reason: 'finished', state: rest };
    }
    case 'manual':
    case 'retry':
      if (active) return { action: 'ignore', reason: 'coalesced', activeRunId: active.runId, state };
      return start(state, signal, options.runId, { kind: signal.kind, endpoint: signal.endpoint });
    case 'labels': {
      if (state.countedLabelSignals.includes(signal.id)) return { action: 'ignore', reason: 'duplicate', state };
      const counted: RetrainState = {
        ...state,
        newLabels: { ...state.newLabels, [signal.endpoint]: (state.newLabels[signal.endpoint] ?? 0) + signal.count },
        countedLabelSignals: [...state.countedLabelSignals, signal.id].slice(-COUNTED_LABEL_MEMORY),
      };
      const pending = counted.pending;
      if (active) return { action: 'ignore', reason: 'counted', state: counted };
      // The waiting trigger is re-judged now, as if it had just arrived; it keeps its own event id.
      if (pending?.endpoint === signal.endpoint) return judge(counted, { kind: pending.kind, id: signal.id, endpoint: pending.endpoint, at: signal.at }, pending.eventId, options);
      return everyNLabels(counted, signal, options);
    }
    case 'drift':
    case 'quality':
    case 'performance':
      if (active) return { action: 'ignore', reason: 'coalesced', activeRunId: active.runId, state };
      return judge(state, signal, state.pending?.endpoint === signal.endpoint ? state.pending.eventId : signal.id, options);
    case 'schedule': {
      const policy = options.policy;
      if (!policy?.on.includes('schedule')) return { action: 'ignore', reason: 'not-a-trigger', state };
      if (active) return { action: 'ignore', reason: 'coalesced', activeRunId: active.runId, state };
      // The cadence is the contract: no label gate, and an instant inside the cool-down is skipped
      // (the next instant comes) rather than kept waiting.
      if (coolingDown(state, signal.at, policy)) return { action: 'ignore', reason: 'cooling-down', state };
      return start(state, signal, options.runId, { kind: 'schedule', endpoint: signal.endpoint, eventId: signal.id });
    }
  }
}

/** `on: ["labels"]`: a run each time `minLabels` new labels are in, once past the cool-down. */
function everyNLabels(state: RetrainState, signal: Extract<RetrainSignal, { kind: 'labels' }>, options: DecideOptions): RetrainDecision {
  const policy = options.policy;
  const ready = policy?.on.includes('labels') && (state.newLabels[signal.endpoint] ?? 0) >= policy.minLabels && !coolingDown(state, signal.at, policy);
  if (!ready) return { action: 'ignore', reason: 'counted', state };
  return start(state, signal, options.runId, { kind: 'labels', endpoint: signal.endpoint, eventId: signal.id });
}

function coolingDown(state: RetrainState, at: string, policy: RetrainPolicy): boolean {
  return state.lastRunAt !== undefined && epochMillis(at) < epochMillis(state.lastRunAt) + minutes(policy.cooldownMinutes);
}

/** An automatic trigger: enabled by the policy, past the cool-down, with enough new labels? */
function judge(state: RetrainState, signal: { kind: AlertTriggerKind; id: string; endpoint: string; at: string }, eventId: string, options: DecideOptions): RetrainDecision {
  const policy = options.policy;
  if (!policy || !policy.on.includes(signal.kind)) return { action: 'ignore', reason: 'not-a-trigger', state };
  const wait = (reason: 'labels' | 'cooldown'): RetrainDecision => ({
    action: 'wait',
    reason,
    // An earlier trigger already waits: it stays the cause, and the state is unchanged (nothing to write).
    state: state.pending?.endpoint === signal.endpoint ? state : { ...state, pending: { kind: signal.kind, endpoint: signal.endpoint, eventId, since: signal.at } },
  });
  if (coolingDown(state, signal.at, policy)) return wait('cooldown');
  if ((state.newLabels[signal.endpoint] ?? 0) < policy.minLabels) return wait('labels');
  return start(state, signal, options.runId, { kind: signal.kind, endpoint: signal.endpoint, eventId });
}

function start(state: RetrainState, signal: RetrainSignal, runId: string, trigger: RunTrigger): RetrainDecision {
  const newLabels = trigger.endpoint === undefined ? state.newLabels : { ...state.newLabels, [trigger.endpoint]: 0 };
  const { pending: _, ...rest } = state;
  return {
    action: 'start',
    runId,
    trigger,
    resumed: false,
    state: { ...rest, active: { runId, signalId: signal.id, since: signal.at, trigger }, lastRunAt: signal.at, lastRunId: runId, newLabels },
  };
}

function epochMillis(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new RangeError(`not an ISO 8601 time: ${iso}`);
  return millis;
}
