import type { AsOfValues } from './as-of.ts';
import type { FeatureRow } from './rows.ts';
import type { FeatureViewDefinition, FeatureViewRecord } from './view.ts';

/** Feature view definitions and their history (versions are appended, never rewritten). */
export interface FeatureViewStore {
  current(view: string): Promise<FeatureViewRecord | undefined>;
  /** Writes the record if its version does not exist yet; false when another change got there first. */
  append(record: FeatureViewRecord): Promise<boolean>;
  /** Newest first. */
  history(view: string, options?: { limit?: number; before?: number }): Promise<FeatureViewRecord[]>;
  list(): Promise<FeatureViewRecord[]>;
}

/** The latest row per entity per view, read on the predict path. */
export interface OnlineFeatureStore {
  /** Keeps each row unless the entity already has a newer one. */
  write(view: string, rows: readonly FeatureRow[]): Promise<void>;
  latest(view: string, entityIds: readonly string[]): Promise<Map<string, FeatureRow>>;
  /** Deletes the entity's latest row; whether there was one. */
  erase(view: string, entityId: string): Promise<boolean>;
}

/** A row asked for by a historical join. */
export interface SpineRow {
  entityId: string;
  eventTimeMs: number;
}

/** Every row ever ingested, for point-in-time joins. */
export interface OfflineFeatureStore {
  append(view: string, rows: readonly FeatureRow[], ingestedAtMs: number): Promise<void>;
  /** One answer per spine row, in order. */
  historical(view: string, definition: FeatureViewDefinition, spine: readonly SpineRow[]): Promise<AsOfValues[]>;
  /** Rewrites the stored rows without the entity's; how many stored files held some. */
  erase(view: string, entityId: string): Promise<number>;
}
