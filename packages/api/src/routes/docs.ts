import { Hono } from 'hono';
import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { declareRoutes, type Operation, type RouteGuards } from './define-route.ts';
import { ok } from './openapi.ts';

type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

/**
 * `GET /openapi.json` and `GET /docs`, public like any published contract. The document is built
 * on first request from the operations declared with the app's route guards: what the app routes,
 * with the schemas the routes validate with and answer in. Mounted last, it lists every route.
 */
export function docsRoutes(guards: RouteGuards) {
  let document: OpenApiDocument | undefined;
  let page: string | undefined;
  const current = () => (document ??= openApiDocument(guards.operations));
  const app = new Hono();
  const { route } = declareRoutes(app, guards);
  route(
    {
      method: 'get',
      path: '/openapi.json',
      tags: ['docs'],
      summary: 'This document',
      responses: {
        200: ok(
          'OpenAPI 3.1',
          z.looseObject({
            openapi: z.literal('3.1.0'),
            info: z.looseObject({ title: z.string(), version: z.string() }),
            paths: z.record(z.string(), z.record(z.string(), z.unknown())),
          }),
        ),
      },
    },
    (c) => c.json(current()),
  );
  route(
    {
      method: 'get',
      path: '/docs',
      tags: ['docs'],
      summary: 'This document as a web page',
      responses: { 200: { description: 'An offline HTML page', content: { 'text/html': { schema: z.string() } } } },
    },
    (c) => c.html((page ??= docsPage(current()))),
  );
  return app;
}

export function openApiDocument(operations: readonly Operation[]): OpenApiDocument {
  const generator = new OpenAPIHono();
  generator.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' });
  for (const operation of operations) generator.openAPIRegistry.registerPath(operation);
  return generator.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Flywheel',
      version: '0.1.0',
      description: 'Serve and monitor ONNX models. Every error is application/problem+json (RFC 9457).',
    },
  });
}

/** Hono's `/v1/models/:model` (or `:model{pattern}`) as OpenAPI's `/v1/models/{model}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(?:\{[^}]*\})?/g, '{$1}');
}

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** A plain HTML index of the document: works offline, no scripts. */
export function docsPage(document: OpenApiDocument): string {
  const sections = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of methods) {
      const operation = (item as Record<string, any>)[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'other';
      const scope = operation['x-flywheel-scope'] ? `scope <code>${escape(operation['x-flywheel-scope'])}</code>` : operation.security ? 'authenticated' : 'public';
      const request = operation.requestBody?.content
        ? `<details><summary>Request: ${Object.keys(operation.requestBody.content).map(escape).join(', ')}</summary>${Object.entries(operation.requestBody.content)
            .map(([type, media]: [string, any]) => `<p>${escape(type)}</p><pre>${escape(JSON.stringify(media.schema ?? {}, null, 2))}</pre>`)
            .join('')}</details>`
        : '';
      const responses = Object.entries(operation.responses ?? {})
        .map(([status, response]: [string, any]) => {
          const schema = response.content ? Object.values(response.content as Record<string, any>)[0]?.schema : undefined;
          const body = schema ? `<pre>${escape(JSON.stringify(schema, null, 2))}</pre>` : '';
          return `<li><strong>${escape(status)}</strong> ${escape(response.description ?? '')}${body ? `<details><summary>schema</summary>${body}</details>` : ''}</li>`;
        })
        .join('');
      const html = `<section><h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p>${escape(operation.summary ?? '')} — ${scope}</p>${operation.description ? `<p>${escape(operation.description)}</p>` : ''}${request}<ul>${responses}</ul></section>`;
      sections.set(tag, [...(sections.get(tag) ?? []), html]);
    }
  }
  const body = [...sections].map(([tag, items]) => `<h2>${escape(tag)}</h2>${items.join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(document.info.title)} API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
section{border-top:1px solid #ddd;padding:.5rem 0}.method{display:inline-block;min-width:4rem;font-weight:bold}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8rem}code{font-size:.95rem}</style></head>
<body><h1>${escape(document.info.title)} API ${escape(document.info.version)}</h1>
<p>${escape(document.info.description ?? '')} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
${body}
</body></html>`;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
