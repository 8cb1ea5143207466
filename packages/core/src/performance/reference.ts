/**
 * The performance a model version is expected to have: what its training measured on the holdout
 * (`lineage.metrics.challenger`, as the built-in trainer registers it; any version may be
 * registered with it). Undefined when the version carries none.
 */
export interface ReferencePerformance {
  readonly accuracy?: number;
  readonly auc?: number;
  readonly rmse?: number;
  readonly mae?: number;
}

export function referencePerformance(lineage: Readonly<Record<string, unknown>> | undefined): ReferencePerformance | undefined {
  const metrics = (lineage?.metrics as Record<string, unknown> | undefined)?.challenger;
  if (typeof metrics !== 'object' || metrics === null) return undefined;
  const reference: Record<string, number> = {};
  for (const name of ['accuracy', 'auc', 'rmse', 'mae'] as const) {
    const value = (metrics as Record<string, unknown>)[name];
    if (typeof value === 'number' && Number.isFinite(value)) reference[name] = value;
  }
  return Object.keys(reference).length > 0 ? reference : undefined;
}
