import { Hono } from 'hono';
import { z } from 'zod';
import {
  isResourceName,
  lineageGraph,
  type ApiKeyStore,
  type AuditLog,
  type DatasetRegistry,
  type DatasetVersion,
  type EndpointRecord,
  type EndpointStore,
  type LineageStart,
  type ModelRegistry,
  type Run,
  type RunStore,
} from '@flywheel/core';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, problems } from './openapi.ts';

export interface LineageDependencies {
  registry: Pick<ModelRegistry, 'listVersions' | 'getVersion'>;
  endpoints: Pick<EndpointStore, 'list' | 'history'>;
  /** Its `runs`: read per request (the docs build the app from ports that must not be touched). */
  retrain: { readonly runs: Pick<RunStore, 'get' | 'list'> };
  datasets?: Pick<DatasetRegistry, 'get'>;
  /** Who registered each version by hand; without it such versions say `unknown`. */
  audit?: Pick<AuditLog, 'query'>;
  apiKeys: Pick<ApiKeyStore, 'get'>;
}

const REFERENCE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,62}):([1-9]\d{0,9})$/;
const reference = z.string().regex(REFERENCE, 'must be name:version, e.g. churn:2');
export const lineageQuerySchema = z
  .object({
    version: reference.optional(),
    dataset: reference.optional(),
    run: z
      .string()
      .regex(/^run-[0-9a-f]{24}$/, 'must be a run id')
      .optional(),
    endpoint: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}(:[1-9]\d{0,9})?$/, 'must be an endpoint name, or name:configVersion')
      .optional(),
  })
  .refine((q) => [q.version, q.dataset, q.run, q.endpoint].filter((v) => v !== undefined).length === 1, {
    path: ['version'],
    message: 'give exactly one of version, dataset, run or endpoint',
  });

const split = (value: string) => {
  const [, name, number] = REFERENCE.exec(value) ?? [undefined, value, undefined];
  return { name: name!, number: number === undefined ? undefined : Number(number) };
};

/** Who made a node (`LineageActor` in @flywheel/core). */
const lineageActorSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('key'), id: z.string(), name: z.string().optional() }),
  z.strictObject({ type: z.literal('run'), id: z.string() }),
  z.strictObject({ type: z.literal('trigger'), id: z.string(), eventId: z.string().optional(), reason: z.string().optional() }),
  z.strictObject({ type: z.literal('component'), id: z.string() }),
  z.strictObject({ type: z.literal('unknown') }),
]);
const nodeBase = { id: z.string(), by: lineageActorSchema, at: z.string() };
/** A node of the graph (`LineageNode` in @flywheel/core), by kind. */
const lineageNodeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...nodeBase, kind: z.literal('dataset'), name: z.string(), version: z.int(), sha256: z.string(), rows: z.int() }),
  z.strictObject({
    ...nodeBase,
    kind: z.literal('run'),
    runId: z.string(),
    model: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    trigger: z.string(),
    finishedAt: z.string().optional(),
  }),
  z.strictObject({ ...nodeBase, kind: z.literal('version'), model: z.string(), version: z.int(), sha256: z.string() }),
  z.strictObject({
    ...nodeBase,
    kind: z.literal('endpoint-config'),
    endpoint: z.string(),
    configVersion: z.int(),
    change: z.string(),
    reason: z.string().optional(),
    current: z.boolean(),
  }),
]);

/** The graph (`LineageGraph` in @flywheel/core). */
export const lineageResponseSchema = z.strictObject({
  start: z.array(z.string()).describe('The nodes the query named'),
  nodes: z.array(lineageNodeSchema),
  edges: z.array(
    z.strictObject({
      from: z.string(),
      to: z.string(),
      relation: z.enum(['trained', 'merged-into', 'champion', 'registered', 'parent', 'served', 'shadowed']),
      variant: z.string().optional(),
      share: z.number().optional(),
    }),
  ),
});

/**
 * `GET /v1/lineage?version=m:2` (or `dataset=d:1`, `run=<id>`, `endpoint=e` or `e:3`): the graph
 * upstream and downstream of that node — dataset versions → runs → model versions → endpoint
 * config versions that served them — each node with who made it and when.
 */
export function lineageRoutes(deps: LineageDependencies, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/lineage',
      scope: 'read',
      tags: ['lineage'],
      summary: 'The lineage of a model version, dataset version, run or endpoint, upstream and downstream',
      description: 'Exactly one of version=model:n, dataset=name:n, run=<runId>, endpoint=name or name:configVersion.',
      request: { query: lineageQuerySchema },
      responses: {
        200: ok('The graph', lineageResponseSchema),
        ...problems(400, 404),
      },
    },
    async (c) => {
      const query = validate(lineageQuerySchema, c.req.query());
      const { start, models } = await resolveStart(deps, query);
      const facts = await gatherFacts(deps, models);
      const graph = lineageGraph(facts, start);
      if (graph.start.length === 0)
        throw new Problem(
          404,
          `Nothing in the lineage matches ${Object.entries(query)
            .map(([key, value]) => `${key}=${value}`)
            .join('')}.`,
        );
      return c.json(graph);
    },
  ).app;
}

async function resolveStart(deps: LineageDependencies, query: z.output<typeof lineageQuerySchema>): Promise<{ start: LineageStart; models: string[] }> {
  if (query.version) {
    const { name, number } = split(query.version);
    if (!(await deps.registry.getVersion(name, number!))) throw new Problem(404, `Model ${name} has no version ${number}.`);
    return { start: { kind: 'version', model: name, version: number! }, models: [name] };
  }
  if (query.dataset) {
    const { name, number } = split(query.dataset);
    const dataset = await deps.datasets?.get(name, number!);
    if (!dataset) throw new Problem(404, `There is no dataset ${query.dataset}.`);
    return { start: { kind: 'dataset', name, version: number! }, models: [name] };
  }
  if (query.run) {
    const run = await deps.retrain.runs.get(query.run);
    if (!run) throw new Problem(404, `No run ${query.run}.`);
    return { start: { kind: 'run', runId: run.runId }, models: [run.model] };
  }
  const [endpoint, configVersion] = query.endpoint!.split(':');
  const history = await endpointHistory(deps, endpoint);
  if (history.length === 0) throw new Problem(404, `No endpoint ${endpoint}.`);
  const models = [...new Set(history.flatMap((record) => [...record.config.variants, ...(record.config.shadows ?? [])].map((target) => target.model)))];
  return { start: { kind: 'endpoint', endpoint, ...(configVersion ? { configVersion: Number(configVersion) } : {}) }, models };
}

/** Everything about the models the graph is drawn from: their versions, runs, datasets, the configs naming them, who registered them. */
async function gatherFacts(deps: LineageDependencies, models: readonly string[]) {
  const [versions, runs, endpoints] = await Promise.all([
    Promise.all(models.map((model) => deps.registry.listVersions(model))).then((lists) => lists.flat()),
    Promise.all(models.map((model) => allRuns(deps, model))).then((lists) => lists.flat()),
    deps.endpoints.list(),
  ]);
  const histories = await Promise.all(endpoints.map((record) => endpointHistory(deps, record.endpoint)));
  const named = new Set(models);
  const configs = histories.filter((history) => history.some((record) => namesModel(record, named))).flat();
  const datasets = await referencedDatasets(deps, versions, runs);
  const registeredBy = new Map<string, { id: string; name: string }>();
  for (const model of models) for (const [version, key] of await registrations(deps, model)) registeredBy.set(`${model}:${version}`, key);
  const actors = [...new Set(configs.flatMap((record) => (record.change.actor ? [record.change.actor] : [])))];
  const keys = await Promise.all(actors.map(async (id) => [id, (await deps.apiKeys.get(id))?.name] as const));
  const keyNames = new Map(keys.flatMap(([id, name]) => (name !== undefined ? [[id, name] as const] : [])));
  return { versions, runs, datasets, configs, registeredBy, keyNames };
}

function namesModel(record: EndpointRecord, models: ReadonlySet<string>): boolean {
  return [...record.config.variants, ...(record.config.shadows ?? [])].some((target) => models.has(target.model));
}

async function allRuns(deps: LineageDependencies, model: string): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.retrain.runs.list(model, { limit: 200, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.next;
  } while (cursor);
  return runs;
}

async function endpointHistory(deps: LineageDependencies, endpoint: string): Promise<EndpointRecord[]> {
  const records: EndpointRecord[] = [];
  for (;;) {
    const page = await deps.endpoints.history(endpoint, { limit: 100, ...(records.length ? { before: records.at(-1)!.configVersion } : {}) });
    records.push(...page);
    if (page.length < 100) return records;
  }
}

/** The dataset versions runs and versions name, and those they merged, transitively. */
async function referencedDatasets(deps: LineageDependencies, versions: readonly { lineage: Record<string, unknown> }[], runs: readonly Run[]): Promise<DatasetVersion[]> {
  if (!deps.datasets) return [];
  const found = new Map<string, DatasetVersion>();
  let wanted = [
    ...runs.flatMap((run) => (run.dataset?.name !== undefined && run.dataset.version !== undefined ? [{ name: run.dataset.name, version: run.dataset.version }] : [])),
    ...versions.flatMap((version) => {
      const dataset = version.lineage.dataset as { name?: unknown; version?: unknown } | undefined;
      return typeof dataset?.name === 'string' && typeof dataset.version === 'number' ? [{ name: dataset.name, version: dataset.version }] : [];
    }),
  ];
  while (wanted.length) {
    const fresh = wanted.filter((ref) => !found.has(`${ref.name}:${ref.version}`) && isResourceName(ref.name));
    const loaded = (
      await Promise.all([...new Map(fresh.map((ref) => [`${ref.name}:${ref.version}`, ref])).values()].map((ref) => deps.datasets!.get(ref.name, ref.version)))
    ).filter((dataset): dataset is DatasetVersion => dataset !== undefined);
    for (const dataset of loaded) found.set(`${dataset.name}:${dataset.version}`, dataset);
    wanted = loaded.flatMap((dataset) => (dataset.source.merged && !found.has(`${dataset.source.merged.name}:${dataset.source.merged.version}`) ? [dataset.source.merged] : []));
  }
  return [...found.values()];
}

/** Version number → the key whose request created it, from the audit trail's successful registrations. */
async function registrations(deps: LineageDependencies, model: string): Promise<Map<number, { id: string; name: string }>> {
  const byVersion = new Map<number, { id: string; name: string }>();
  if (!deps.audit) return byVersion;
  const location = new RegExp(`^/v1/models/${model}/versions/(\\d+)$`);
  let cursor: string | undefined;
  do {
    const page = await deps.audit.query({ resource: `model:${model}`, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const record of page.records) {
      const version = record.method === 'POST' && record.status === 201 ? location.exec(record.after ?? '')?.[1] : undefined;
      if (version) byVersion.set(Number(version), { id: record.actor.keyId, name: record.actor.keyName });
    }
    cursor = page.next;
  } while (cursor);
  return byVersion;
}
