import { z } from 'zod';

/**
 * Every event type Flywheel emits and the shape of its `data`. Producers build events with the
 * builders in `builders.ts`; consumers read them with `parseEvent`. Data objects are not strict,
 * so a producer may add fields without breaking older consumers.
 */

const name = z.string().min(1).max(256);
const version = z.int().min(1);
const isoTime = z.iso.datetime({ offset: true });

const trainerRef = z.union([z.literal('builtin'), z.object({ webhook: z.string() })]);
export const retrainTriggerKind = z.enum(['drift', 'quality', 'performance', 'labels', 'schedule', 'manual', 'retry']);

const triggerRef = z.object({
  kind: retrainTriggerKind,
  /** The event that caused the run, when one did. */
  eventId: z.string().optional(),
  reason: z.string().max(1000).optional(),
});

const rollout = z.object({
  endpoint: name,
  variant: name,
  model: name,
  version: version.optional(),
  /** The endpoint config version the rollout produced. */
  configVersion: version.optional(),
  reason: z.string().max(1000).optional(),
});

const alert = {
  alertId: name,
  endpoint: name,
  kind: z.enum(['drift', 'quality', 'error_rate', 'latency', 'performance']),
  feature: name.optional(),
};

export const eventCatalogue = {
  'dev.flywheel.model.version.registered': z.object({
    model: name,
    version,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Lineage as registered; `runId` links a version to the retraining run that produced it. */
    lineage: z.looseObject({ runId: z.string().optional() }).optional(),
  }),
  'dev.flywheel.model.alias.moved': z.object({
    model: name,
    alias: name,
    version,
    previousVersion: version.nullable().optional(),
  }),
  'dev.flywheel.endpoint.updated': z.object({ endpoint: name, configVersion: version }),
  'dev.flywheel.drift.detected': z.object({
    endpoint: name,
    variant: name.optional(),
    window: z.object({ from: isoTime, to: isoTime, count: z.int().min(0) }),
    /** Drifted input features and outputs, by name. */
    features: z.array(name),
    predictions: z.array(name).default([]),
  }),
  'dev.flywheel.alert.opened': z.object({ ...alert, value: z.number(), threshold: z.number() }),
  'dev.flywheel.alert.resolved': z.object({ ...alert, by: z.enum(['policy', 'user']).default('policy') }),
  /** Ground truth joined to logged predictions; `count` rows newly labelled by one batch. */
  'dev.flywheel.labels.received': z.object({ endpoint: name, count: z.int().min(1) }),
  'dev.flywheel.retrain.requested': z.object({
    model: name,
    runId: name,
    endpoint: name.optional(),
    trigger: triggerRef,
    trainer: trainerRef,
    /**
     * The registered dataset version to train on (webhook runs). The copy POSTed to a webhook
     * trainer adds `url` and `expiresAt`: a presigned GET of its gzipped NDJSON; the recorded event has none.
     */
    dataset: z.object({ name, version, sha256: z.string().regex(/^[0-9a-f]{64}$/), url: z.string().optional(), expiresAt: isoTime.optional() }).optional(),
  }),
  'dev.flywheel.retrain.started': z.object({ model: name, runId: name, endpoint: name.optional(), attempt: z.int().min(1) }),
  'dev.flywheel.retrain.completed': z.object({
    model: name,
    runId: name,
    endpoint: name.optional(),
    /** The version the run registered; absent when it registered none. */
    version: version.optional(),
    metrics: z.record(z.string(), z.record(z.string(), z.number())).optional(),
    /** Whether the new version went out as a canary, and why (not). */
    canary: z.object({ started: z.boolean(), reason: z.string() }),
  }),
  'dev.flywheel.retrain.failed': z.object({
    model: name,
    runId: name,
    endpoint: name.optional(),
    attempt: z.int().min(1),
    error: z.string().max(4000),
  }),
  'dev.flywheel.rollout.promoted': rollout,
  'dev.flywheel.rollout.rolled_back': rollout,
} as const;

export type EventType = keyof typeof eventCatalogue;
export const eventTypes = Object.keys(eventCatalogue) as EventType[];
export type EventData<Type extends EventType> = z.output<(typeof eventCatalogue)[Type]>;
/** What a builder accepts: defaults (like `predictions: []`) may be left out. */
export type EventDataInput<Type extends EventType> = z.input<(typeof eventCatalogue)[Type]>;
export type RetrainTriggerKind = z.output<typeof retrainTriggerKind>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalogue, type);
}
