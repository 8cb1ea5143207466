import type { Context, MiddlewareHandler } from 'hono';
import {
  KeyRateLimiter,
  resourceAllows,
  resourceOfPath,
  scopeAllows,
  verifyApiKeyUntil,
  type ApiKeyStore,
  type RateDecision,
  type RateLimitLedger,
  type Scope,
  type StoredApiKey,
  TtlCache,
  jsonLogger,
  withFields,
  type Logger,
} from '@flywheel/core';
import { Problem } from './problem.ts';

export interface AuthOptions {
  /**
   * Verified keys are remembered this long, so a hot path does not read the store per request.
   * A key revoked or rotated through another process stops working here within this time.
   */
  cacheTtlMs?: number;
  /** Shares each key's rate limit between instances; without one, each process counts alone. */
  rateLimits?: RateLimitLedger;
  logger?: Logger;
}

export type AuthVariables = { apiKey: StoredApiKey };

const unauthenticated = (detail: string) => new Problem(401, detail, { headers: { 'www-authenticate': 'Bearer realm="flywheel"' } });
const BEARER = /^bearer\s+/i;

interface CachedKey {
  readonly key: StoredApiKey | undefined;
  /** Epoch ms after which this key is refused even while cached (its expiry, or a rotated-out secret's grace). */
  readonly validUntil: number;
}

/**
 * Resolves the bearer key once per request (cached briefly by the presented key) and returns a
 * `requireScope` middleware factory. Revocation and rotation through this process take effect at
 * once (`forget`); through another, within the cache TTL.
 */
export function createAuth(store: ApiKeyStore, options: AuthOptions = {}) {
  const ttl = options.cacheTtlMs ?? 10_000;
  const logger = withFields(options.logger ?? jsonLogger, { component: 'auth' });
  // No refresh ahead: a key is verified again (and its use recorded) once per TTL, on a miss.
  const cache = new TtlCache<CachedKey>({ ttlMs: ttl, refreshAfterMs: ttl });
  const limiter = new KeyRateLimiter(options.rateLimits);

  // A cached answer comes back as is rather than as a promise: the predict path is one such hit per request.
  function resolve(presented: string): CachedKey | Promise<CachedKey> {
    const hit = cache.peek(presented);
    if (hit) return hit.value;
    return cache.get(presented, async () => {
      const now = Date.now();
      const verified = await verifyApiKeyUntil(presented, store, new Date(now));
      const key = verified?.key;
      // A cache miss happens once per TTL per key and process: that bounds the writes.
      if (key) store.touch(key.id, new Date(now).toISOString()).catch((error) => logger.warn("recording a key's last use failed", { keyId: key.id, error: String(error) }));
      return { key, validUntil: verified?.validUntil ?? 0 };
    });
  }

  function authorize(c: Context<{ Variables: AuthVariables }>, scope: Scope): void | Promise<void> {
    const header = c.req.header('authorization') ?? '';
    const presented = BEARER.test(header) ? header.replace(BEARER, '').trim() : '';
    if (!presented) throw unauthenticated('Send an API key as `Authorization: Bearer <key>`.');
    const entry = resolve(presented);
    if (entry instanceof Promise) return entry.then((resolved) => admit(c, scope, resolved, limiter));
    return admit(c, scope, entry, limiter);
  }

  /** Drops every cached verification of key `id`: its revocation or rotation counts from now. */
  function forget(id: string): void {
    cache.deleteWhere((entry) => entry.key?.id === id);
  }

  const requireScope =
    (scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> =>
    (c, next) => {
      const authorizing = authorize(c, scope);
      return authorizing ? authorizing.then(next) : next();
    };
  return Object.assign(requireScope, { authorize, forget }) satisfies RequireScope;
}

function admit(c: Context<{ Variables: AuthVariables }>, scope: Scope, entry: CachedKey, limiter: KeyRateLimiter): void | Promise<void> {
  const { key } = entry;
  if (!key || entry.validUntil <= Date.now()) throw unauthenticated('The API key is not valid, has expired or has been revoked.');
  // Known before any refusal, so the audit trail names who was refused.
  c.set('apiKey', key);
  if (!scopeAllows(key.scopes, scope)) throw new Problem(403, `This API key lacks the \`${scope}\` scope.`);
  if (key.resources?.length && !resourceAllows(key, resourceOfPath(c.req.path))) {
    throw new Problem(403, `This API key is limited to ${key.resources.join(', ')}.`);
  }
  if (!key.rateLimit) return;
  const decision = limiter.check(key.id, key.rateLimit);
  if (decision instanceof Promise) return decision.then(enforce);
  enforce(decision);
}

function enforce(decision: RateDecision): void {
  if (decision.allowed) return;
  throw new Problem(429, 'This API key is over its rate limit; retry after the time Retry-After gives.', {
    headers: { 'retry-after': String(decision.retryAfterSeconds) },
  });
}

export interface RequireScope {
  /** Middleware admitting requests whose key has `scope`: a 401 without a valid key, a 403 without the scope. */
  (scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }>;
  /** The same check inline, for a route served by a single handler; a promise only when the key is not cached. */
  authorize(c: Context<{ Variables: AuthVariables }>, scope: Scope): void | Promise<void>;
  /** Forgets cached verifications of a key, after it was revoked or rotated here. */
  forget(id: string): void;
}
