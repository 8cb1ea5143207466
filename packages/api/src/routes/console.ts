import { Hono, type Context } from 'hono';
import { consoleAssets, type ConsoleAsset } from '@flywheel/console';
import { z } from 'zod';
import { scopes } from '@flywheel/core';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

// The app fetches only this origin; charts draw inline styles; nothing may frame it.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The console (packages/console) at `/console`: a static app built into the bundle as strings, so
 * the Lambda serves it as it serves the API. The page itself is public (it holds no data); every
 * number it shows comes from the API with the key the user signs in with. `GET /console/session`
 * says who that key is and what its scopes allow, so the page can disable what they do not.
 */
export function consoleRoutes(guards: RouteGuards, assets: Readonly<Record<string, ConsoleAsset>> = consoleAssets) {
  const serve = (c: Context, name: string) => {
    const asset = assets[name];
    if (!asset) throw new Problem(404, `No console asset ${name}.`);
    const headers = {
      'content-type': asset.type,
      etag: asset.etag,
      // The page names assets by hash (?v=…): those may be kept; the page itself is revalidated.
      'cache-control': name === 'index.html' || !c.req.query('v') ? 'no-cache' : 'public, max-age=31536000, immutable',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
    return c.body(asset.body, 200, headers);
  };
  const tags = ['console'];
  const page = { 200: { description: "The console's page", content: { 'text/html': { schema: z.string() } } }, 304: { description: 'Not modified (If-None-Match)' } };
  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route({ method: 'get', path: '/console', tags, summary: 'The console', responses: page }, (c) => serve(c, 'index.html'))
    .route({ method: 'get', path: '/console/', tags, summary: 'The console', responses: page }, (c) => serve(c, 'index.html'))
    .route(
      {
        method: 'get',
        path: '/console/assets/{name}',
        tags,
        summary: 'A script, style sheet or image of the console',
        request: { params: params({ name: z.string() }), query: z.object({ v: z.string().optional().describe("the asset's hash: with it, the answer may be kept for a year") }) },
        responses: { 200: { description: 'The asset', content: { '*/*': { schema: z.string() } } }, 304: { description: 'Not modified (If-None-Match)' }, ...problems(404) },
      },
      (c) => serve(c, c.req.param('name')),
    )
    .route(
      {
        method: 'get',
        path: '/console/session',
        scope: 'read',
        tags,
        summary: 'Who the key is and what its scopes allow',
        responses: { 200: ok('The key', z.object({ id: z.string(), name: z.string(), scopes: z.array(z.enum(scopes)) })) },
      },
      (c) => {
        const { id, name, scopes } = c.get('apiKey');
        return c.json({ id, name, scopes });
      },
    ).app;
}
