import { Hono } from 'hono';
import { z } from 'zod';
import { resourceNameSchema, type DatasetObjects, type DatasetRegistry, type DatasetVersion } from '@flywheel/core';
import { Problem } from '../problem.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, positiveIntSchema, problems } from './openapi.ts';

export interface DatasetRouteDependencies {
  registry: DatasetRegistry;
  objects: Pick<DatasetObjects, 'downloadUrl'>;
}

/** A dataset's label summary (`DatasetManifest['labels']` in @flywheel/core): rows per class, or the values' statistics. */
export const datasetLabelsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('classes'), counts: z.record(z.string(), z.int()) }),
  z.strictObject({ kind: z.literal('values'), mean: z.number(), std: z.number(), min: z.number(), max: z.number() }),
]);

export const datasetVersionSchema = z.object({
  name: z.string(),
  version: z.int(),
  sha256: z.string(),
  rows: z.int(),
  sizeBytes: z.int(),
  schema: z.object({
    features: z.array(z.object({ name: z.string(), kind: z.enum(['numerical', 'categorical']), categories: z.array(z.union([z.string(), z.number()])).optional() })),
    label: z.object({ task: z.string(), classes: z.array(z.union([z.string(), z.number()])).optional() }),
  }),
  labels: datasetLabelsSchema,
  timeRange: z.object({ from: z.string(), to: z.string() }),
  source: z.object({
    endpoint: z.string().optional(),
    window: z.object({ from: z.string(), to: z.string() }).optional(),
    merged: z.object({ name: z.string(), version: z.int(), sha256: z.string() }).optional(),
  }),
  createdBy: z.object({ runId: z.string() }),
  createdAt: z.string(),
  erasures: z
    .array(z.strictObject({ erasureId: z.string(), rows: z.int(), at: z.string() }))
    .optional()
    .describe('Erasures by subject that removed rows from the stored bytes since'),
});

/** How long a dataset's download URL works. */
const DOWNLOAD_EXPIRES_SECONDS = 900;

/**
 * Training datasets as registered, content-addressed versions (README, "Registry governance and
 * lineage"): `GET /v1/datasets`, `GET /v1/datasets/{name}` and `GET /v1/datasets/{name}/versions/{v}`
 * with a presigned download of the gzipped NDJSON. Scope read, like every GET: a read key can fetch
 * the training rows.
 */
export function datasetRoutes(deps: DatasetRouteDependencies, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards)
    .route(
      {
        method: 'get',
        path: '/v1/datasets',
        scope: 'read',
        tags: ['datasets'],
        summary: 'List training datasets',
        responses: {
          200: ok(
            'Every dataset name with its latest version',
            z.object({ datasets: z.array(z.object({ name: z.string(), latestVersion: z.int(), versions: z.int(), updatedAt: z.string() })) }),
          ),
        },
      },
      async (c) => {
        const names = await deps.registry.listNames();
        const datasets = await Promise.all(
          names.map(async (name) => {
            const versions = await deps.registry.listVersions(name);
            const latest = versions.at(-1);
            return latest ? [{ name, latestVersion: latest.version, versions: versions.length, updatedAt: latest.createdAt }] : [];
          }),
        );
        return c.json({ datasets: datasets.flat() });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/datasets/{name}',
        scope: 'read',
        tags: ['datasets'],
        summary: 'A dataset’s versions, oldest first',
        request: { params: params({ name: resourceNameSchema }) },
        responses: { 200: ok('The dataset', z.object({ name: z.string(), latestVersion: z.int(), versions: z.array(datasetVersionSchema) })), ...problems(404) },
      },
      async (c) => {
        const name = nameParam(c, 'name');
        const versions = await deps.registry.listVersions(name);
        if (versions.length === 0) throw new Problem(404, `No dataset ${name}.`);
        return c.json({ name, latestVersion: versions.at(-1)!.version, versions });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/datasets/{name}/versions/{version}',
        scope: 'read',
        tags: ['datasets'],
        summary: 'A dataset version, with a presigned download of its gzipped NDJSON',
        request: { params: params({ name: resourceNameSchema, version: positiveIntSchema }) },
        responses: {
          200: ok(
            'The version',
            datasetVersionSchema.extend({ download: z.object({ url: z.string(), expiresAt: z.string(), contentType: z.string(), contentEncoding: z.string() }) }),
          ),
          ...problems(400, 404),
        },
      },
      async (c) => {
        const name = nameParam(c, 'name');
        const number = positiveInt(c.req.param('version'), 'version');
        const dataset = await deps.registry.get(name, number);
        if (!dataset) throw new Problem(404, `Dataset ${name} has no version ${number}.`);
        return c.json(await withDownload(deps, dataset));
      },
    ).app;
}

async function withDownload(deps: DatasetRouteDependencies, dataset: DatasetVersion) {
  const { url, expiresAt } = await deps.objects.downloadUrl(dataset.sha256, { expiresInSeconds: DOWNLOAD_EXPIRES_SECONDS });
  return { ...dataset, download: { url, expiresAt, contentType: 'application/x-ndjson', contentEncoding: 'gzip' } };
}
