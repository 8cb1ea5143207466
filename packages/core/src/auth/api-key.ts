/**
 * API keys. Generated keys read `fw_<id>_<secret>`; an operator-chosen key (the local admin key
 * from FLYWHEEL_ADMIN_KEY) may be any string of 16+ characters, its id then derived from its hash.
 * Only a hash of the whole key is stored; the id finds the record.
 */

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
}

export interface ApiKeyStore {
  get(id: string): Promise<StoredApiKey | undefined>;
  /** Fails if the id exists: ids are random, a clash means a bug, not a retry. */
  create(key: StoredApiKey): Promise<void>;
  list(): Promise<StoredApiKey[]>;
  revoke(id: string, at: string): Promise<StoredApiKey | undefined>;
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
): Promise<{ key: string; record: StoredApiKey }> {
  const id = randomAlphanumeric(12);
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const key = `fw_${id}_${secret}`;
  return { key, record: { id, name, scopes: keyScopes, secretHash: await sha256Hex(key), createdAt: now.toISOString() } };
}

/** The stored record for `presented`, if the key is valid and not revoked. */
export async function verifyApiKey(presented: string, store: Pick<ApiKeyStore, 'get'>): Promise<StoredApiKey | undefined> {
  const id = await apiKeyId(presented);
  if (!id) return undefined;
  const record = await store.get(id);
  if (!record || record.revokedAt) return undefined;
  return constantTimeEqual(await sha256Hex(presented), record.secretHash) ? record : undefined;
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
