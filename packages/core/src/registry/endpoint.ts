import type { GuardrailNumbers, GuardrailVerdict } from '../guardrails/decision.ts';
import { initialAllocation, reallocate, type Allocation, type VariantWeight } from '../routing/allocation.ts';
import type { EndpointConfig } from '../routing/endpoint-config.ts';

export type EndpointChangeKind = 'create' | 'update' | 'rollback' | 'promote' | 'guardrail-rollback' | 'guardrail';

/** A guardrail's rollback or promotion and the evidence for it, kept on the config version it wrote. */
export interface GuardrailDecisionRecord {
  action: 'rollback' | 'promote';
  verdict: GuardrailVerdict;
  control: string;
  candidate: string;
  /** The config version the judged step began with: the evidence is the traffic served under it and its successors. */
  stepStartedAt: number;
  /** The weights before the change (the new ones are the config's). */
  previousWeights: VariantWeight[];
  numbers: GuardrailNumbers;
}

/** Why a config version exists; guardrails and pipelines add their own kinds with a reason. */
export interface EndpointChange {
  kind: EndpointChangeKind;
  /** For a rollback: the config version restored. */
  restoredFrom?: number;
  reason?: string;
  /** The API key (or component) that made the change. */
  actor?: string;
  /** For kind `guardrail`: what was decided, on which numbers. */
  decision?: GuardrailDecisionRecord;
}

/**
 * One version of an endpoint's config. Versions are never rewritten: the newest one is the
 * endpoint, the older ones are its history.
 */
export interface EndpointRecord {
  endpoint: string;
  /** Counts from 1 per endpoint. */
  configVersion: number;
  etag: string;
  /** Random per endpoint and kept for its lifetime, so units keep their buckets across changes. */
  salt: string;
  config: EndpointConfig;
  /** Which buckets each variant owns. */
  allocation: Allocation;
  change: EndpointChange;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointChangeRequest {
  config: EndpointConfig;
  change: EndpointChange;
  /** Taken as is (a rollback restores the earlier layout); otherwise derived from the weights. */
  allocation?: Allocation;
}

/**
 * The next version of an endpoint after `previous` (undefined when creating it). A new layout is
 * derived from the previous one so that a variant whose weight grows keeps every unit it had.
 */
export function nextEndpointRecord(
  endpoint: string,
  previous: EndpointRecord | undefined,
  request: EndpointChangeRequest,
  now: string,
  newSalt: () => string = randomSalt,
): EndpointRecord {
  const weights = request.config.variants.map(({ name, weight }) => ({ name, weight }));
  const allocation = request.allocation ?? (previous ? reallocate(previous.allocation, weights) : initialAllocation(weights));
  const salt = previous?.salt ?? newSalt();
  const configVersion = (previous?.configVersion ?? 0) + 1;
  return {
    endpoint,
    configVersion,
    etag: endpointEtag(configVersion, salt),
    salt,
    config: request.config,
    allocation,
    change: request.change,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
}

// The salt tells apart two endpoints that once had the same name, so an ETag from before a
// delete and re-create cannot match.
export function endpointEtag(configVersion: number, salt: string): string {
  return `"${configVersion}-${salt.slice(0, 8)}"`;
}

export type PreconditionResult = 'ok' | 'missing' | 'stale';

/**
 * RFC 9110 If-Match against the current version of a versioned resource (an endpoint config, a
 * feature view): required to change an existing one, `*` matches any existing one, and a list matches if one tag matches (strongly).
 * Creating an endpoint needs no precondition, but one that is given must hold.
 */
export function checkIfMatch(header: string | undefined, current: { etag: string } | undefined): PreconditionResult {
  if (header === undefined || header.trim() === '') return current ? 'missing' : 'ok';
  if (!current) return 'stale';
  const tags = header.split(',').map((tag) => tag.trim());
  return tags.includes('*') || tags.includes(current.etag) ? 'ok' : 'stale';
}

/** 128 random bits, hex. */
export function randomSalt(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
