import { storedKey } from './session.ts';

/** A problem+json answer (RFC 9457), or a failure to get an answer at all (status 0). */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  readonly status: number;
  readonly problem: { title?: string; detail?: string; errors?: Array<{ path: string; message: string }> } & Record<string, unknown>;
  constructor(status: number, problem: ApiProblem['problem']) {
    super([problem.detail ?? problem.title ?? `request failed (${status})`, ...(problem.errors ?? []).map((e) => `${e.path}: ${e.message}`)].join(' — '));
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
  status: number;
}

/** Called when the key stops working (revoked, expired session): the app goes back to sign-in. */
let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (handler: () => void) => (onUnauthorized = handler);

export async function request<T = any>(path: string, init: { method?: string; json?: unknown; headers?: Record<string, string>; key?: string } = {}): Promise<ApiResponse<T>> {
  const key = init.key ?? storedKey();
  const headers: Record<string, string> = { ...init.headers };
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  } catch (error) {
    throw new ApiProblem(0, { detail: `The API did not answer (${(error as Error).message}).` });
  }
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) {
    if (response.status === 401 && !init.key) onUnauthorized();
    throw new ApiProblem(response.status, body ?? {});
  }
  return { body, headers: response.headers, status: response.status };
}

export const get = <T = any>(path: string) => request<T>(path).then((r) => r.body);

export const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** The API answers JSON; anything else (a proxy's error page) becomes a problem saying what came back. */
function parseJson(text: string): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: `The API answered something that is not JSON: ${text.slice(0, 120)}` };
  }
}
