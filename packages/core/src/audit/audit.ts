/**
 * The audit trail: one record per mutating control-plane request — who (the key), what (method,
 * path, the resource it names, the config version or ETag before and after), when, and how it
 * ended. Records never carry bodies: no secrets, no feature values.
 */
export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly actor: { readonly keyId: string; readonly keyName: string };
  readonly method: string;
  readonly path: string;
  /** `endpoint:<name>` or `model:<name>` when the path names one. */
  readonly resource?: string;
  readonly status: number;
  readonly result: 'ok' | 'refused' | 'failed';
  /** What the request said it changed from (If-Match), and what it left (ETag or Location). */
  readonly before?: string;
  readonly after?: string;
}

export const MAX_AUDIT_PAGE = 500;
/** A page's `next`: the time and id of the last record it returned. */
export const AUDIT_CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f-]{36}$/;

export interface AuditQuery {
  readonly resource?: string;
  readonly actor?: string;
  /** Inclusive, ISO UTC. */
  readonly since?: string;
  readonly limit?: number;
  /** From a previous page's `next`. */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly records: AuditRecord[];
  readonly next?: string;
}

/** Append-only: a record is written once and never changed. */
export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditPage>;
}

export function auditResult(status: number): AuditRecord['result'] {
  return status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed';
}

// Data-plane requests change no configuration; they are counted in the prediction log, not here.
const DATA_PLANE = [/^\/v1\/endpoints\/[^/]+\/(predict|feedback)$/, /^\/v2\/models\/.+\/infer$/, /^\/v1\/models\/[^/]+:predict$/];

/** True for the requests the audit trail records: every mutating method outside the data plane. */
export function isAudited(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  return !DATA_PLANE.some((pattern) => pattern.test(path));
}
