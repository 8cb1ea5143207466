import { z } from 'zod';

/**
 * When alerts open and resolve. Hysteresis (several clean windows before resolving) and a
 * cool-down after resolving keep a metric hovering around its threshold from flapping.
 */
export const AlertPolicyOptionsSchema = z.object({
  /** Consecutive clean windows that resolve an open or acknowledged alert. */
  resolveAfterCleanWindows: z.number().int().min(1).default(3),
  /** After a resolve, breaches within this many minutes do not reopen the alert. */
  cooldownMinutes: z.number().min(0).default(30),
});
export type AlertPolicyOptions = z.output<typeof AlertPolicyOptionsSchema>;
export type AlertPolicyOptionsInput = z.input<typeof AlertPolicyOptionsSchema>;
export const DEFAULT_ALERT_POLICY: AlertPolicyOptions = AlertPolicyOptionsSchema.parse({});

export type AlertStatus = 'none' | 'open' | 'acknowledged';

/** The alert state of one key (see `AlertKey`). Times are ISO 8601 strings. */
export interface AlertState {
  readonly status: AlertStatus;
  /** Consecutive clean windows since the last breach, while open or acknowledged. */
  readonly cleanWindows: number;
  readonly lastOpenedAt?: string;
  readonly lastResolvedAt?: string;
  /** End of the latest window applied: windows delivered again or late are ignored. */
  readonly lastWindowEnd?: string;
}

export const NO_ALERT: AlertState = { status: 'none', cleanWindows: 0 };

/** One window's verdict on one alert key. */
export interface AlertSignal {
  readonly breached: boolean;
  readonly value: number;
  readonly threshold: number;
  /** ISO 8601 end of the window the signal describes. */
  readonly windowEnd: string;
}

export type AlertTransition =
  /** Open a new alert (and notify). */
  | { readonly action: 'open'; readonly state: AlertState }
  /** Nothing to notify; `state` may still differ (a breach resets the clean count). */
  | {
      readonly action: 'stay';
      readonly reason: 'quiet' | 'still-breached' | 'cooling-down' | 'stale-window';
      readonly state: AlertState;
    }
  /** One more clean window towards resolving. */
  | { readonly action: 'count-clean'; readonly state: AlertState }
  /** Resolve the alert (and notify). */
  | { readonly action: 'resolve'; readonly state: AlertState };

function epochMillis(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new RangeError(`not an ISO 8601 time: ${iso}`);
  return millis;
}

/**
 * The transition one window's signal causes. Pure: the caller stores `state` and acts on
 * `action`. An open or acknowledged alert absorbs every further breach, so a key never has more
 * than one alert however long the breach lasts.
 */
export function decideAlert(state: AlertState, signal: AlertSignal, options: AlertPolicyOptionsInput = {}): AlertTransition {
  const { resolveAfterCleanWindows, cooldownMinutes } = AlertPolicyOptionsSchema.parse(options);
  const windowEnd = epochMillis(signal.windowEnd);
  if (state.lastWindowEnd !== undefined && windowEnd <= epochMillis(state.lastWindowEnd)) {
    return { action: 'stay', reason: 'stale-window', state };
  }
  const seen = { ...state, lastWindowEnd: signal.windowEnd };

  if (state.status === 'none') {
    if (!signal.breached) return { action: 'stay', reason: 'quiet', state: seen };
    const coolingDown = state.lastResolvedAt !== undefined && windowEnd < epochMillis(state.lastResolvedAt) + cooldownMinutes * 60_000;
    if (coolingDown) return { action: 'stay', reason: 'cooling-down', state: seen };
    return { action: 'open', state: { ...seen, status: 'open', cleanWindows: 0, lastOpenedAt: signal.windowEnd } };
  }

  if (signal.breached) return { action: 'stay', reason: 'still-breached', state: { ...seen, cleanWindows: 0 } };
  const cleanWindows = state.cleanWindows + 1;
  if (cleanWindows < resolveAfterCleanWindows) return { action: 'count-clean', state: { ...seen, cleanWindows } };
  return { action: 'resolve', state: { ...seen, status: 'none', cleanWindows: 0, lastResolvedAt: signal.windowEnd } };
}

/** Someone has seen the alert: it stays until resolved but is no longer "open". */
export function acknowledgeAlert(state: AlertState): AlertState {
  if (state.status === 'none') throw new Error('there is no alert to acknowledge');
  return { ...state, status: 'acknowledged' };
}

/** Resolved by hand at `at`; the cool-down starts then, as after an automatic resolve. */
export function resolveAlert(state: AlertState, at: string): AlertState {
  epochMillis(at);
  if (state.status === 'none') return state;
  return { ...state, status: 'none', cleanWindows: 0, lastResolvedAt: at };
}
