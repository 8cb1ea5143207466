import { z } from 'zod';
import type { EndpointRecord } from './endpoint.ts';
import type { AliasChange, ModelVersion } from './model-version.ts';

/**
 * Registry governance: a version's stage (`none → staging → production → archived`), its
 * mutable tags, and every change to either, each with who, when and why. A version's
 * governance is a chain of revisions; the newest is its state, the rest its history.
 */
export const STAGES = ['none', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];

/** The API key behind a change: what the audit trail calls the actor. */
export interface Actor {
  readonly keyId: string;
  readonly keyName: string;
}

/** A move to a stage that waits for another key's approval. */
export interface StageRequest {
  readonly stage: Stage;
  readonly reason: string;
  readonly requestedBy: Actor;
  readonly requestedAt: string;
}

export type GovernanceChange =
  | { readonly kind: 'registered'; readonly at: string }
  | { readonly kind: 'stage'; readonly from: Stage; readonly to: Stage; readonly reason: string; readonly by: Actor; readonly at: string; readonly request?: StageRequest }
  | { readonly kind: 'stage-requested'; readonly request: StageRequest; readonly by: Actor; readonly at: string }
  | { readonly kind: 'stage-rejected'; readonly request: StageRequest; readonly reason: string; readonly by: Actor; readonly at: string }
  | {
      readonly kind: 'tags';
      readonly set: Readonly<Record<string, string>>;
      readonly removed: readonly string[];
      readonly by: Actor;
      readonly at: string;
      readonly reason?: string;
    }
  | { readonly kind: 'deleted'; readonly reason: string; readonly by: Actor; readonly at: string };

/** One revision of a version's governance: its state after `change`. */
export interface GovernanceRecord {
  readonly model: string;
  readonly version: number;
  /** Counts from 1 per version; 0 is the state a version has before any change. */
  readonly revision: number;
  readonly stage: Stage;
  readonly tags: Readonly<Record<string, string>>;
  readonly pending?: StageRequest;
  readonly deleted?: { readonly by: Actor; readonly at: string; readonly reason: string };
  readonly change: GovernanceChange;
}

/** Where the next stage may be; production only through an approved request. */
const TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  none: ['staging', 'archived'],
  staging: ['production', 'none', 'archived'],
  production: ['staging', 'archived'],
  archived: ['staging'],
};
/** Stages a version enters only when a second key approves the request. */
const NEEDS_APPROVAL: ReadonlySet<Stage> = new Set(['production']);

export const stageSchema = z.enum(STAGES);
const reasonSchema = z.string().trim().min(1, 'say why').max(1000);
const tagKey = z.string().min(1).max(128);

export const stageChangeSchema = z.strictObject({ stage: stageSchema, reason: reasonSchema });
export const stageDecisionSchema = z.strictObject({ reason: reasonSchema });
export const tagChangeSchema = z
  .strictObject({
    set: z.record(tagKey, z.string().max(256)).optional(),
    remove: z.array(tagKey).max(100).optional(),
    reason: z.string().max(1000).optional(),
  })
  .refine((body) => Object.keys(body.set ?? {}).length + (body.remove?.length ?? 0) > 0, 'set or remove at least one tag');
export const deleteVersionSchema = z.strictObject({ reason: reasonSchema });

/** Why a change cannot be made: 409 when it conflicts with the version's state, 422 when the lifecycle has no such step, 403 for a self-approval. */
export interface GovernanceRefusal {
  readonly status: 403 | 409 | 422;
  readonly detail: string;
}

export type GovernanceOutcome = { readonly record: GovernanceRecord } | { readonly refused: GovernanceRefusal };

/** A version's governance before anything changed it: stage none, the tags it was registered with. */
export function initialGovernance(version: Pick<ModelVersion, 'model' | 'version' | 'tags' | 'createdAt'>): GovernanceRecord {
  return { model: version.model, version: version.version, revision: 0, stage: 'none', tags: { ...(version.tags ?? {}) }, change: { kind: 'registered', at: version.createdAt } };
}

function next(current: GovernanceRecord, patch: Partial<Pick<GovernanceRecord, 'stage' | 'tags' | 'pending' | 'deleted'>>, change: GovernanceChange): GovernanceRecord {
  const { pending: _pending, ...kept } = current;
  const pending = 'pending' in patch ? patch.pending : current.pending;
  return { ...kept, ...patch, ...(pending ? { pending } : {}), revision: current.revision + 1, change };
}

const refuse = (status: GovernanceRefusal['status'], detail: string): GovernanceOutcome => ({ refused: { status, detail } });
const label = (current: GovernanceRecord) => `${current.model} version ${current.version}`;

/**
 * Asks for a stage. A step into a stage that needs approval becomes a pending request; any other
 * allowed step is made at once. Leaving a stage drops a pending request, which asked from the old one.
 */
export function changeStage(current: GovernanceRecord, request: { stage: Stage; reason: string; by: Actor; at: string }): GovernanceOutcome {
  if (current.deleted) return refuse(409, `${label(current)} is deleted.`);
  if (request.stage === current.stage) return refuse(409, `${label(current)} is already in stage ${current.stage}.`);
  if (!TRANSITIONS[current.stage].includes(request.stage)) {
    return refuse(422, `${label(current)} is in stage ${current.stage}; from there it can move to ${TRANSITIONS[current.stage].join(', ')}, not ${request.stage}.`);
  }
  if (NEEDS_APPROVAL.has(request.stage)) {
    if (current.pending) return refuse(409, `A move of ${label(current)} to ${current.pending.stage} is already waiting for approval.`);
    const pending: StageRequest = { stage: request.stage, reason: request.reason, requestedBy: request.by, requestedAt: request.at };
    return { record: next(current, { pending }, { kind: 'stage-requested', request: pending, by: request.by, at: request.at }) };
  }
  return {
    record: next(
      current,
      { stage: request.stage, pending: undefined },
      { kind: 'stage', from: current.stage, to: request.stage, reason: request.reason, by: request.by, at: request.at },
    ),
  };
}

/** Approves the pending request: only another key than the one that asked may. */
export function approveStage(current: GovernanceRecord, decision: { reason: string; by: Actor; at: string }): GovernanceOutcome {
  const pending = current.pending;
  if (current.deleted) return refuse(409, `${label(current)} is deleted.`);
  if (!pending) return refuse(409, `No stage change of ${label(current)} is waiting for approval.`);
  if (pending.requestedBy.keyId === decision.by.keyId) return refuse(403, `Key ${decision.by.keyName} asked for this change; another key must approve it.`);
  return {
    record: next(
      current,
      { stage: pending.stage, pending: undefined },
      { kind: 'stage', from: current.stage, to: pending.stage, reason: decision.reason, by: decision.by, at: decision.at, request: pending },
    ),
  };
}

/** Turns the pending request down; any key with the scope may, the asker too (withdrawing it). */
export function rejectStage(current: GovernanceRecord, decision: { reason: string; by: Actor; at: string }): GovernanceOutcome {
  const pending = current.pending;
  if (!pending) return refuse(409, `No stage change of ${label(current)} is waiting for approval.`);
  return { record: next(current, { pending: undefined }, { kind: 'stage-rejected', request: pending, reason: decision.reason, by: decision.by, at: decision.at }) };
}

/** Sets and removes tags; setting a tag to its value and removing an absent one change nothing and are refused as such. */
export function retag(current: GovernanceRecord, change: { set?: Record<string, string>; remove?: readonly string[]; reason?: string; by: Actor; at: string }): GovernanceOutcome {
  if (current.deleted) return refuse(409, `${label(current)} is deleted.`);
  const set = change.set ?? {};
  const removed = (change.remove ?? []).filter((key) => key in current.tags && !(key in set));
  const overlap = (change.remove ?? []).filter((key) => key in set);
  if (overlap.length) return refuse(422, `Tag ${overlap[0]} is both set and removed.`);
  const tags: Record<string, string> = { ...current.tags, ...set };
  for (const key of removed) delete tags[key];
  const changed = Object.entries(set).filter(([key, value]) => current.tags[key] !== value);
  if (changed.length === 0 && removed.length === 0) return refuse(409, `The tags of ${label(current)} already are as asked.`);
  return {
    record: next(current, { tags }, { kind: 'tags', set: Object.fromEntries(changed), removed, by: change.by, at: change.at, ...(change.reason ? { reason: change.reason } : {}) }),
  };
}

/** Marks the version deleted; the caller has checked that nothing serves it. */
export function deleteVersion(current: GovernanceRecord, change: { reason: string; by: Actor; at: string }): GovernanceOutcome {
  if (current.deleted) return refuse(409, `${label(current)} is already deleted.`);
  const deleted = { by: change.by, at: change.at, reason: change.reason };
  return { record: next(current, { deleted, pending: undefined }, { kind: 'deleted', ...deleted }) };
}

/** Where an endpoint config names a version, directly or through an alias that points at it. */
export interface ServingReference {
  readonly endpoint: string;
  readonly configVersion: number;
  readonly role: 'variant' | 'shadow';
  readonly name: string;
  readonly alias?: string;
}

/**
 * Every variant and shadow of the endpoints' current configs that resolves to the version
 * (weight 0 included: the config still names it, one weight change from traffic).
 */
export function servingReferences(
  endpoints: readonly EndpointRecord[],
  aliases: readonly Pick<AliasChange, 'model' | 'alias' | 'version'>[],
  model: string,
  version: number,
): ServingReference[] {
  const aliased = new Set(aliases.filter((a) => a.model === model && a.version === version).map((a) => a.alias));
  const references: ServingReference[] = [];
  for (const record of endpoints) {
    const targets = [...record.config.variants.map((v) => ({ role: 'variant' as const, ...v })), ...(record.config.shadows ?? []).map((s) => ({ role: 'shadow' as const, ...s }))];
    for (const target of targets) {
      if (target.model !== model) continue;
      if (target.version === version || (target.alias !== undefined && aliased.has(target.alias))) {
        references.push({
          endpoint: record.endpoint,
          configVersion: record.configVersion,
          role: target.role,
          name: target.name,
          ...(target.alias !== undefined ? { alias: target.alias } : {}),
        });
      }
    }
  }
  return references;
}

/** "endpoint demo (variant candidate), endpoint shadowed (shadow next via alias next)" */
export function describeReferences(references: readonly ServingReference[]): string {
  return references.map((r) => `endpoint ${r.endpoint} (${r.role} ${r.name}${r.alias ? ` via alias ${r.alias}` : ''})`).join(', ');
}

/** Search over versions: `tag` is `key` or `key:value`, `q` a case-insensitive substring of the model name or description. */
export interface VersionFilter {
  readonly tag?: string;
  readonly stage?: Stage;
  readonly q?: string;
}

export function matchesFilter(version: Pick<ModelVersion, 'model' | 'description'>, governance: Pick<GovernanceRecord, 'stage' | 'tags'>, filter: VersionFilter): boolean {
  if (filter.stage && governance.stage !== filter.stage) return false;
  if (filter.tag) {
    const colon = filter.tag.indexOf(':');
    const [key, value] = colon < 0 ? [filter.tag, undefined] : [filter.tag.slice(0, colon), filter.tag.slice(colon + 1)];
    if (!(key in governance.tags) || (value !== undefined && governance.tags[key] !== value)) return false;
  }
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    if (!version.model.toLowerCase().includes(needle) && !(version.description ?? '').toLowerCase().includes(needle)) return false;
  }
  return true;
}
