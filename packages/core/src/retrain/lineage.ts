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
  /**
   * Erasures that removed rows from the dataset since it was recorded. `sha256` and the counts
   * stay those of the data the run trained on; the stored rows are that minus these.
   */
  readonly erasures?: readonly { readonly erasureId: string; readonly rows: number; readonly at: string }[];
}

/** Where a model version came from; registered with the version. */
export interface Lineage {
  readonly runId: string;
  readonly manifestSha256: string;
  readonly rows: number;
  readonly timeRange: { readonly from: string; readonly to: string };
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly parentVersion?: number;
  readonly triggeringEventId?: string;
}
