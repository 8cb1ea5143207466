import { DEMO_ENDPOINT, DEMO_MODEL, demoSeed } from '@flywheel/train';

export interface DemoTarget {
  url: string;
  key: string;
}

/**
 * Trains the demo model, registers it with a baseline and creates the `demo` endpoint — through
 * the public API, exactly as a user would. Returns the registered version.
 */
export async function seedDemo(target: DemoTarget): Promise<number> {
  const seed = await demoSeed();
  const call = async (path: string, init: RequestInit, expected: number[]) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${target.key}`);
    const response = await fetch(`${target.url}${path}`, { ...init, headers });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${init.method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const registered = await call(
    `/v1/models/${DEMO_MODEL}/versions`,
    {
      method: 'POST',
      body: seed.bytes as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify(seed.metadata) },
    },
    [200, 201],
  );
  const version = registered.version as number;
  await call(`/v1/models/${DEMO_MODEL}/versions/${version}/baseline`, { method: 'PUT', ...json({ records: seed.baseline }) }, [200, 201]);
  await call(`/v1/endpoints/${DEMO_ENDPOINT}`, { method: 'PUT', ...json(seed.endpoint(version)) }, [200, 201]);
  return version;
}

/** True when nothing has been registered yet: the demo is seeded on an empty data dir only. */
export async function isEmptyRegistry(target: DemoTarget): Promise<boolean> {
  const response = await fetch(`${target.url}/v1/models`, { headers: { authorization: `Bearer ${target.key}` } });
  if (!response.ok) throw new Error(`GET /v1/models answered ${response.status}`);
  const body = (await response.json()) as { models: unknown[] };
  return body.models.length === 0;
}
