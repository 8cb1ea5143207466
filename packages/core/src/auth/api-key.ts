/**
 * API keys. Generated keys read `fw_<id>_<secret>`; an operator-chosen key (the local admin key
 * from FLYWHEEL_ADMIN_KEY) may be any string of 16+ characters, its id then derived from its hash.
 * Only a hash of the whole key is stored; the id finds the record.
 */

import type { RateLimit } from './rate-limit.ts';

export const scopes = ['predict', 'read', 'deploy', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export interface StoredApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  /** Hex sha256 of the whole key. */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
  /** After this instant the key is refused. */
  expiresAt?: string;
  /** When set, the key may only call routes about these resources (`endpoint:<name>`, `model:<name>`). */
  resources?: string[];
  /** The secret a rotation replaced, still accepted until `validUntil` so callers can switch over. */
  previousSecret?: { hash: string; validUntil: string };
  rotatedAt?: string;
  /** Requests per second with a burst; none means unlimited. */
  rateLimit?: RateLimit;
  /** Best effort: refreshed when a process first verifies the key, at most once per auth cache TTL. */
  lastUsedAt?: string;
}

export interface ApiKeyRotation {
  secretHash: string;
  previousSecret: { hash: string; validUntil: string };
  rotatedAt: string;
}

export interface ApiKeyStore {
  get(id: string): Promise<StoredApiKey | undefined>;
  /** Fails if the id exists: ids are random, a clash means a bug, not a retry. */
  create(key: StoredApiKey): Promise<void>;
  list(): Promise<StoredApiKey[]>;
  revoke(id: string, at: string): Promise<StoredApiKey | undefined>;
  /**
   * Replaces the secret if it is still `expectedSecretHash` (two rotations racing: one wins) and
   * the key is not revoked; undefined when there is no such key or the condition failed.
   */
  rotate(id: string, rotation: ApiKeyRotation, expectedSecretHash: string): Promise<StoredApiKey | undefined>;
  touch(id: string, at: string): Promise<void>;
}

const generatedKeyPattern = /^fw_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const chosenKeyPattern = /^[\x21-\x7e]{16,256}$/;
export const minimumChosenKeyLength = 16;

/** The record id a presented key names, or undefined when it cannot be a key at all. */
export async function apiKeyId(presented: string): Promise<string | undefined> {
  const generated = generatedKeyPattern.exec(presented);
  if (generated) return generated[1];
  if (!chosenKeyPattern.test(presented)) return undefined;
  return `k${(await sha256Hex(`id:${presented}`)).slice(0, 11)}`;
}

/** Longest a rotated-out secret stays valid; the default grace is an hour. */
export const maxRotationGraceSeconds = 7 * 24 * 3600;
export const defaultRotationGraceSeconds = 3600;

/** A new secret for an existing key: the id stays, so the key's record, scopes and history do too. */
export async function rotateApiKey(record: StoredApiKey, graceSeconds: number, now: Date = new Date()): Promise<{ key: string; rotation: ApiKeyRotation }> {
  const key = `fw_${record.id}_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  return {
    key,
    rotation: {
      secretHash: await sha256Hex(key),
      previousSecret: { hash: record.secretHash, validUntil: new Date(now.getTime() + graceSeconds * 1000).toISOString() },
      rotatedAt: now.toISOString(),
    },
  };
}

/** Generated keys carry their id; an operator-chosen key's id is derived from the key itself. */
export function isGeneratedKeyId(id: string): boolean {
  return /^[a-z0-9]{12}$/.test(id);
}

/** The record for a key chosen by an operator rather than generated. */
export async function chosenApiKeyRecord(key: string, name: string, keyScopes: Scope[], now = new Date()): Promise<StoredApiKey> {
  const id = await apiKeyId(key);
  if (!id) throw new Error(`an API key must be ${minimumChosenKeyLength} to 256 printable characters without spaces`);
  return { id, name, scopes: keyScopes, secretHash: await sha256Hex(key), createdAt: now.toISOString() };
}

/** A new key and the record to store; the plain key is shown once and never kept. */
export async function generateApiKey(
  name: string,
  keyScopes: Scope[],
  now: Date = new Date(),
  limits: { expiresAt?: string; resources?: string[]; rateLimit?: RateLimit } = {},
): Promise<{ key: string; record: StoredApiKey }> {
  const id = randomAlphanumeric(12);
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `fw_${id}_${secret}`;
  const record: StoredApiKey = { id, name, scopes: keyScopes, secretHash: await sha256Hex(key), createdAt: now.toISOString() };
  if (limits.expiresAt) record.expiresAt = limits.expiresAt;
  if (limits.resources?.length) record.resources = limits.resources;
  if (limits.rateLimit) record.rateLimit = limits.rateLimit;
  return { key, record };
}

/**
 * The stored record for `presented`, if the key is valid: not revoked, not expired, and the
 * current secret or a rotated-out one within its grace period.
 */
export async function verifyApiKey(presented: string, store: Pick<ApiKeyStore, 'get'>, now: Date = new Date()): Promise<StoredApiKey | undefined> {
  return (await verifyApiKeyUntil(presented, store, now))?.key;
}

/** `verifyApiKey`, and until when (epoch ms) the answer holds: the key's expiry, or a rotated-out secret's grace. */
export async function verifyApiKeyUntil(
  presented: string,
  store: Pick<ApiKeyStore, 'get'>,
  now: Date = new Date(),
): Promise<{ key: StoredApiKey; validUntil: number } | undefined> {
  const id = await apiKeyId(presented);
  if (!id) return undefined;
  const record = await store.get(id);
  if (!record || record.revokedAt || !isUnexpired(record, now.getTime())) return undefined;
  const expiry = record.expiresAt === undefined ? Infinity : Date.parse(record.expiresAt);
  const hash = await sha256Hex(presented);
  if (constantTimeEqual(hash, record.secretHash)) return { key: record, validUntil: expiry };
  const previous = record.previousSecret;
  const graceEnds = previous ? Date.parse(previous.validUntil) : 0;
  return previous && graceEnds > now.getTime() && constantTimeEqual(hash, previous.hash) ? { key: record, validUntil: Math.min(expiry, graceEnds) } : undefined;
}

export function isUnexpired(record: Pick<StoredApiKey, 'expiresAt'>, nowMs: number): boolean {
  return record.expiresAt === undefined || Date.parse(record.expiresAt) > nowMs;
}

/**
 * The resource a request path is about, in the form key limits name: `endpoint:<name>` for
 * endpoint routes and every serving protocol (OIP and KServe V1 name the endpoint), `model:<name>`
 * for registry routes; undefined for routes about no single resource (lists, alerts, keys, runs).
 */
export function resourceOfPath(path: string): string | undefined {
  const match = /^\/v1\/endpoints\/([^/]+)|^\/v2\/models\/([^/]+)|^\/v1\/models\/([^/:]+):predict$|^\/v1\/models\/([^/]+)/.exec(path);
  if (!match) return undefined;
  const [, endpoint, oipEndpoint, kserveEndpoint, model] = match;
  const name = endpoint ?? oipEndpoint ?? kserveEndpoint;
  return name !== undefined ? `endpoint:${safeDecode(name)}` : `model:${safeDecode(model)}`;
}

/** A key without limits may touch anything; a limited one only the resources it names. */
export function resourceAllows(key: Pick<StoredApiKey, 'resources'>, resource: string | undefined): boolean {
  if (!key.resources?.length) return true;
  return resource !== undefined && key.resources.includes(resource);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `admin` implies every scope. */
export function scopeAllows(granted: readonly Scope[], required: Scope): boolean {
  return granted.includes('admin') || granted.includes(required);
}

/** Compares without an early exit, so timing does not reveal how much of a hash matched. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function randomAlphanumeric(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 256 % 36 = 4: the bias toward the first four letters is irrelevant for an id that is not secret.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
