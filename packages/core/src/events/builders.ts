import { createEvent, type CloudEvent, type EventOptions } from './cloud-event.ts';
import { eventCatalogue, type EventData, type EventDataInput, type EventType } from './catalogue.ts';

export type FlywheelEvent<Type extends EventType = EventType> = CloudEvent<Type, EventData<Type>>;

interface Addressing {
  source: string;
  subject: string;
  /** Used when the caller passes no dedupe key; undefined means the caller must pass one. */
  dedupeKey?: string;
}

const models = (model: string) => `/models/${model}`;
const endpoints = (endpoint: string) => `/endpoints/${endpoint}`;

/**
 * Where each event points, and what tells two occurrences apart by default. A version, an
 * endpoint config version or a run is registered/requested/completed once, so the subject alone
 * identifies it; a run's start and failure repeat per attempt; an alert may open many times.
 */
const addressing: { [Type in EventType]: (data: EventData<Type>, options: EventOptions) => Addressing } = {
  'dev.flywheel.model.version.registered': (d) => ({ source: models(d.model), subject: `versions/${d.version}`, dedupeKey: d.sha256 }),
  'dev.flywheel.model.alias.moved': (d, o) => ({ source: models(d.model), subject: `aliases/${d.alias}`, dedupeKey: `${d.version}@${o.time}` }),
  'dev.flywheel.endpoint.updated': (d) => ({ source: endpoints(d.endpoint), subject: `config/${d.configVersion}`, dedupeKey: '' }),
  'dev.flywheel.drift.detected': (d) => ({
    source: endpoints(d.endpoint),
    subject: d.variant ? `variants/${d.variant}/drift` : 'drift',
    dedupeKey: `${d.window.from}/${d.window.to}`,
  }),
  'dev.flywheel.alert.opened': (d, o) => ({ source: endpoints(d.endpoint), subject: `alerts/${d.alertId}`, dedupeKey: o.time }),
  'dev.flywheel.alert.resolved': (d, o) => ({ source: endpoints(d.endpoint), subject: `alerts/${d.alertId}`, dedupeKey: o.time }),
  'dev.flywheel.labels.received': (d) => ({ source: endpoints(d.endpoint), subject: 'labels' }),
  'dev.flywheel.retrain.requested': (d) => ({ source: models(d.model), subject: `runs/${d.runId}`, dedupeKey: '' }),
  'dev.flywheel.retrain.started': (d) => ({ source: models(d.model), subject: `runs/${d.runId}`, dedupeKey: `attempt/${d.attempt}` }),
  'dev.flywheel.retrain.completed': (d) => ({ source: models(d.model), subject: `runs/${d.runId}`, dedupeKey: '' }),
  'dev.flywheel.retrain.failed': (d) => ({ source: models(d.model), subject: `runs/${d.runId}`, dedupeKey: `attempt/${d.attempt}` }),
  'dev.flywheel.rollout.promoted': (d, o) => ({
    source: endpoints(d.endpoint),
    subject: `variants/${d.variant}`,
    dedupeKey: d.configVersion === undefined ? o.time : `config/${d.configVersion}`,
  }),
  'dev.flywheel.rollout.rolled_back': (d, o) => ({
    source: endpoints(d.endpoint),
    subject: `variants/${d.variant}`,
    dedupeKey: d.configVersion === undefined ? o.time : `config/${d.configVersion}`,
  }),
};

/**
 * Builds a Flywheel event: validates `data` against the catalogue (a producer bug fails here,
 * not in every consumer) and derives the deterministic id.
 */
export async function buildEvent<Type extends EventType>(type: Type, data: EventDataInput<Type>, options: EventOptions): Promise<FlywheelEvent<Type>> {
  const parsed = eventCatalogue[type].parse(data) as EventData<Type>;
  const address = (addressing[type] as (d: EventData<Type>, o: EventOptions) => Addressing)(parsed, options);
  const dedupeKey = options.dedupeKey ?? address.dedupeKey;
  if (dedupeKey === undefined) throw new TypeError(`${type} needs a dedupeKey: nothing in its data tells occurrences apart`);
  return createEvent({ type, source: address.source, subject: address.subject, data: parsed, time: options.time, dedupeKey });
}

// Named builders for the common producers; each is `buildEvent` with its type fixed.
const builder =
  <Type extends EventType>(type: Type) =>
  (data: EventDataInput<Type>, options: EventOptions) =>
    buildEvent(type, data, options);

export const versionRegisteredEvent = builder('dev.flywheel.model.version.registered');
export const aliasMovedEvent = builder('dev.flywheel.model.alias.moved');
export const endpointUpdatedEvent = builder('dev.flywheel.endpoint.updated');
export const driftDetectedEvent = builder('dev.flywheel.drift.detected');
export const alertOpenedEvent = builder('dev.flywheel.alert.opened');
export const alertResolvedEvent = builder('dev.flywheel.alert.resolved');
/** Needs a dedupe key naming the batch (its message or batch id), so a redelivered batch is one event. */
export const labelsReceivedEvent = builder('dev.flywheel.labels.received');
export const retrainRequestedEvent = builder('dev.flywheel.retrain.requested');
export const retrainStartedEvent = builder('dev.flywheel.retrain.started');
export const retrainCompletedEvent = builder('dev.flywheel.retrain.completed');
export const retrainFailedEvent = builder('dev.flywheel.retrain.failed');
export const rolloutPromotedEvent = builder('dev.flywheel.rollout.promoted');
export const rolloutRolledBackEvent = builder('dev.flywheel.rollout.rolled_back');
