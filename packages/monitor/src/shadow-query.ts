import { type WindowStore, mergeAgreementCounts, type AgreementCounts } from '@flywheel/core';

/** One shadow version's rows over a time range and how they compared with the primary's. */
export interface ShadowSummary {
  readonly name: string;
  readonly model: string;
  readonly version: number;
  /** Rows the shadow answered or failed on. */
  readonly count: number;
  /** Mirrored requests the shadow failed on. */
  readonly errors: number;
  /** Share of classified rows where shadow and primary predict the same class; null without any. */
  readonly argmaxAgreement: number | null;
  /** Mean over rows of the mean |shadow − primary| of their output values; null without any. */
  readonly meanAbsoluteDifference: number | null;
}

/** Per shadow name and version, the endpoint's shadow windows starting in [from, to) merged. */
export async function queryShadows(windows: Pick<WindowStore, 'list'>, query: { endpoint: string; from: string; to: string }): Promise<ShadowSummary[]> {
  const merged = new Map<string, { name: string; model: string; version: number; count: number; errors: number; agreement?: AgreementCounts }>();
  for (const { key, state } of await windows.list(query.endpoint, query.from, query.to, 'shadows')) {
    const id = `${key.variant}\u0000${key.model}\u0000${key.version}`;
    const entry = merged.get(id) ?? { name: key.variant, model: key.model, version: key.version, count: 0, errors: 0 };
    entry.count += state.records;
    entry.errors += state.health.errors;
    entry.agreement = mergeAgreementCounts(entry.agreement, state.agreement);
    merged.set(id, entry);
  }
  return [...merged.values()]
    .sort((a, b) => (a.name === b.name ? a.model.localeCompare(b.model) || a.version - b.version : a.name < b.name ? -1 : 1))
    .map(({ agreement, ...summary }) => ({
      ...summary,
      argmaxAgreement: agreement && agreement.classified > 0 ? agreement.agreed / agreement.classified : null,
      meanAbsoluteDifference: agreement && agreement.compared > 0 ? agreement.absDiffSum / agreement.compared : null,
    }));
}
