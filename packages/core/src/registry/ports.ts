import type { EndpointRecord } from './endpoint.ts';
import type { GovernanceRecord } from './governance.ts';
import type { AliasChange, ModelVersion, ModelVersionDraft } from './model-version.ts';

/** Models, their versions and aliases. */
export interface ModelRegistry {
  /**
   * Numbers and stores a version, or returns the one already registered with the same bytes
   * (`created: false`). Concurrent registrations of different bytes get distinct numbers.
   * Throws RegistrationInProgressError when the same bytes are being registered and that takes too long.
   */
  register(draft: ModelVersionDraft): Promise<{ version: ModelVersion; created: boolean }>;
  /** Undefined for a version never registered, and for a deleted one. */
  getVersion(model: string, version: number): Promise<ModelVersion | undefined>;
  /** The newest version not deleted. */
  latestVersion(model: string): Promise<ModelVersion | undefined>;
  /** Oldest first; deleted versions left out. */
  listVersions(model: string): Promise<ModelVersion[]>;
  /**
   * Hides a version from every read: it is no longer served, listed or found, and its bytes
   * registered again are refused (VersionDeletedError) rather than numbered anew. Its number is never reused.
   */
  markDeleted(model: string, version: number, deleted: { at: string; actor: string; reason: string }): Promise<void>;
  /** Names of every model with at least one version. */
  listModels(): Promise<string[]>;
  /** Points the alias at a version (which the caller has checked exists) and records the move. */
  moveAlias(model: string, alias: string, version: number, options: { at: string; actor?: string; reason?: string }): Promise<AliasChange>;
  getAlias(model: string, alias: string): Promise<AliasChange | undefined>;
  /** Every move of the alias, newest first. */
  aliasHistory(model: string, alias: string): Promise<AliasChange[]>;
  /** Where each of the model's aliases points now. */
  listAliases(model: string): Promise<AliasChange[]>;
}

/**
 * The governance of model versions (stage, tags, deletion), a chain of revisions per version.
 * A version with no revision yet is in its initial state (`initialGovernance`).
 */
export interface GovernanceStore {
  /** The newest revision of each of the model's versions that has one. */
  current(model: string): Promise<GovernanceRecord[]>;
  /** Newest first. */
  history(model: string, version: number): Promise<GovernanceRecord[]>;
  /** Stores the revision unless that revision already exists, in one conditional write; false means another change got there first. */
  append(record: GovernanceRecord): Promise<boolean>;
}

/** Endpoint configs, each change a new version. */
export interface EndpointStore {
  current(endpoint: string): Promise<EndpointRecord | undefined>;
  get(endpoint: string, configVersion: number): Promise<EndpointRecord | undefined>;
  /**
   * Stores the record as its `configVersion` unless that version already exists, in one
   * conditional write; false means another change got there first.
   */
  append(record: EndpointRecord): Promise<boolean>;
  /** Newest first; `before` pages back from a config version. */
  history(endpoint: string, options?: { limit?: number; before?: number }): Promise<EndpointRecord[]>;
  /** The current version of every endpoint. */
  list(): Promise<EndpointRecord[]>;
}

/** A staged upload: one presigned PUT, or a multipart upload with a presigned PUT per part (and one DELETE that aborts it). */
export type StagedUpload =
  | { key: string; expiresAt: string; uploadUrl: string }
  | { key: string; expiresAt: string; uploadId: string; partBytes: number; parts: { partNumber: number; uploadUrl: string }[]; abortUrl: string };

/** A part as its PUT answered: its number and the ETag the response carried. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export type UploadCompletion = { status: 'completed' } | { status: 'missing' } | { status: 'invalid'; reason: string };

export type UploadRead = { status: 'found'; bytes: Uint8Array } | { status: 'missing' } | { status: 'too-large'; sizeBytes: number };

/** Model bytes, content-addressed, and the staging area of presigned uploads. */
export interface ArtifactStore {
  /** Stores bytes under their sha256; storing the same bytes again changes nothing. */
  putModel(sha256: string, bytes: Uint8Array): Promise<void>;
  getModel(sha256: string): Promise<Uint8Array>;
  /**
   * Where the caller PUTs the artifact, and the key to register it by: one URL, or, for an
   * artifact of `sizeBytes` larger than one part, a URL per part of a multipart upload.
   */
  createUpload(model: string, options: { expiresInSeconds: number; sizeBytes?: number }): Promise<StagedUpload>;
  /** Assembles a multipart upload from its uploaded parts; one that cannot be completed is aborted, its parts deleted. */
  completeUpload(model: string, key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion>;
  /** An uploaded artifact of `model`; a key outside that model's uploads reads as missing. */
  readUpload(model: string, key: string, maxBytes: number): Promise<UploadRead>;
  deleteUpload(key: string): Promise<void>;
}
