import { Hono } from 'hono';
import { z } from 'zod';
import { doesNotExist, type TrackingArtifacts, type TrackingStore } from '@flywheel/core';
import { maxResults, readParams, runIdFields, runIdOf } from './request.ts';
import { mlflowOperation } from './openapi.ts';
import { declareRoutes, type RouteGuards } from '../define-route.ts';

const listQuery = z.object({ ...runIdFields, path: z.string().optional().default(''), page_token: z.string().optional(), max_results: maxResults(1000, 1000) });

const listAnswer = z.object({
  root_uri: z.string(),
  files: z.array(z.object({ path: z.string(), is_dir: z.boolean(), file_size: z.number().optional() })),
  next_page_token: z.string().optional(),
});

/** artifacts/list: what lies under a run's artifact URI in S3, one directory at a time. */
export function artifactRoutes(store: TrackingStore, artifacts: TrackingArtifacts, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    mlflowOperation('read', 'get', 'artifacts/list', "The files under a run's artifact root in S3 {run_id, path?}", listQuery, listAnswer),
    async (c) => {
      const params = await readParams(c, listQuery);
      const runId = runIdOf(params);
      const run = await store.getRun(runId);
      if (!run) throw doesNotExist(`Run with id=${runId} not found`);
      const page = await artifacts.list(run.artifactUri, params.path, { pageToken: params.page_token, maxResults: params.max_results });
      return c.json({
        root_uri: run.artifactUri,
        files: page.files.map((file) => ({ path: file.path, is_dir: file.isDir, ...(file.fileSize !== undefined ? { file_size: file.fileSize } : {}) })),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      });
    },
  ).app;
}
