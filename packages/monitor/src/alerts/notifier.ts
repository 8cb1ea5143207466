import type { CloudEvent, Alert } from '@flywheel/core';

export interface AlertNotification {
  readonly alert: Alert;
  readonly event: CloudEvent;
}

/**
 * Tells people about alerts opening and resolving. `notify` must not block or throw: delivery
 * happens in the background, and `settle` waits (bounded) for what is in flight, which a Lambda
 * handler does before returning so a frozen container does not strand a delivery.
 */
export interface AlertNotifier {
  notify(notification: AlertNotification): void;
  settle(maxWaitMs: number): Promise<void>;
}

export const NO_NOTIFIER: AlertNotifier = { notify: () => undefined, settle: async () => undefined };
