import { acknowledgeAlert, resolveAlert, type AlertState, type EventPublisher, type AlertStore, type Alert, type AlertStatusName } from '@flywheel/core';
import { eventFor } from './alert-engine.ts';
import type { AlertNotifier } from './notifier.ts';

export type AlertActionResult = { status: 'ok'; alert: Alert } | { status: 'not-found' } | { status: 'conflict'; alert: Alert };

/**
 * What ops do with alerts by hand: list, acknowledge, resolve. Repeating an action is harmless
 * (acknowledging an acknowledged alert, resolving a resolved one, return it as is).
 */
export class AlertDesk {
  constructor(
    private readonly deps: { alerts: AlertStore; events: EventPublisher; notifier: AlertNotifier },
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(filter: { status?: AlertStatusName; endpoint?: string; limit?: number }): Promise<Alert[]> {
    return this.deps.alerts.list({ ...filter, limit: filter.limit ?? 100 });
  }

  get(id: string): Promise<Alert | undefined> {
    return this.deps.alerts.get(id);
  }

  async acknowledge(id: string): Promise<AlertActionResult> {
    const at = this.now().toISOString();
    const moved = await this.deps.alerts.transition(id, 'acknowledged', at, ['open']);
    if (!moved) return this.#settled(id, 'acknowledged');
    await this.#updateState(moved, (state) => acknowledgeAlert(state));
    return { status: 'ok', alert: moved };
  }

  async resolve(id: string): Promise<AlertActionResult> {
    const at = this.now().toISOString();
    const moved = await this.deps.alerts.transition(id, 'resolved', at, ['open', 'acknowledged'], 'user');
    if (!moved) return this.#settled(id, 'resolved');
    const event = await eventFor(moved);
    await this.deps.events.publish(event);
    // Starts the cool-down, so the monitor does not reopen what a person just closed.
    await this.#updateState(moved, (state) => resolveAlert(state, at), true);
    this.deps.notifier.notify({ alert: moved, event });
    return { status: 'ok', alert: moved };
  }

  async #settled(id: string, wanted: AlertStatusName): Promise<AlertActionResult> {
    const alert = await this.deps.alerts.get(id);
    if (!alert) return { status: 'not-found' };
    return alert.status === wanted ? { status: 'ok', alert } : { status: 'conflict', alert };
  }

  /** Mirrors a manual change into the policy state of the alert's key, if that state is still this alert's. */
  async #updateState(alert: Alert, change: (state: AlertState) => AlertState, clearAlert = false): Promise<void> {
    const key = { endpoint: alert.endpoint, kind: alert.kind, ...(alert.feature !== undefined ? { feature: alert.feature } : {}) };
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await this.deps.alerts.getState(key);
      if (!record || record.alertId !== alert.id || record.state.status === 'none') return;
      const saved = await this.deps.alerts.saveState({ key, state: change(record.state), alertId: clearAlert ? undefined : alert.id }, record.revision);
      if (saved) return;
    }
  }
}
