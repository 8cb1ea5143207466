import { Hono, type Context } from 'hono';
import { consoleAssets, type ConsoleAsset } from '@flywheel/console';
import type { AuthVariables, RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';

// The app fetches only this origin; charts draw inline styles; nothing may frame it.
const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The console (packages/console) at `/console`: a static app built into the bundle as strings, so
 * the Lambda serves it as it serves the API. The page itself is public (it holds no data); every
 * number it shows comes from the API with the key the user signs in with. `GET /console/session`
 * says who that key is and what its scopes allow, so the page can disable what they do not.
 */
export function consoleRoutes(requireScope: RequireScope, assets: Readonly<Record<string, ConsoleAsset>> = consoleAssets) {
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
  return new Hono<{ Variables: AuthVariables }>()
    .get('/console', (c) => serve(c, 'index.html'))
    .get('/console/', (c) => serve(c, 'index.html'))
    .get('/console/assets/:name', (c) => serve(c, c.req.param('name')))
    .get('/console/session', requireScope('read'), (c) => {
      const { id, name, scopes } = c.get('apiKey');
      return c.json({ id, name, scopes });
    });
}
