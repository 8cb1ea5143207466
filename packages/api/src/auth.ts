import type { Context, MiddlewareHandler, Next } from 'hono';
import { scopeAllows, verifyApiKey, type ApiKeyStore, type Scope, type StoredApiKey } from '@flywheel/core';
import { Problem } from './problem.ts';

export interface AuthOptions {
  /** Verified keys are remembered this long, so a hot path does not read the store per request. */
  cacheTtlMs?: number;
}

export type AuthVariables = { apiKey: StoredApiKey };

const unauthenticated = (detail: string) => new Problem(401, detail, { headers: { 'www-authenticate': 'Bearer realm="flywheel"' } });

/**
 * Resolves the bearer key once per request (cached briefly by the presented key) and returns a
 * `requireScope` middleware factory. Revocation takes effect within the cache TTL.
 */
export function createAuth(store: ApiKeyStore, options: AuthOptions = {}) {
  const ttl = options.cacheTtlMs ?? 10_000;
  const cache = new Map<string, { key: StoredApiKey | undefined; until: number }>();

  // A cached answer comes back as is rather than as a promise: the predict path is one such hit per request.
  function resolve(presented: string): StoredApiKey | undefined | Promise<StoredApiKey | undefined> {
    const now = Date.now();
    const hit = cache.get(presented);
    if (hit && hit.until > now) return hit.key;
    return verifyApiKey(presented, store).then((key) => {
      if (cache.size > 10_000) cache.clear();
      cache.set(presented, { key, until: now + ttl });
      return key;
    });
  }

  function authorize(c: Context<{ Variables: AuthVariables }>, scope: Scope): void | Promise<void> {
    const header = c.req.header('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!presented) throw unauthenticated('Send an API key as `Authorization: Bearer <key>`.');
    const key = resolve(presented);
    if (key instanceof Promise) return key.then((resolved) => admit(c, scope, resolved));
    admit(c, scope, key);
  }

  const requireScope = (scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> => (c, next) => {
    const authorizing = authorize(c, scope);
    return authorizing ? authorizing.then(next) : next();
  };
  return Object.assign(requireScope, { authorize }) satisfies RequireScope;
}

function admit(c: Context<{ Variables: AuthVariables }>, scope: Scope, key: StoredApiKey | undefined): void {
  if (!key) throw unauthenticated('The API key is not valid or has been revoked.');
  if (!scopeAllows(key.scopes, scope)) throw new Problem(403, `This API key lacks the \`${scope}\` scope.`);
  c.set('apiKey', key);
}

export interface RequireScope {
  /** Middleware admitting requests whose key has `scope`: a 401 without a valid key, a 403 without the scope. */
  (scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }>;
  /** The same check inline, for a route served by a single handler; a promise only when the key is not cached. */
  authorize(c: Context<{ Variables: AuthVariables }>, scope: Scope): void | Promise<void>;
}
