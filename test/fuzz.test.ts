import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

/**
 * Every route the API documents, tried with hostile input: malformed and wrong-typed JSON, huge
 * and deeply nested bodies, NaN and infinities, hostile path parameters and queries. Each must get
 * a 4xx problem, change nothing, and leave the server answering.
 */

const deep = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const hostileBodies: Array<[string, string]> = [
  ['not JSON', '{"records": [1, 2'],
  ['a bare number', '1e309'],
  ['null', 'null'],
  ['an array', '[]'],
  ['wrong types', '{"records": "all", "inputs": 5, "variants": {}, "version": "latest", "name": 7, "scopes": "admin", "id": [], "configVersion": "x", "label": {}, "feedback": 3}'],
  ['infinities', '{"records": [{"x": 1e309}], "inputs": {"x": [[1e309, -1e309, 1]]}, "version": 1e309, "configVersion": -1e309, "lineage": {"a": 1e309}}'],
  ['deep arrays', `{"records": ${deep(100_000)}, "inputs": {"x": ${deep(100_000)}}, "variants": ${deep(100_000)}}`],
  ['deep objects', `{"records": [${deepObject(50_000)}], "metadata": ${deepObject(50_000)}, "lineage": ${deepObject(50_000)}}`],
  ['a million elements', `{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [${'1,'.repeat(1_000_000)}1]}], "records": [${'0,'.repeat(200_000)}0]}`],
  ['unknown fields', '{"surprise": true, "__proto__": {"admin": true}, "constructor": {"prototype": {}}}'],
  ['hostile subjects', `{"subject": {"unit": 1e309, "entity": {"view": ${deep(10_000)}, "id": "${'x'.repeat(100_000)}"}}, "reason": ${deepObject(10_000)}}`],
  ['an entity without a feature store', '{"subject": {"entity": {"view": "users", "id": "42"}}, "reason": "fuzz"}'],
];

const hostileSegments = ['x'.repeat(3000), '..%2F..%2Fetc', '%00', '%E2%80%AE', 'a%20b', '-1', '99999999999999999999', 'NaN'];
const forgedCursor = Buffer.from(JSON.stringify({ pk: { S: 'APIKEY#x' }, sk: { S: 'APIKEY' }, gsi1pk: { S: 'RUNS#other' }, gsi1sk: { S: 'x' } })).toString('base64url');
const hostileQueries: Array<[string, string]> = [
  ['cursor', '%7B%22pk%22%3A%7B%22S%22%3A%22x%22%7D%7D'],
  ['cursor', forgedCursor],
  ['cursor', 'x'.repeat(3000)],
  ['limit', '-1'],
  ['limit', '1e309'],
  ['since', 'yesterday'],
  ['alpha', '1e-320'],
  ['alpha', '2'],
  ['from', '2026-13-45'],
  ['to', '0'],
  ['configVersion', 'NaN'],
  ['status', 'everything'],
  ['type', 'x'.repeat(5000)],
  ['resource', 'endpoint:../x'],
  ['actor', 'x'.repeat(3000)],
];

interface Operation {
  method: string;
  path: string;
  /** The query parameters it declares: hostile values go only there (unknown ones are ignored, as HTTP does). */
  query: Set<string>;
}

describe('the API under hostile input', () => {
  let system: TestSystem;
  let operations: Operation[];
  const tally = { requests: 0, clientErrors: 0, serverErrors: 0 };
  const serverErrors: string[] = [];

  const snapshot = async () => {
    // A key's last use is bookkeeping of reads, not a change anyone made.
    const read = async (path: string) => JSON.stringify(await (await system.api(path)).json(), (name, value) => (name === 'lastUsedAt' ? undefined : value));
    // Erasures have no listing: their items, counted through the SDK.
    const erasures = await system.clients.dynamodb.send(
      new ScanCommand({
        TableName: system.names.tables.operations,
        FilterExpression: 'begins_with(pk, :erasure)',
        ExpressionAttributeValues: { ':erasure': { S: 'ERASURE' } },
        Select: 'COUNT',
      }),
    );
    return [
      await read('/v1/models'),
      await read('/v1/endpoints'),
      await read('/v1/keys'),
      await read('/v1/models/fuzz'),
      await read('/v1/endpoints/fuzz'),
      `erasures: ${erasures.Count}`,
    ].join('\n');
  };

  const send = async (method: string, path: string, body?: string) => {
    tally.requests++;
    const response = await system.api(path, { method, body, headers: body !== undefined ? { 'content-type': 'application/json' } : {} });
    const text = await response.text();
    if (response.status >= 500) {
      tally.serverErrors++;
      serverErrors.push(`${method} ${path.slice(0, 120)} (${body?.slice(0, 60)}) → ${response.status} ${text.slice(0, 200)}`);
    } else if (response.status >= 400) {
      tally.clientErrors++;
      // The MLflow-compatible routes answer in MLflow's error shape, which MLflow clients read.
      if (path.startsWith('/api/2.0/mlflow/')) expect(JSON.parse(text), `${method} ${path}`).toMatchObject({ error_code: expect.any(String), message: expect.any(String) });
      else expect(response.headers.get('content-type'), `${method} ${path}`).toBe('application/problem+json');
      // No echo of a megabyte of input.
      expect(text.length, `${method} ${path}`).toBeLessThan(20_000);
    }
    return response.status;
  };

  beforeAll(async () => {
    system = await startTestSystem();
    await registered(system, 'fuzz', scaledModel(3));
    await putEndpoint(system, 'fuzz', singleVariant('fuzz', 1));
    const document = (await (await system.api('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        query: new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
      })),
    );
    expect(operations.length).toBeGreaterThan(30);
  });
  afterAll(() => system?.stop());

  it('answers every hostile request with a 4xx problem, changes nothing, and stays healthy', { timeout: 600_000 }, async () => {
    const before = await snapshot();
    const concrete = (path: string, segment?: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => segment ?? (name === 'endpoint' || name === 'model' ? 'fuzz' : name === 'version' ? '1' : 'nothing-here'));
    for (const { method, path, query: declared } of operations) {
      if (path === '/openapi.json' || path === '/docs') continue;
      const mutating = method !== 'GET' && method !== 'HEAD';
      if (mutating) for (const [, body] of hostileBodies) await send(method, concrete(path), body);
      for (const segment of path.includes('{') ? hostileSegments : []) await send(method, concrete(path, segment), mutating ? '{}' : undefined);
      for (const [name, value] of hostileQueries) if (declared.has(name)) await send(method, `${concrete(path)}?${name}=${value}`, mutating ? '{}' : undefined);
    }
    console.log(`fuzz: ${tally.requests} requests over ${operations.length} operations, ${tally.clientErrors} 4xx, ${tally.serverErrors} 5xx`);
    expect(serverErrors).toEqual([]);
    expect(await snapshot()).toBe(before);
    expect((await system.api('/healthz')).status).toBe(200);
    expect((await system.api('/v1/endpoints/fuzz/predict', { method: 'POST', json: { inputs: { x: [[1, 2, 3]] } } })).status).toBe(200);
  });
});
