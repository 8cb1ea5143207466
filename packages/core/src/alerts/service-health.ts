import { z } from 'zod';
import type { AlertKind } from './alert-key.ts';
import type { AlertSignal } from './alert-policy.ts';

export const ServiceHealthThresholdsSchema = z.object({
  /** Errors / requests above which a window breaches. */
  maxErrorRate: z.number().min(0).max(1).default(0.05),
  /** p95 latency (ms) above which a window breaches. */
  maxP95LatencyMs: z.number().positive().default(1000),
  /**
   * Fewer requests than this tell too little to judge (two failures of three are not a 66 %
   * error rate): such windows count as clean, so an alert can still resolve when traffic stops.
   */
  minRequests: z.number().int().min(1).default(20),
});
export type ServiceHealthThresholds = z.output<typeof ServiceHealthThresholdsSchema>;
export type ServiceHealthThresholdsInput = z.input<typeof ServiceHealthThresholdsSchema>;

/** Serving statistics of one endpoint window (from its latency histogram). */
export interface ServiceWindowStats {
  /** ISO 8601 end of the window. */
  readonly windowEnd: string;
  readonly requests: number;
  readonly errors: number;
  /** Null when the window had no requests. */
  readonly p95LatencyMs: number | null;
}

export interface ServiceHealthSignal {
  readonly kind: Extract<AlertKind, 'error_rate' | 'latency'>;
  readonly signal: AlertSignal;
}

/** The window's error-rate and latency signals, ready for `decideAlert`. */
export function serviceHealthSignals(stats: ServiceWindowStats, thresholds: ServiceHealthThresholdsInput = {}): ServiceHealthSignal[] {
  const { maxErrorRate, maxP95LatencyMs, minRequests } = ServiceHealthThresholdsSchema.parse(thresholds);
  const enough = stats.requests >= minRequests;
  const errorRate = stats.requests > 0 ? stats.errors / stats.requests : 0;
  const p95 = stats.p95LatencyMs ?? 0;
  return [
    {
      kind: 'error_rate',
      signal: { breached: enough && errorRate > maxErrorRate, value: errorRate, threshold: maxErrorRate, windowEnd: stats.windowEnd },
    },
    {
      kind: 'latency',
      signal: { breached: enough && p95 > maxP95LatencyMs, value: p95, threshold: maxP95LatencyMs, windowEnd: stats.windowEnd },
    },
  ];
}
