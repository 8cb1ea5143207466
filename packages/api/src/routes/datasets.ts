import { Hono } from 'hono';
import type { DatasetObjects, DatasetRegistry, DatasetVersion } from '@flywheel/core';
import type { RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { nameParam, positiveInt } from './path-params.ts';

export interface DatasetRouteDependencies {
  registry: DatasetRegistry;
  objects: Pick<DatasetObjects, 'downloadUrl'>;
}

/** How long a dataset's download URL works. */
const DOWNLOAD_EXPIRES_SECONDS = 900;

/**
 * Training datasets as registered, content-addressed versions (README, "Registry governance and
 * lineage"): `GET /v1/datasets`, `GET /v1/datasets/{name}` and `GET /v1/datasets/{name}/versions/{v}`
 * with a presigned download of the gzipped NDJSON. Scope read, like every GET: a read key can fetch
 * the training rows.
 */
export function datasetRoutes(deps: DatasetRouteDependencies, requireScope: RequireScope) {
  return new Hono()
    .get('/v1/datasets', requireScope('read'), async (c) => {
      const names = await deps.registry.listNames();
      const datasets = await Promise.all(
        names.map(async (name) => {
          const versions = await deps.registry.listVersions(name);
          const latest = versions.at(-1);
          return latest ? [{ name, latestVersion: latest.version, versions: versions.length, updatedAt: latest.createdAt }] : [];
        }),
      );
      return c.json({ datasets: datasets.flat() });
    })
    .get('/v1/datasets/:name', requireScope('read'), async (c) => {
      const name = nameParam(c, 'name');
      const versions = await deps.registry.listVersions(name);
      if (versions.length === 0) throw new Problem(404, `No dataset ${name}.`);
      return c.json({ name, latestVersion: versions.at(-1)!.version, versions });
    })
    .get('/v1/datasets/:name/versions/:version', requireScope('read'), async (c) => {
      const name = nameParam(c, 'name');
      const number = positiveInt(c.req.param('version'), 'version');
      const dataset = await deps.registry.get(name, number);
      if (!dataset) throw new Problem(404, `Dataset ${name} has no version ${number}.`);
      return c.json(await withDownload(deps, dataset));
    });
}

async function withDownload(deps: DatasetRouteDependencies, dataset: DatasetVersion) {
  const { url, expiresAt } = await deps.objects.downloadUrl(dataset.sha256, { expiresInSeconds: DOWNLOAD_EXPIRES_SECONDS });
  return { ...dataset, download: { url, expiresAt, contentType: 'application/x-ndjson', contentEncoding: 'gzip' } };
}
