import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../problem.ts';

/**
 * Refuses bodies over `maxBytes` with a 413 problem, before they are read into memory. A
 * declared Content-Length is checked without touching the body (the HTTP parser never delivers
 * more than it declares), which keeps @hono/node-server's direct body read; a body of unknown
 * length is counted as it streams.
 */
export function limitBody(maxBytes: number, advice = ''): MiddlewareHandler {
  const tooLarge = () => {
    throw new Problem(413, `The body is larger than the ${formatBytes(maxBytes)} this route accepts.${advice ? ` ${advice}` : ''}`);
  };
  const counting = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    if (Number(declared) > maxBytes) tooLarge();
    return next();
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${bytes} bytes`;
}
