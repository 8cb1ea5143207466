import { z } from 'zod';
import { Hono, type Context } from 'hono';
import {
  approveStage,
  changeStage,
  deleteVersion,
  deleteVersionSchema,
  describeReferences,
  initialGovernance,
  rejectStage,
  retag,
  servingReferences,
  stageChangeSchema,
  stageDecisionSchema,
  tagChangeSchema,
  type Actor,
  type EndpointStore,
  type GovernanceOutcome,
  type GovernanceRecord,
  type GovernanceStore,
  type ModelRegistry,
  type ModelVersion,
  resourceNameSchema,
  stageSchema,
} from '@flywheel/core';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { MAX_CONFIG_BODY_BYTES, readJson } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { governedVersionSchema } from './models.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, positiveIntSchema, problems } from './openapi.ts';

export interface GovernanceDependencies {
  registry: ModelRegistry;
  endpoints: Pick<EndpointStore, 'list'>;
  governance: GovernanceStore;
  /** The serving path of this process, which forgets a deleted version. */
  serving: { forgetVersion(model: string, version: number): void };
}

/** Lost races for the next revision before the change is refused as contended. */
const APPEND_ATTEMPTS = 5;

/** A version as the API shows it: the registered record with its current stage and tags. */

export function governedVersion(version: ModelVersion, governance: GovernanceRecord | undefined) {
  const state = governance ?? initialGovernance(version);
  return { ...version, stage: state.stage, tags: { ...state.tags }, ...(state.pending ? { pendingStage: state.pending } : {}) };
}

/** 410 for a version that was deleted, saying by whom, when and why. */
export function deletedProblem(model: string, version: number, deleted: NonNullable<GovernanceRecord['deleted']>): Problem {
  return new Problem(410, `${model} version ${version} was deleted at ${deleted.at} by key ${deleted.by.keyName}: ${deleted.reason}`);
}

/** The current governance of a version (its initial state when nothing changed it yet). */
export async function currentGovernance(store: GovernanceStore, version: ModelVersion): Promise<GovernanceRecord> {
  return (await store.history(version.model, version.version))[0] ?? initialGovernance(version);
}

/** The API key behind a change (`Actor` in @flywheel/core). */
const actorSchema = z.strictObject({ keyId: z.string(), keyName: z.string() });
const stageRequestSchema = z.strictObject({ stage: stageSchema, reason: z.string(), requestedBy: actorSchema, requestedAt: z.string() });
const deletedSchema = z.strictObject({ by: actorSchema, at: z.string(), reason: z.string() });
/** What a revision changed (`GovernanceChange` in @flywheel/core). */
const governanceChangeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('registered'), at: z.string() }),
  z.strictObject({ kind: z.literal('stage'), from: stageSchema, to: stageSchema, reason: z.string(), by: actorSchema, at: z.string(), request: stageRequestSchema.optional() }),
  z.strictObject({ kind: z.literal('stage-requested'), request: stageRequestSchema, by: actorSchema, at: z.string() }),
  z.strictObject({ kind: z.literal('stage-rejected'), request: stageRequestSchema, reason: z.string(), by: actorSchema, at: z.string() }),
  z.strictObject({ kind: z.literal('tags'), set: z.record(z.string(), z.string()), removed: z.array(z.string()), by: actorSchema, at: z.string(), reason: z.string().optional() }),
  z.strictObject({ kind: z.literal('deleted'), reason: z.string(), by: actorSchema, at: z.string() }),
]);
/** One revision (`GovernanceRecord` in @flywheel/core): the version's state after `change`. */
const governanceRecordSchema = z.strictObject({
  model: z.string(),
  version: z.int(),
  revision: z.int(),
  stage: stageSchema,
  tags: z.record(z.string(), z.string()),
  pending: stageRequestSchema.optional(),
  deleted: deletedSchema.optional(),
  change: governanceChangeSchema,
});
export const governanceResponseSchema = z.strictObject({
  model: z.string(),
  version: z.int(),
  stage: stageSchema,
  tags: z.record(z.string(), z.string()),
  pendingStage: stageRequestSchema.optional(),
  deleted: deletedSchema.optional(),
  history: z.array(governanceRecordSchema).describe('Newest first'),
});

/**
 * Stages with approval, tags and deletion of model versions (README, "Registry governance and
 * lineage"). Every change names its key, time and reason, and is kept as the version's history.
 */
export function governanceRoutes(deps: GovernanceDependencies, guards: RouteGuards) {
  const { registry, governance } = deps;

  /** Reads the version's state, decides, appends; a lost race decides again on the newer state. */
  async function apply(
    c: Context<{ Variables: AuthVariables }>,
    decide: (current: GovernanceRecord, version: ModelVersion, actor: Actor, at: string) => Promise<GovernanceOutcome | { healed: GovernanceRecord }> | GovernanceOutcome,
  ) {
    const model = nameParam(c, 'model');
    const number = positiveInt(c.req.param('version'), 'version');
    const version = await registry.getVersion(model, number);
    if (!version) throw await missing(model, number);
    const key = c.get('apiKey');
    const actor = { keyId: key.id, keyName: key.name };
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const current = await currentGovernance(governance, version);
      const outcome = await decide(current, version, actor, new Date().toISOString());
      if ('healed' in outcome) return { version, record: outcome.healed };
      if ('refused' in outcome) throw new Problem(outcome.refused.status, outcome.refused.detail);
      if (await governance.append(outcome.record)) return { version, record: outcome.record };
    }
    throw new Problem(409, `The governance of ${model} version ${number} kept changing; read it and try again.`);
  }

  /** 409 while any endpoint's current config names the version, as a variant or shadow, directly or by alias. */
  async function refuseWhileServed(version: ModelVersion, action: string) {
    const [endpoints, aliases] = await Promise.all([deps.endpoints.list(), registry.listAliases(version.model)]);
    const references = servingReferences(endpoints, aliases, version.model, version.version);
    if (references.length) {
      throw new Problem(409, `${version.model} version ${version.version} cannot be ${action}: ${describeReferences(references)} serves it. Take it out of those configs first.`, {
        extensions: { references },
      });
    }
  }

  async function missing(model: string, number: number): Promise<Problem> {
    const deleted = (await governance.history(model, number))[0]?.deleted;
    return deleted ? deletedProblem(model, number, deleted) : new Problem(404, `Model ${model} has no version ${number}.`);
  }

  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/versions/{version}/stage',
        scope: 'deploy',
        audited: true,
        tags: ['governance'],
        summary: 'Move a version to a stage',
        description:
          'none → staging → production → archived (staging and production may step back; archived returns to staging). Production waits for another key to approve (202). Archiving a version an endpoint serves or shadows is refused (409).',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }), body: json(stageChangeSchema) },
        responses: { 200: ok('Moved', governedVersionSchema), 202: ok('Waiting for approval', governedVersionSchema), ...problems(400, 404, 409, 422) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, stageChangeSchema);
        const { version, record } = await apply(c, async (current, version, by, at) => {
          const outcome = changeStage(current, { ...body, by, at });
          if ('record' in outcome && outcome.record.stage === 'archived' && current.stage !== 'archived') await refuseWhileServed(version, 'archived');
          return outcome;
        });
        return c.json(governedVersion(version, record), record.pending ? 202 : 200);
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/versions/{version}/stage/approve',
        scope: 'deploy',
        audited: true,
        tags: ['governance'],
        summary: 'Approve the pending stage change (another key than the one that asked)',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }), body: json(stageDecisionSchema) },
        responses: { 200: ok('Moved', governedVersionSchema), ...problems(400, 403, 404, 409) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, stageDecisionSchema);
        const { version, record } = await apply(c, (current, _version, by, at) => approveStage(current, { ...body, by, at }));
        return c.json(governedVersion(version, record));
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/versions/{version}/stage/reject',
        scope: 'deploy',
        audited: true,
        tags: ['governance'],
        summary: 'Reject (or withdraw) the pending stage change',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }), body: json(stageDecisionSchema) },
        responses: { 200: ok('Rejected', governedVersionSchema), ...problems(400, 404, 409) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, stageDecisionSchema);
        const { version, record } = await apply(c, (current, _version, by, at) => rejectStage(current, { ...body, by, at }));
        return c.json(governedVersion(version, record));
      },
    )
    .route(
      {
        method: 'patch',
        path: '/v1/models/{model}/versions/{version}/tags',
        scope: 'deploy',
        tags: ['governance'],
        summary: 'Set and remove tags of a version',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }), body: json(tagChangeSchema) },
        responses: { 200: ok('The version with its new tags', governedVersionSchema), ...problems(400, 404, 409, 422) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, tagChangeSchema);
        const { version, record } = await apply(c, (current, _version, by, at) => retag(current, { ...body, by, at }));
        return c.json(governedVersion(version, record));
      },
    )
    .route(
      {
        method: 'delete',
        path: '/v1/models/{model}/versions/{version}',
        scope: 'deploy',
        tags: ['governance'],
        summary: 'Delete a version (refused while an endpoint serves or shadows it)',
        description: 'It is no longer found, listed or served; its number is not reused and its bytes are not registered again.',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }), body: json(deleteVersionSchema) },
        responses: { 204: { description: 'Deleted' }, ...problems(400, 404, 409, 410) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, deleteVersionSchema);
        const { version, record } = await apply(c, async (current, version, by, at) => {
          // Recorded before but not hidden (the request died in between): finish it.
          if (current.deleted) return { healed: current };
          await refuseWhileServed(version, 'deleted');
          return deleteVersion(current, { ...body, by, at });
        });
        // Recorded first, hidden second: a retry after a crash in between finds the record and finishes.
        await registry.markDeleted(version.model, version.version, { at: record.deleted!.at, actor: record.deleted!.by.keyId, reason: record.deleted!.reason });
        deps.serving.forgetVersion(version.model, version.version);
        return c.body(null, 204);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}/versions/{version}/governance',
        scope: 'read',
        tags: ['governance'],
        summary: 'A version’s stage, tags and every change to them, newest first',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }) },
        responses: { 200: ok('The governance', governanceResponseSchema), ...problems(404) },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const number = positiveInt(c.req.param('version'), 'version');
        const [version, history] = await Promise.all([registry.getVersion(model, number), governance.history(model, number)]);
        if (!version && !history[0]?.deleted) throw new Problem(404, `Model ${model} has no version ${number}.`);
        const { stage, tags, pending, deleted } = history[0] ?? initialGovernance(version!);
        return c.json({ model, version: number, stage, tags, ...(pending ? { pendingStage: pending } : {}), ...(deleted ? { deleted } : {}), history });
      },
    ).app;
}
