import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../problem.ts';

/**
 * A declared Content-Length is checked without touching the body (the HTTP parser never delivers
 * more than it declares), which keeps @hono/node-server's direct body read; a body of unknown
 * length is counted as it streams. Either way a body over `maxBytes` is a 413 problem, before it
 * is read into memory.
 */
function bodyGuard(maxBytes: number, advice: string) {
  const tooLarge = () => {
    throw new Problem(413, `The body is larger than the ${formatBytes(maxBytes)} this route accepts.${advice ? ` ${advice}` : ''}`);
  };
  /** True when the declared length settles it (a 413 if over); false when the body must be counted. */
  const declaredWithin = (c: Context): boolean => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return false;
    if (Number(declared) > maxBytes) tooLarge();
    return true;
  };
  return { declaredWithin, counting: bodyLimit({ maxSize: maxBytes, onError: tooLarge }) };
}

/** Refuses bodies over `maxBytes` with a 413 problem, as middleware. */
export function limitBody(maxBytes: number, advice = ''): MiddlewareHandler {
  const { declaredWithin, counting } = bodyGuard(maxBytes, advice);
  return (c, next) => (declaredWithin(c) ? next() : counting(c, next));
}

/** The same limit around a handler's work, for a route served by a single handler. */
export function limitBodyAround(maxBytes: number, advice = '') {
  const { declaredWithin, counting } = bodyGuard(maxBytes, advice);
  return (c: Context, handle: () => Promise<Response>): Promise<Response> =>
    declaredWithin(c)
      ? handle()
      : counting(c, async () => {
          c.res = await handle();
        }).then(() => c.res);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${bytes} bytes`;
}

/** Refuses requests with more rows than the limit, before any work is done for them. */
/**
 * The most rows a prediction request may carry (a deployment may set fewer). Request schemas
 * bound their row arrays by it, so a huge array is refused on its length before any element is
 * looked at.
 */
export const MAX_REQUEST_ROWS = 10_000;

/** The most tensors an Open Inference Protocol request may name (inputs, or outputs asked for). */
export const MAX_REQUEST_TENSORS = 1000;

export function checkRows(count: number, max: number): void {
  if (count > max) {
    throw new Problem(400, `A request may carry at most ${max} rows; this one has ${count}. Split it into smaller requests.`, {
      errors: [{ path: 'rows', message: `at most ${max} rows` }],
    });
  }
}
