import type { DatasetRef } from './dataset-version.ts';

/** What a training dataset was, precisely enough to tell whether two runs trained on the same data. */
export interface DatasetManifest {
  /** Hex sha256 of the canonical dataset bytes (NDJSON of the examples in time order, keys sorted). */
  readonly sha256: string;
  readonly rows: number;
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly timeRange: { readonly from: string; readonly to: string };
  readonly features: readonly string[];
  /** Rows per class for classification; summary statistics for regression. */
  readonly labels:
    | { readonly kind: 'classes'; readonly counts: Readonly<Record<string, number>> }
    | { readonly kind: 'values'; readonly mean: number; readonly std: number; readonly min: number; readonly max: number };
  /** Features taken point-in-time from feature views (packages/train/src/feature-views.ts), one entry per view. */
  readonly featureViews?: readonly DatasetFeatureView[];
}

/** How a dataset's view-backed features were joined. */
export interface DatasetFeatureView {
  readonly view: string;
  /** The view's version at the join. */
  readonly version: number;
  readonly entity: string;
  readonly features: readonly string[];
  /** Examples that carried the entity key, so were joined. */
  readonly rows: number;
  /** Of those, the ones a row of the view answered (the others kept their logged values). */
  readonly matched: number;
}

/** Where a model version came from; registered with the version. */
export interface Lineage {
  readonly runId: string;
  /** The registered dataset version the model was trained on. */
  readonly dataset?: DatasetRef;
  readonly manifestSha256: string;
  readonly rows: number;
  readonly timeRange: { readonly from: string; readonly to: string };
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly parentVersion?: number;
  readonly triggeringEventId?: string;
}
