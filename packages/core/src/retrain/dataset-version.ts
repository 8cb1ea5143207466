import { z } from 'zod';
import { resourceNameSchema } from '../registry/names.ts';
import type { DatasetManifest } from './lineage.ts';

/** What names a training dataset: its name (the model's), its version, and the hash of its bytes. */
export interface DatasetRef {
  readonly name: string;
  readonly version: number;
  readonly sha256: string;
}

/** A retrain request's choice of dataset: a registered version to train on instead of fresh logs. */
export const datasetRequestSchema = z.strictObject({ name: resourceNameSchema, version: z.int().min(1) });
export type DatasetRequest = z.output<typeof datasetRequestSchema>;

/** The columns of a dataset and what its label is. */
export interface DatasetSchema {
  readonly features: readonly { readonly name: string; readonly kind: 'numerical' | 'categorical'; readonly categories?: readonly (string | number)[] }[];
  readonly label: { readonly task: 'binary-classification' | 'multiclass-classification' | 'regression'; readonly classes?: readonly (string | number)[] };
}

/**
 * A registered training dataset: content-addressed (the same bytes are always the same version),
 * immutable, its bytes at `datasets/sha256/<sha256>.ndjson.gz`.
 */
export interface DatasetVersion {
  readonly name: string;
  /** Counts from 1 per name; a number lost to a race of two registrations of the same bytes is skipped. */
  readonly version: number;
  /** Hex sha256 of the canonical bytes (NDJSON, one example per line in time order, keys sorted). */
  readonly sha256: string;
  readonly rows: number;
  /** Length of the canonical bytes. */
  readonly sizeBytes: number;
  readonly schema: DatasetSchema;
  readonly labels: DatasetManifest['labels'];
  /** When the examples were predicted: the first and last row's time. */
  readonly timeRange: DatasetManifest['timeRange'];
  /** Where the rows came from: an endpoint's logs over a window, and the earlier dataset merged in, if any. */
  readonly source: {
    readonly endpoint?: string;
    readonly window?: { readonly from: string; readonly to: string };
    readonly merged?: DatasetRef;
  };
  /** Who made it (the run) and when: the first registration; the same bytes again keep these. */
  readonly createdBy: { readonly runId: string };
  readonly createdAt: string;
  /**
   * Erasures by subject that removed rows from the stored bytes since. `sha256`, `rows` and the
   * rest stay those of the data runs trained on; the stored rows are that minus these.
   */
  readonly erasures?: readonly DatasetErasure[];
}

/** Rows an erasure removed from a dataset version's stored bytes. */
export interface DatasetErasure {
  readonly erasureId: string;
  readonly rows: number;
  readonly at: string;
}

export type DatasetVersionDraft = Omit<DatasetVersion, 'version'>;

export function datasetRef(dataset: Pick<DatasetVersion, 'name' | 'version' | 'sha256'>): DatasetRef {
  return { name: dataset.name, version: dataset.version, sha256: dataset.sha256 };
}

/** `name:version`, as lineage and logs write a dataset version. */
export const describeDataset = (dataset: Pick<DatasetRef, 'name' | 'version'>) => `${dataset.name}:${dataset.version}`;

/** Dataset versions by name. */
export interface DatasetRegistry {
  /** Numbers and stores a version, or returns the one that already has these bytes (`created: false`). */
  register(draft: DatasetVersionDraft): Promise<{ dataset: DatasetVersion; created: boolean }>;
  get(name: string, version: number): Promise<DatasetVersion | undefined>;
  /** Oldest first. */
  listVersions(name: string): Promise<DatasetVersion[]>;
  /** Every name with at least one version. */
  listNames(): Promise<string[]>;
  /** Records on every version whose bytes hash to `sha256` that an erasure removed rows (once per erasure). */
  markErased(sha256: string, erasure: DatasetErasure): Promise<void>;
}

/** The bytes of dataset versions, by sha256. */
export interface DatasetObjects {
  /** Stores the canonical bytes; storing the same bytes again changes nothing. */
  put(sha256: string, canonicalBytes: Uint8Array): Promise<void>;
  /** The examples (parsed lines), or undefined when no bytes are stored under the hash. */
  lines(sha256: string): Promise<unknown[] | undefined>;
  /** A URL that GETs the gzipped NDJSON for a while. */
  downloadUrl(sha256: string, options: { expiresInSeconds: number }): Promise<{ url: string; expiresAt: string }>;
}
