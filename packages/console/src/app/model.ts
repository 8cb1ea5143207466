// The API's shapes as the console reads them (see /work API.md); only the fields it shows.
import type { EndpointConfig } from '@flywheel/core';

export interface EndpointView {
  endpoint: string;
  configVersion: number;
  etag: string;
  config: EndpointConfig;
  change: { kind: string; restoredFrom?: number; reason?: string; actor?: string };
  createdAt: string;
  updatedAt: string;
}

export interface ServingHealth {
  requests: number;
  errors: number;
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ColumnDrift {
  name: string;
  kind: string;
  method: string;
  statistic: number | null;
  pValue?: number;
  threshold: number;
  drifted: boolean;
  count: number;
  /** Too few rows to be flagged, whatever the statistic says. */
  insufficientData: boolean;
}

export interface DriftView {
  window: { from: string; to: string; count: number };
  health: ServingHealth;
  drifted: boolean;
  features: ColumnDrift[];
  predictions: ColumnDrift[];
  /** With ?feature=: that column's reference and current shares (null without traffic). */
  distribution?: FeatureDistribution | null;
}

/** Shares per bin: numerical bins below edges[0], between consecutive edges, above the last; categories, then other, then new. */
export type FeatureDistribution =
  | { name: string; kind: 'numerical'; edges: number[]; reference: number[]; current: number[]; referenceCount: number; currentCount: number }
  | { name: string; kind: 'categorical'; categories: string[]; reference: number[]; current: number[]; referenceCount: number; currentCount: number };

export interface ClassificationFigures {
  rows: number;
  accuracy: number | null;
}
export interface RegressionFigures {
  rows: number;
  mae: number | null;
  rmse: number | null;
}
export interface PerformanceFigures {
  realized: ClassificationFigures | RegressionFigures | null;
  estimated: ClassificationFigures | null;
}

export interface PerformanceView {
  series: Array<
    PerformanceFigures & {
      variant: string;
      model: string;
      version: number;
      reference: { accuracy?: number; rmse?: number; mae?: number } | null;
      windows: Array<PerformanceFigures & { from: string; to: string }>;
    }
  >;
}

export interface Alert {
  id: string;
  endpoint: string;
  kind: string;
  feature?: string;
  status: 'open' | 'acknowledged' | 'resolved';
  value: number;
  threshold: number;
  summary: string;
  openedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
}
