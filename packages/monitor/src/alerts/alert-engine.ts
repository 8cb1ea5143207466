import {
  NO_ALERT,
  alertKeyId,
  alertOpenedEvent,
  alertResolvedEvent,
  decideAlert,
  type AlertKey,
  type AlertPolicyOptionsInput,
  type AlertSignal,
  type EventPublisher,
  type AlertStateRecord,
  type AlertStore,
  alertIdFor,
  alertSummary,
  type Alert,
} from '@flywheel/core';
import type { KeyedSignal } from '../window-signals.ts';
import type { AlertNotifier } from './notifier.ts';

export interface AlertEngineDependencies {
  readonly alerts: AlertStore;
  readonly events: EventPublisher;
  readonly notifier: AlertNotifier;
}

export interface AlertOutcome {
  readonly opened: Alert[];
  readonly resolved: Alert[];
}

/** Conditional-write conflicts tolerated per key before giving up (the window is retried later). */
const MAX_CONFLICTS = 5;

/**
 * Applies one look's signals to the alert state of every key, through the core policy
 * (`decideAlert`): at most one open alert per key, hysteresis, cool-down. Keys that currently
 * have an alert but no signal this look (a column that disappeared) count as clean, unless the
 * look was `undecided` on them (too little data): those stay as they are.
 *
 * Safe to run twice for one window, and from two monitors at once: the policy ignores a window it
 * has applied, alert ids are deterministic, and state writes are conditional. The event is sent
 * before the state that records it, so a crash in between re-sends it (same id) rather than
 * losing it; webhooks go out only from the writer that won.
 */
export async function applyWindowSignals(
  deps: AlertEngineDependencies,
  endpoint: string,
  window: { start: string; end: string },
  signals: readonly KeyedSignal[],
  policy: AlertPolicyOptionsInput = {},
  undecided: readonly AlertKey[] = [],
): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { opened: [], resolved: [] };
  const stored = new Map((await deps.alerts.states(endpoint)).map((record) => [alertKeyId(record.key), record]));
  const work = new Map(signals.map((s) => [alertKeyId(s.key), s]));
  const leftAlone = new Set(undecided.map(alertKeyId));
  for (const [id, record] of stored) {
    if (!work.has(id) && !leftAlone.has(id) && record.state.status !== 'none') {
      work.set(id, { key: record.key, signal: { breached: false, value: 0, threshold: 0, windowEnd: window.end }, variants: [] });
    }
  }
  for (const [id, keyed] of work) await applyOne(deps, window, keyed, stored.get(id), policy, outcome);
  return outcome;
}

async function applyOne(
  deps: AlertEngineDependencies,
  window: { start: string; end: string },
  { key, signal, variants }: KeyedSignal,
  initial: AlertStateRecord | undefined,
  policy: AlertPolicyOptionsInput,
  outcome: AlertOutcome,
): Promise<void> {
  let record = initial;
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    const transition = decideAlert(record?.state ?? NO_ALERT, signal, policy);
    if (transition.action === 'stay' && (transition.reason === 'stale-window' || (!record && transition.reason === 'quiet'))) return;
    let alertId = record?.alertId;
    let changed: Alert | undefined;
    if (transition.action === 'open') {
      changed = await openAlert(deps, key, signal, variants, window);
      alertId = changed.id;
    } else if (transition.action === 'resolve' && alertId !== undefined) {
      changed = await resolveByPolicy(deps, alertId, window.end);
      alertId = undefined;
    }
    const saved = await deps.alerts.saveState({ key, state: transition.state, alertId }, record?.revision ?? 0);
    if (saved) {
      if (changed) {
        (transition.action === 'open' ? outcome.opened : outcome.resolved).push(changed);
        deps.notifier.notify({ alert: changed, event: await eventFor(changed) });
      }
      return;
    }
    record = await deps.alerts.getState(key);
  }
  throw new Error(`alert state of ${alertKeyId(key)} kept changing under this monitor; the window will be retried`);
}

async function openAlert(
  deps: AlertEngineDependencies,
  key: KeyedSignal['key'],
  signal: AlertSignal,
  variants: readonly string[],
  window: { start: string; end: string },
): Promise<Alert> {
  const alert: Alert = {
    id: await alertIdFor(key, window.end),
    endpoint: key.endpoint,
    kind: key.kind,
    ...(key.feature !== undefined ? { feature: key.feature } : {}),
    status: 'open',
    value: signal.value,
    threshold: signal.threshold,
    variants,
    windowStart: window.start,
    windowEnd: window.end,
    summary: alertSummary(key, signal.value, signal.threshold),
    openedAt: window.end,
  };
  await deps.alerts.create(alert);
  const stored = (await deps.alerts.get(alert.id)) ?? alert;
  await deps.events.publish(await eventFor(alert));
  return stored;
}

async function resolveByPolicy(deps: AlertEngineDependencies, alertId: string, at: string): Promise<Alert | undefined> {
  const resolved = (await deps.alerts.transition(alertId, 'resolved', at, ['open', 'acknowledged'], 'policy')) ?? (await deps.alerts.get(alertId));
  // Resolved by hand already: that resolve sent its own event.
  if (!resolved || resolved.resolvedBy === 'user') return undefined;
  await deps.events.publish(await eventFor(resolved));
  return resolved;
}

/** The CloudEvent of an alert's latest transition (opened, or resolved). */
export function eventFor(alert: Alert) {
  const subject = { alertId: alert.id, endpoint: alert.endpoint, kind: alert.kind, ...(alert.feature !== undefined ? { feature: alert.feature } : {}) };
  return alert.status === 'resolved'
    ? alertResolvedEvent({ ...subject, by: alert.resolvedBy ?? 'policy' }, { time: alert.resolvedAt ?? alert.openedAt })
    : alertOpenedEvent({ ...subject, value: alert.value, threshold: alert.threshold }, { time: alert.openedAt });
}
