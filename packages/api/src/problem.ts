import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { jsonLogger, type Logger } from '@flywheel/core';

export interface ProblemFieldError {
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem; throw it from any handler and the app answers with problem+json. */
export class Problem extends Error {
  readonly status: ContentfulStatusCode;
  readonly type: string;
  readonly errors?: ProblemFieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    detail: string,
    options: { type?: string; errors?: ProblemFieldError[]; extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(clipEchoes(detail));
    this.status = status;
    this.type = options.type ?? `https://flywheel.dev/problems/${slug(titles[status] ?? 'error')}`;
    this.errors = options.errors?.map((error) => ({ path: clipEchoes(error.path), message: clipEchoes(error.message) }));
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  toJSON(): ProblemDetails {
    return {
      type: this.type,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export function problemResponse(problem: Problem): Response {
  return new Response(JSON.stringify(problem.toJSON()), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
  });
}

/** The app's onError: every failure leaves as problem+json; internals never reach the caller, only the log. */
export function handleError(error: unknown, c: Context, logger: Logger = jsonLogger): Response {
  if (error instanceof Problem) return problemResponse(error);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return problemResponse(new Problem(status, error.message || titles[status] || 'Request failed'));
  }
  logger.error('unhandled error', { path: c.req.path, error: String(error), stack: (error as Error)?.stack });
  return problemResponse(new Problem(500, 'The server failed to handle the request; it has been logged.'));
}

export function notFound(c: Context): Response {
  return problemResponse(new Problem(404, `No route for ${c.req.method} ${c.req.path}.`));
}

/** Longest run without spaces a problem repeats (a name, a path, a value from the request). */
const MAX_ECHOED_RUN = 100;
const MAX_TEXT = 1000;
const LONG_RUN = new RegExp(`\\S{${MAX_ECHOED_RUN + 1},}`, 'g');

/**
 * A problem's text with what it echoes of the request cut short: a 10,000-character name sent
 * back whole would make every error as large as the worst input.
 */
export function clipEchoes(text: string): string {
  const clipped = text.length > MAX_ECHOED_RUN ? text.replace(LONG_RUN, (run) => `${run.slice(0, MAX_ECHOED_RUN)}…`) : text;
  return clipped.length > MAX_TEXT ? `${clipped.slice(0, MAX_TEXT)}…` : clipped;
}

function slug(title: string): string {
  return title.toLowerCase().replaceAll(' ', '-');
}
