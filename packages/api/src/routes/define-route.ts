import type { Context, Handler, Hono, MiddlewareHandler, Next } from 'hono';
import type { RouteConfig } from '@hono/zod-openapi';
import type { Scope } from '@flywheel/core';
import type { AuthVariables, RequireScope } from '../auth.ts';
import { problems } from './openapi.ts';

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

export type RouteDeclaration<P extends string = string, R extends string = string> = Omit<RouteConfig, 'path'> & {
  /** The documented path, OpenAPI style (`/v1/keys/{id}`); routed as Hono's `/v1/keys/:id`. */
  path: P;
  /** The Hono path where it is not the documented one (KServe V1's `/v1/models/:target` for `{endpoint}:predict`). */
  route?: R;
  /** The scope a key needs: a 401 without a valid key, a 403 without the scope. None: public. */
  scope?: Scope;
  /** Recorded in the audit trail (when the app has one). Default: PUT, PATCH and DELETE are, GET and POST are not. */
  audited?: boolean;
};

/** `/v1/keys/{id}` as `/v1/keys/:id`, so handlers' `c.req.param('id')` is typed. */
type HonoPath<P extends string> = P extends `${infer Head}{${infer Name}}${infer Tail}` ? `${Head}:${Name}${HonoPath<Tail>}` : P;
type Env = { Variables: AuthVariables };

/**
 * Declares routes on `app` once: method, path, request and response schemas, scope, audit.
 * `route(declaration, ...handlers)` registers the handlers behind the scope check (and the audit
 * trail, where the route is audited) and adds the operation to the app's OpenAPI document (with
 * the 401, 403 and 429 a scoped route may answer). It returns the routes, to chain:
 *
 *   return declareRoutes(new Hono(), guards)
 *     .route({ method: 'get', path: '/v1/batch-jobs', scope: 'read', tags: ['batch'], summary: 'List batch jobs',
 *       request: { query: listQuerySchema }, responses: { 200: ok('The jobs', jobsSchema), ...problems(400) } }, async (c) => …)
 *     .app;
 *
 * The handlers validate their own input (readJson and friends), so errors keep their problem+json
 * bodies; the schemas declared are the ones they validate with. A route with one handler and no
 * audit keeps one handler (the scope check inline): Hono dispatches it without a compose step,
 * which the prediction routes rely on.
 */
export function declareRoutes<A extends Hono<any>>(app: A, guards: RouteGuards) {
  const routes = {
    app,
    route<P extends string, R extends string = HonoPath<P>>(declaration: RouteDeclaration<P, R>, ...handlers: [...MiddlewareHandler<any>[], Handler<Env, R>]) {
      const { route, scope, audited, ...operation } = declaration;
      const audit = (audited ?? ['put', 'patch', 'delete'].includes(operation.method)) ? guards.audit : undefined;
      const path = route ?? honoPath(operation.path);
      const method = operation.method.toUpperCase();
      if (scope && handlers.length === 1 && !audit) {
        const [handle] = handlers as [Handler<Env, R>];
        const { authorize } = guards.requireScope;
        app.on(method, path, (c: Context<Env, R>, next: Next) => {
          const authorizing = authorize(c, scope);
          return authorizing ? authorizing.then(() => handle(c, next)) : handle(c, next);
        });
      } else {
        const chain = [...(audit ? [audit] : []), ...(scope ? [guards.requireScope(scope)] : []), ...handlers] as [Handler<Env, R>];
        app.on(method, path, ...chain);
      }
      guards.operations.push(
        scope
          ? // Every scoped route may refuse the key; a declaration's own answers for these statuses (MLflow's shapes) win.
            { ...operation, 'x-flywheel-scope': scope, security: [{ bearer: [] }], responses: { ...problems(401, 403, 429), ...operation.responses } }
          : operation,
      );
      return routes;
    },
  };
  return routes;
}

/** OpenAPI's `/v1/models/{model}` as Hono's `/v1/models/:model`. */
export function honoPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}
