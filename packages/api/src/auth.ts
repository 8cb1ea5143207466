import type { MiddlewareHandler } from 'hono';
import { scopeAllows, verifyApiKey, type ApiKeyStore, type Scope, type StoredApiKey } from '@flywheel/core';
import { Problem } from './problem.ts';

export interface AuthOptions {
  /** Verified keys are remembered this long, so a hot path does not read the store per request. */
  cacheTtlMs?: number;
}

export type AuthVariables = { apiKey: StoredApiKey };

/**
 * Resolves the bearer key once per request (cached briefly by the presented key) and returns a
 * `requireScope` middleware factory. Revocation takes effect within the cache TTL.
 */
export function createAuth(store: ApiKeyStore, options: AuthOptions = {}) {
  const ttl = options.cacheTtlMs ?? 10_000;
  const cache = new Map<string, { key: StoredApiKey | undefined; until: number }>();

  async function resolve(presented: string): Promise<StoredApiKey | undefined> {
    const now = Date.now();
    const hit = cache.get(presented);
    if (hit && hit.until > now) return hit.key;
    const key = await verifyApiKey(presented, store);
    if (cache.size > 10_000) cache.clear();
    cache.set(presented, { key, until: now + ttl });
    return key;
  }

  return function requireScope(scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
    return async (c, next) => {
      const header = c.req.header('authorization') ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      const challenge = { 'www-authenticate': 'Bearer realm="flywheel"' };
      if (!presented) throw new Problem(401, 'Send an API key as `Authorization: Bearer <key>`.', { headers: challenge });
      const key = await resolve(presented);
      if (!key) throw new Problem(401, 'The API key is not valid or has been revoked.', { headers: challenge });
      if (!scopeAllows(key.scopes, scope)) throw new Problem(403, `This API key lacks the \`${scope}\` scope.`);
      c.set('apiKey', key);
      await next();
    };
  };
}

export type RequireScope = ReturnType<typeof createAuth>;
