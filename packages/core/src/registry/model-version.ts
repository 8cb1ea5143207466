import type { Feature, Task } from './metadata.ts';
import type { ModelSignature } from './signature.ts';

/** One registered version of a model: immutable once written. */
export interface ModelVersion {
  model: string;
  /** Counts from 1 per model. */
  version: number;
  /** Hex sha256 of the artifact; the artifact lives at `models/sha256/<sha256>.onnx`. */
  sha256: string;
  sizeBytes: number;
  signature: ModelSignature;
  /** What of the graph is not served and why, e.g. a ZipMap output left out. */
  notes: string[];
  description?: string;
  features?: Feature[];
  task?: Task;
  lineage: Record<string, unknown>;
  tags?: Record<string, string>;
  createdAt: string;
}

/** A version before the registry numbers it. */
export type ModelVersionDraft = Omit<ModelVersion, 'version'>;

/** One move of an alias; the newest revision is where the alias points. */
export interface AliasChange {
  model: string;
  alias: string;
  version: number;
  previousVersion?: number;
  /** Counts from 1 per alias. */
  revision: number;
  changedAt: string;
  /** The API key that moved it. */
  actor?: string;
  /** Why (a rollback of the alias says so here). */
  reason?: string;
}

/** What an endpoint variant (or shadow) names: a fixed version or an alias. */
export interface ModelTarget {
  model: string;
  version?: number | undefined;
  alias?: string | undefined;
}

export function describeTarget(target: ModelTarget): string {
  return target.version !== undefined ? `${target.model} version ${target.version}` : `${target.model} alias ${target.alias}`;
}
