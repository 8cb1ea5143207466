import { describe, expect, it } from 'vitest';
import { createApp, type ApiDependencies } from '../app.ts';
import { openApiPath } from './docs.ts';

// Generating the document touches no store; any call to one fails the test.
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => {
      throw new Error(`the docs must not use ${String(name)}`);
    },
  },
);
const app = createApp({ apiKeys: untouchable, registry: untouchable, endpoints: untouchable, artifacts: untouchable } as ApiDependencies);
// With every optional part (monitoring, retraining, feedback), each a bag of untouchable ports.
const ports = new Proxy({}, { get: () => untouchable });
const fullApp = createApp({
  apiKeys: untouchable,
  registry: untouchable,
  endpoints: untouchable,
  artifacts: untouchable,
  monitoring: ports,
  retraining: ports,
  feedback: ports,
  audit: ports,
  features: ports,
  batch: ports,
  governance: untouchable,
  datasets: ports,
  tracking: ports,
  erasures: ports,
} as ApiDependencies);

// The routes of API.md this part of the API implements.
const contract = [
  'GET /healthz',
  'POST /v1/models/{model}/versions',
  'POST /v1/models/{model}/uploads',
  'GET /v1/models',
  'GET /v1/models/{model}',
  'GET /v1/models/{model}/versions/{version}',
  'PUT /v1/models/{model}/aliases/{alias}',
  'GET /v1/models/{model}/aliases/{alias}/history',
  'PUT /v1/endpoints/{endpoint}',
  'GET /v1/endpoints',
  'GET /v1/endpoints/{endpoint}',
  'GET /v1/endpoints/{endpoint}/history',
  'POST /v1/endpoints/{endpoint}/rollback',
  'POST /v1/endpoints/{endpoint}/predict',
  'POST /v2/models/{endpoint}/infer',
  'POST /v2/models/{endpoint}/versions/{version}/infer',
  'GET /v2/models/{endpoint}',
  'GET /v2/models/{endpoint}/ready',
  'GET /v2/health/live',
  'GET /v2/health/ready',
  'GET /v2',
  'POST /v1/models/{endpoint}:predict',
];

describe('the OpenAPI document and docs page', () => {
  it('documents every route of the contract with the schemas its route validates with', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented).toEqual(expect.arrayContaining(contract));
    const predict = document.paths['/v1/endpoints/{endpoint}/predict'].post;
    expect(predict['x-flywheel-scope']).toBe('predict');
    expect(Object.keys(predict.requestBody.content['application/json'].schema.properties)).toEqual(['inputs', 'records', 'unit', 'id']);
    expect(Object.keys(document.paths['/v1/models/{model}/versions'].post.requestBody.content)).toEqual(['application/octet-stream', 'multipart/form-data', 'application/json']);
  });

  it('documents only operations the app routes, each where that app has it, and every route it has', async () => {
    const documentedBy = async (served: typeof app) => {
      const document = (await (await served.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method, path })));
    };
    for (const served of [app, fullApp]) {
      const documented = await documentedBy(served);
      for (const { method, path } of documented) {
        if (path === '/openapi.json' || path === '/docs') continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'version' ? '1' : `sample-${name}`));
        const body = await (await served.request(url, { method: method.toUpperCase() })).text();
        expect(body, `${method} ${path}`).not.toMatch(/No route for|ENDPOINT_NOT_FOUND/);
      }
      // Middleware (method ALL) aside, every route the router has is a documented operation.
      const routed = new Set(served.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path)}`));
      const keys = new Set(documented.map(({ method, path }) => `${method} ${path}`.replace('/v1/models/{endpoint}:predict', '/v1/models/{target}')));
      expect([...routed].filter((route) => !keys.has(route))).toEqual([]);
    }
    const full = (await documentedBy(fullApp)).map(({ method, path }) => `${method} ${path}`);
    const lean = (await documentedBy(app)).map(({ method, path }) => `${method} ${path}`);
    expect(lean).not.toContain('get /v1/endpoints/{endpoint}/drift');
    expect(full).toEqual(
      expect.arrayContaining([
        'get /v1/endpoints/{endpoint}/drift',
        'post /v1/endpoints/{endpoint}/feedback',
        'get /v1/endpoints/{endpoint}/experiment',
        'get /v1/endpoints/{endpoint}/shadows',
        'post /api/2.0/mlflow/runs/create',
      ]),
    );
    const feedback = (await (await fullApp.request('/openapi.json')).json()).paths['/v1/endpoints/{endpoint}/feedback'].post;
    expect(feedback['x-flywheel-scope']).toBe('predict');
    expect(Object.keys(feedback.responses)).toContain('202');
  });

  it('gives every operation a summary, its path parameters, and a schema for each response with a body', async () => {
    const document = (await (await fullApp.request('/openapi.json')).json()) as { paths: Record<string, Record<string, any>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method} ${path}`, path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(100);
    for (const { name, path, operation } of operations) {
      expect(operation.summary, name).toBeTruthy();
      expect(operation.summary, name).not.toMatch(/API\.md/);
      const declared = new Set((operation.parameters ?? []).filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name));
      for (const [, param] of path.matchAll(/\{(\w+)\}/g)) expect(declared.has(param), `${name}: path parameter ${param}`).toBe(true);
      const statuses = Object.keys(operation.responses);
      expect(
        statuses.some((status) => status.startsWith('2')),
        `${name}: a success answer`,
      ).toBe(true);
      for (const status of statuses) {
        const response = operation.responses[status];
        if (status === '204' || status === '304') continue;
        const media = Object.values(response.content ?? {}) as Array<{ schema?: unknown }>;
        expect(media.length, `${name} ${status}: a body`).toBeGreaterThan(0);
        for (const { schema } of media) expect(schema, `${name} ${status}: a schema`).toBeTruthy();
      }
      // A scoped operation says how it refuses a key.
      if (operation['x-flywheel-scope']) expect(statuses, name).toEqual(expect.arrayContaining(['401', '403']));
      for (const body of Object.values(operation.requestBody?.content ?? {}) as Array<{ schema?: unknown }>) expect(body.schema, `${name}: request schema`).toBeTruthy();
    }
    const html = await (await fullApp.request('/docs')).text();
    expect(html).not.toMatch(/API\.md/);
  });

  it('types every response: no part of a body is untyped — no object without properties, none taking any further key — user data aside', async () => {
    const document = (await (await fullApp.request('/openapi.json')).json()) as { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, unknown> } };
    // Values that are open by nature, each where it is and why; everything else says what it holds.
    const userData: Array<[where: RegExp, why: string]> = [
      [/\.lineage\.anyOf\[1\]$/, "a model version's lineage as its registration gave it: free-form provenance"],
      [/ \.events\[\]\.oneOf\[\d+\]\.data\.lineage$/, 'the same lineage, in the version.registered event'],
      [/\.params$/, "a run's training parameters: the known ones typed, and a trainer may take its own"],
      [/\/infer 200 application\/json \.parameters$/, "the OIP request's parameters, echoed as sent"],
    ];
    const open: string[] = [];
    const listed: string[] = [];
    const seenRefs = new Set<string>();
    const visit = (schema: any, where: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      if (schema.$ref) {
        const name = String(schema.$ref).replace('#/components/schemas/', '');
        if (!seenRefs.has(name)) {
          seenRefs.add(name);
          visit(document.components?.schemas?.[name], `#${name}`);
        }
        return;
      }
      const { description: _description, ...constraints } = schema;
      const anything = Object.keys(constraints).length === 0;
      const extra = schema.additionalProperties;
      const anyMore = extra === true || (typeof extra === 'object' && Object.keys(extra).length === 0);
      const propertyless = schema.type === 'object' && Object.keys(schema.properties ?? {}).length === 0 && (extra === undefined || anyMore);
      if (anything || propertyless || anyMore) (userData.some(([pattern]) => pattern.test(where)) ? listed : open).push(where);
      for (const [name, property] of Object.entries(schema.properties ?? {})) visit(property, `${where}.${name}`);
      if (typeof extra === 'object' && Object.keys(extra).length > 0) visit(extra, `${where}{}`);
      visit(schema.items, `${where}[]`);
      for (const keyword of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const)
        (schema[keyword] ?? []).forEach((member: unknown, i: number) => visit(member, `${where}.${keyword}[${i}]`));
    };
    for (const [path, item] of Object.entries(document.paths)) {
      // The document itself (this one) stays loose.
      if (path === '/openapi.json') continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, { content?: Record<string, { schema: unknown }> }>)) {
          for (const [type, media] of Object.entries(response.content ?? {})) visit(media.schema, `${method.toUpperCase()} ${path} ${status} ${type} `);
        }
      }
    }
    expect(open).toEqual([]);
    // Each listed place is one (a stale entry would let a loose schema through somewhere new).
    for (const [pattern, why] of userData)
      expect(
        listed.some((where) => pattern.test(where)),
        why,
      ).toBe(true);
  });

  it('renders an offline page listing each operation', async () => {
    const response = await app.request('/docs');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).not.toMatch(/<script|https?:\/\/(?!flywheel)/);
    for (const route of contract) expect(html).toContain(`<code>${route.split(' ')[1]}</code>`);
  });

  it('turns Hono paths into OpenAPI paths', () => {
    expect(openApiPath('/v1/models/:model/versions/:version')).toBe('/v1/models/{model}/versions/{version}');
    expect(openApiPath('/v1/models/:model{[a-z]+}/history')).toBe('/v1/models/{model}/history');
  });
});
