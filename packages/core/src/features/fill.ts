import type { Feature } from '../registry/metadata.ts';
import { entityKey } from './rows.ts';
import type { FeatureValue } from './rows.ts';

/** The features a model version takes from one view. */
export interface ViewNeed {
  view: string;
  features: string[];
}

/** The views a model version's features name, each with the features it supplies. */
export function viewNeeds(features: readonly Feature[] | undefined): ViewNeed[] {
  const byView = new Map<string, string[]>();
  for (const feature of features ?? []) {
    if (feature.view === undefined) continue;
    const names = byView.get(feature.view) ?? [];
    names.push(feature.name);
    byView.set(feature.view, names);
  }
  return [...byView].map(([view, names]) => ({ view, features: names }));
}

const missing = (value: unknown) => value === undefined || value === null;

/** The entity keys of the records that leave out one of the view's features: what must be looked up. */
export function entitiesToLookUp(records: readonly Record<string, unknown>[], entity: string, need: ViewNeed): string[] {
  const keys = new Set<string>();
  for (const record of records) {
    if (!need.features.some((name) => missing(record[name]))) continue;
    const key = entityKey(record[entity]);
    if (key !== undefined) keys.add(key);
  }
  return [...keys];
}

/**
 * The records with the view's features filled in from `found` (values by entity key) where a
 * record leaves them out; a value the record carries wins. Records are copied, never changed.
 */
export function fillFromView(
  records: readonly Record<string, unknown>[],
  entity: string,
  need: ViewNeed,
  found: ReadonlyMap<string, Readonly<Record<string, FeatureValue>>>,
): Record<string, unknown>[] {
  return records.map((record) => {
    const key = entityKey(record[entity]);
    const values = key === undefined ? undefined : found.get(key);
    if (!values || !need.features.some((name) => missing(record[name]))) return record;
    const filled: Record<string, unknown> = { ...record };
    for (const name of need.features) if (missing(filled[name])) filled[name] = values[name] ?? null;
    return filled;
  });
}
