import { sha256Hex } from '../auth/api-key.ts';
import { alertKeyId, type AlertKey, type AlertKind } from './alert-key.ts';

export type AlertStatusName = 'open' | 'acknowledged' | 'resolved';
export const ALERT_STATUSES: readonly AlertStatusName[] = ['open', 'acknowledged', 'resolved'];

/** An alert as ops see it: one per (endpoint, kind, feature) at a time, from open to resolved. */
export interface Alert {
  readonly id: string;
  readonly endpoint: string;
  readonly kind: AlertKind;
  /** The column, for drift and quality alerts. */
  readonly feature?: string;
  readonly status: AlertStatusName;
  /** The measurement that crossed the threshold, in the window that opened the alert. */
  readonly value: number;
  readonly threshold: number;
  /** Variants whose windows breached. */
  readonly variants: readonly string[];
  /** The window that opened it. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly summary: string;
  readonly openedAt: string;
  readonly acknowledgedAt?: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: 'policy' | 'user';
}

/**
 * Deterministic: the alert a key opens at a window end has one id however often the window is
 * evaluated (redelivery, concurrent monitors), so creating it is idempotent.
 */
export async function alertIdFor(key: AlertKey, windowEnd: string): Promise<string> {
  return (await sha256Hex(`${alertKeyId(key)}\n${windowEnd}`)).slice(0, 24);
}

const describeKind: Record<AlertKind, string> = {
  drift: 'drift',
  quality: 'data quality',
  error_rate: 'error rate',
  latency: 'p95 latency',
  performance: 'performance drop',
};

export function alertSummary(key: AlertKey, value: number, threshold: number): string {
  const subject = key.feature ? `${describeKind[key.kind]} of ${key.feature}` : describeKind[key.kind];
  const unit = key.kind === 'latency' ? ' ms' : '';
  return `${key.endpoint}: ${subject} at ${round(value)}${unit} (threshold ${round(threshold)}${unit})`;
}

const round = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());
