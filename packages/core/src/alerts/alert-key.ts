export type AlertKind = 'drift' | 'quality' | 'error_rate' | 'latency' | 'performance';

/** What an alert is about. At most one alert per key is open at a time. */
export interface AlertKey {
  readonly endpoint: string;
  readonly kind: AlertKind;
  /** The column, for drift and quality alerts; the metric (`accuracy`, `estimated_accuracy`, `rmse`) for performance alerts. */
  readonly feature?: string;
}

/** A stable string for the key (storage key, deduplication): `endpoint/kind/feature`, each part URI-encoded. */
export function alertKeyId(key: AlertKey): string {
  return [key.endpoint, key.kind, key.feature ?? ''].map(encodeURIComponent).join('/');
}
