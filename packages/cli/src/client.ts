import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the CLI talks to, and with which key. */
export interface ClientConfig {
  url: string;
  key: string | undefined;
  /** Where the key came from, for the error that says it is missing. */
  keySource: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * FLYWHEEL_URL (default the local server) and FLYWHEEL_API_KEY; without a key, the admin key the
 * local server keeps in its data dir (FLYWHEEL_DATA_DIR, default ./.data), so `npm start` in one
 * terminal and `npx flywheel` in another just work.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ClientConfig {
  const url = (env.FLYWHEEL_URL || DEFAULT_URL).replace(/\/+$/, '');
  if (env.FLYWHEEL_API_KEY) return { url, key: env.FLYWHEEL_API_KEY.trim(), keySource: 'FLYWHEEL_API_KEY' };
  const file = join(resolve(cwd, env.FLYWHEEL_DATA_DIR || '.data'), 'admin-key');
  try {
    return { url, key: readFileSync(file, 'utf8').trim() || undefined, keySource: file };
  } catch {
    return { url, key: undefined, keySource: file };
  }
}

/** A request the API refused or could not answer, as one line for people and the problem for scripts. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status; undefined when no answer came. */
  readonly status: number | undefined;
  readonly problem?: Record<string, unknown>;
  constructor(message: string, status: number | undefined, problem?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export class FlywheelClient {
  readonly config: ClientConfig;
  constructor(config: ClientConfig) {
    this.config = config;
  }

  async request<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    if (!this.config.key) {
      throw new ApiError(`no API key: set FLYWHEEL_API_KEY (nothing found at ${this.config.keySource})`, undefined);
    }
    const url = new URL(path, `${this.config.url}/`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { authorization: `Bearer ${this.config.key}`, ...options.headers };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const method = options.method ?? (options.json !== undefined || options.body !== undefined ? 'POST' : 'GET');
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
        ...(options.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(`cannot reach ${this.config.url} (${cause?.code ?? cause?.message ?? (error as Error).message}); is the server running? (FLYWHEEL_URL)`, undefined);
    }
    const text = await response.text();
    const body = parseBody(text, response.headers.get('content-type'));
    if (!response.ok) throw problemError(method, url.pathname, response.status, body);
    return { status: response.status, headers: response.headers, body: body as T };
  }

  get<T = any>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>(path, { query }).then((response) => response.body);
  }
}

function parseBody(text: string, type: string | null): unknown {
  if (!text) return undefined;
  if (type?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** `404 No endpoint nope.` plus the field errors, on one line. */
function problemError(method: string, path: string, status: number, body: unknown): ApiError {
  if (body && typeof body === 'object') {
    const problem = body as { title?: string; detail?: string; errors?: Array<{ path: string; message: string }> };
    const fields = (problem.errors ?? []).map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    const message = [problem.detail ?? problem.title ?? 'request failed', fields].filter(Boolean).join(' — ');
    return new ApiError(`${status} ${message}`, status, body as Record<string, unknown>);
  }
  return new ApiError(`${status} ${method} ${path} failed${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`, status);
}
