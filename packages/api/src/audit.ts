import type { MiddlewareHandler } from 'hono';
import { auditResult, isAudited, jsonLogger, resourceOfPath, withFields, type AuditLog, type Logger } from '@flywheel/core';
import type { AuthVariables } from './auth.ts';

export interface AuditTrailOptions {
  logger?: Logger;
}

/**
 * Records every mutating control-plane request made with a valid key, after it is answered and
 * before the answer leaves: the caller sees the response only once the record is written. A
 * request without a valid key is not recorded (it changed nothing and names no one).
 */
export function auditTrail(log: AuditLog, options: AuditTrailOptions = {}): MiddlewareHandler<{ Variables: AuthVariables }> {
  const logger = withFields(options.logger ?? jsonLogger, { component: 'audit' });
  return async (c, next) => {
    if (!isAudited(c.req.method, c.req.path)) return next();
    await next();
    const key = c.get('apiKey');
    if (!key) return;
    const status = c.res.status;
    const before = c.req.header('if-match');
    const after = c.res.headers.get('etag') ?? c.res.headers.get('location') ?? undefined;
    const resource = resourceOfPath(c.req.path);
    const record = {
      id: crypto.randomUUID(),
      at: new Date().toISOString(),
      actor: { keyId: key.id, keyName: key.name },
      method: c.req.method,
      path: c.req.path.slice(0, 512),
      ...(resource ? { resource } : {}),
      status,
      result: auditResult(status),
      ...(before ? { before: before.slice(0, 200) } : {}),
      ...(after ? { after: after.slice(0, 200) } : {}),
    };
    try {
      await log.append(record);
    } catch (error) {
      // The change is made; failing its answer now would invite a retry of a done change.
      logger.error('writing an audit record failed', { ...record, error: String(error) });
    }
  };
}
