import type { Hono, MiddlewareHandler, Handler } from 'hono';
import type { RouteConfig } from '@hono/zod-openapi';
import type { Scope } from '@flywheel/core';
import type { AuthVariables, RequireScope } from '../auth.ts';

/** An operation of the OpenAPI document, with the scope its route requires (none: public). */
export type Operation = RouteConfig & { 'x-flywheel-scope'?: Scope };

/** What every route of one app is declared against: the scope check, the audit trail, the document. */
export interface RouteGuards {
  requireScope: RequireScope;
  /** The audit trail's middleware; without one nothing is recorded (the edge changes nothing). */
  audit?: MiddlewareHandler;
  /** Every operation declared with these guards, in declaration order: what /openapi.json lists. */
  readonly operations: Operation[];
}

export function routeGuards(requireScope: RequireScope, audit?: MiddlewareHandler): RouteGuards {
  return { requireScope, ...(audit ? { audit } : {}), operations: [] };
}

export type RouteDeclaration = Omit<RouteConfig, 'path'> & {
  /** The documented path, OpenAPI style (`/v1/keys/{id}`); routed as Hono's `/v1/keys/:id`. */
  path: string;
  /** The Hono path where it is not the documented one (KServe V1's `/v1/models/:target` for `{endpoint}:predict`). */
  route?: string;
  /** The scope a key needs: a 401 without a valid key, a 403 without the scope. None: public. */
  scope?: Scope;
  /** Recorded in the audit trail (when the app has one). Default: PUT, PATCH and DELETE are, GET and POST are not. */
  audited?: boolean;
};

type RouteHandler = Handler<{ Variables: AuthVariables }, any>;

/**
 * Declares routes on `app` once: method, path, request and response schemas, scope, audit.
 * `route(declaration, ...handlers)` registers the handlers behind the scope check (and the audit
 * trail, where the route is audited) and adds the operation to the app's OpenAPI document:
 *
 *   const route = declareRoutes(app, guards);
 *   route({ method: 'get', path: '/v1/batch-jobs', scope: 'read', tags: ['batch'], summary: 'List batch jobs',
 *     request: { query: listQuerySchema }, responses: { 200: ok('The jobs', jobsSchema), ...problems(400) } }, async (c) => …);
 *
 * The handlers validate their own input (readJson and friends), so errors keep their problem+json
 * bodies; the schemas declared are the ones they validate with. A route with one handler and no
 * audit keeps one handler (the scope check inline): Hono dispatches it without a compose step,
 * which the prediction routes rely on.
 */
export function declareRoutes(app: Hono<any>, guards: RouteGuards) {
  return (declaration: RouteDeclaration, ...handlers: [...MiddlewareHandler<any>[], RouteHandler]): void => {
    const { route, scope, audited, ...operation } = declaration;
    const audit = (audited ?? ['put', 'patch', 'delete'].includes(operation.method)) ? guards.audit : undefined;
    const path = route ?? honoPath(operation.path);
    const method = operation.method.toUpperCase();
    if (scope && handlers.length === 1 && !audit) {
      const [handle] = handlers as [RouteHandler];
      const { authorize } = guards.requireScope;
      app.on(method, path, (c, next) => {
        const authorizing = authorize(c, scope);
        return authorizing ? authorizing.then(() => handle(c, next)) : handle(c, next);
      });
    } else {
      app.on(method, path, ...[...(audit ? [audit] : []), ...(scope ? [guards.requireScope(scope)] : []), ...handlers]);
    }
    guards.operations.push({ ...operation, ...(scope ? { 'x-flywheel-scope': scope, security: [{ bearer: [] }] } : {}) });
  };
}

/** OpenAPI's `/v1/models/{model}` as Hono's `/v1/models/:model`. */
export function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}
