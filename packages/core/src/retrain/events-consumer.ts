import { parseEvent } from '../events/parse.ts';
import { retrainCompletedEvent, retrainFailedEvent, type FlywheelEvent } from '../events/builders.ts';
import type { EventStore } from '../events/ports.ts';
import { webhookOrigin, type WebhookDeliveryOptions } from '../events/webhook-delivery.ts';
import { silentLogger, type Logger } from '../logging/logger.ts';
import type { EndpointStore } from '../registry/ports.ts';
import { finishRetrain, signalRetrain, type RetrainPorts } from './coordinator.ts';
import type { DatasetObjects } from './dataset-version.ts';
import { championVariant, runIdFor } from './ids.ts';
import type { AlertTriggerKind, RetrainSignal } from './policy.ts';
import { appendRunLog, type Run } from './run.ts';
import { deliverTrainerWebhook, WebhookDeliveryError, type SecretResolver } from './webhook-trainer.ts';

export interface EventsConsumerDependencies {
  readonly events: EventStore;
  readonly retrain: RetrainPorts;
  readonly endpoints: Pick<EndpointStore, 'current'>;
  readonly secrets: SecretResolver;
  readonly webhook?: WebhookDeliveryOptions;
  /** Presigns the download of the dataset a webhook run is requested with; without it the trainer gets the version only. */
  readonly datasets?: Pick<DatasetObjects, 'downloadUrl'>;
  readonly now?: () => Date;
  /** Where it logs (default: nowhere; the events function passes Powertools Logger). */
  readonly logger?: Logger;
}

export interface EventMessage {
  readonly messageId: string;
  readonly body: string;
}

/**
 * One message of the events function: records the event (idempotent on its id), turns drift,
 * quality and performance alerts and labels into retraining signals for the model the endpoint
 * mostly serves, delivers retraining requests to webhook trainers, and closes a webhook run when
 * its model comes back registered with `lineage.runId`. An invalid event is dropped; a failure
 * throws, so the batch reports the message for redelivery (every step is safe to repeat).
 */
export async function consumeEvent(deps: EventsConsumerDependencies, message: EventMessage): Promise<void> {
  const logger = deps.logger ?? silentLogger;
  const parsed = parseEvent(message.body);
  if (!parsed.ok) {
    // Retrying will not make it valid; the queue's dead-letter queue is for failures that might pass.
    logger.warn('dropped an invalid event', { messageId: message.messageId, reason: parsed.error });
    return;
  }
  try {
    await deps.events.record(parsed.event);
    if (parsed.known) await act(deps, parsed.event);
  } catch (error) {
    logger.error('event handling failed; it will be redelivered', { eventId: parsed.event.id, type: parsed.event.type, error: String(error) });
    throw error;
  }
}

/** Alert kinds that are retraining signals (when the endpoint's policy lists them); health alerts are not. */
const RETRAINING_ALERTS = new Map<string, AlertTriggerKind>([
  ['drift', 'drift'],
  ['quality', 'quality'],
  ['performance', 'performance'],
]);

async function act(deps: EventsConsumerDependencies, event: FlywheelEvent): Promise<void> {
  switch (event.type) {
    case 'dev.flywheel.drift.detected': {
      const data = (event as FlywheelEvent<typeof event.type>).data;
      return signalFromEndpoint(deps, data.endpoint, { kind: 'drift', id: event.id, endpoint: data.endpoint, at: event.time });
    }
    case 'dev.flywheel.alert.opened': {
      const data = (event as FlywheelEvent<typeof event.type>).data;
      const kind = RETRAINING_ALERTS.get(data.kind);
      if (kind === undefined) return;
      return signalFromEndpoint(deps, data.endpoint, { kind, id: event.id, endpoint: data.endpoint, at: event.time });
    }
    case 'dev.flywheel.labels.received': {
      const data = (event as FlywheelEvent<typeof event.type>).data;
      return signalFromEndpoint(deps, data.endpoint, { kind: 'labels', id: event.id, endpoint: data.endpoint, count: data.count, at: event.time });
    }
    case 'dev.flywheel.retrain.requested':
      return requestExternalTraining(deps, event as FlywheelEvent<typeof event.type>);
    case 'dev.flywheel.model.version.registered':
      return completeExternalRun(deps, event as FlywheelEvent<typeof event.type>);
    default:
      return;
  }
}

async function signalFromEndpoint(deps: EventsConsumerDependencies, endpoint: string, signal: RetrainSignal): Promise<void> {
  const current = await deps.endpoints.current(endpoint);
  if (!current) return deps.logger?.warn('signal for an unknown endpoint ignored', { endpoint, signal: signal.kind });
  const model = championVariant(current.config).model;
  const outcome = await signalRetrain(deps.retrain, model, signal, { policy: current.config.retrain, runId: await runIdFor(signal.id) });
  if (outcome.action !== 'ignore') deps.logger?.info(`retrain signal ${signal.kind}: ${outcome.action}`, { endpoint, model, eventId: signal.id, ...outcome });
}

/** Hands a run to its webhook trainer; the run is running once the pipeline accepted it, failed if it never does. */
async function requestExternalTraining(deps: EventsConsumerDependencies, event: FlywheelEvent<'dev.flywheel.retrain.requested'>): Promise<void> {
  const { runId, trainer } = event.data;
  if (trainer === 'builtin') return;
  const run = await deps.retrain.runs.get(runId);
  if (!run || run.status !== 'queued') return; // delivered before, or finished: nothing to do
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const configured = run.endpoint ? (await deps.endpoints.current(run.endpoint))?.config.retrain?.trainer : undefined;
  const secretRef = configured && configured !== 'builtin' && configured.webhook === trainer.webhook ? configured.secretRef : undefined;
  const secret = secretRef ? await deps.secrets(secretRef) : undefined;
  try {
    if (!secret)
      throw new WebhookDeliveryError(secretRef ? `secret "${secretRef}" is not configured` : `endpoint ${run.endpoint ?? '(none)'} no longer names this webhook trainer`);
    const delivered = await deliverTrainerWebhook(trainer.webhook, secret, await withDownload(deps, event), deps.webhook);
    await deps.retrain.runs.update(runId, ['queued'], {
      status: 'running',
      startedAt: now,
      attempts: run.attempts + 1,
      logs: appendRunLog(run.logs, `${now} handed to ${webhookOrigin(trainer.webhook)} (HTTP ${delivered.status}, try ${delivered.attempts})`),
    });
  } catch (error) {
    if (!(error instanceof WebhookDeliveryError)) throw error;
    await failRun(deps, run, error.message, now);
  }
}

/** A pipeline can take its time to start: the dataset's URL outlasts the delivery's retries by far. */
const DATASET_URL_SECONDS = 6 * 3600;

/** The event as the webhook gets it: its dataset with a presigned download (the recorded event keeps none). */
async function withDownload(deps: EventsConsumerDependencies, event: FlywheelEvent<'dev.flywheel.retrain.requested'>): Promise<FlywheelEvent<'dev.flywheel.retrain.requested'>> {
  const dataset = event.data.dataset;
  if (!dataset || !deps.datasets) return event;
  const download = await deps.datasets.downloadUrl(dataset.sha256, { expiresInSeconds: DATASET_URL_SECONDS });
  return { ...event, data: { ...event.data, dataset: { ...dataset, url: download.url, expiresAt: download.expiresAt } } };
}

async function failRun(deps: EventsConsumerDependencies, run: Run, message: string, now: string): Promise<void> {
  const attempt = run.attempts + 1;
  const failed = await deps.retrain.runs.update(run.runId, ['queued', 'running'], {
    status: 'failed',
    error: message,
    finishedAt: now,
    attempts: attempt,
    logs: appendRunLog(run.logs, `${now} failed: ${message}`),
  });
  if (!failed) return;
  await finishRetrain(deps.retrain, failed, now);
  await deps.retrain.events.publish(
    await retrainFailedEvent({ model: run.model, runId: run.runId, ...(run.endpoint ? { endpoint: run.endpoint } : {}), attempt, error: message }, { time: now }),
  );
}

/** An external pipeline registered the model a webhook run asked for: the run succeeded with that version. */
async function completeExternalRun(deps: EventsConsumerDependencies, event: FlywheelEvent<'dev.flywheel.model.version.registered'>): Promise<void> {
  const runId = event.data.lineage?.runId;
  if (typeof runId !== 'string') return;
  const run = await deps.retrain.runs.get(runId);
  // Built-in runs register their own version and finish themselves.
  if (!run || run.trainer === 'builtin' || run.model !== event.data.model) return;
  const done = await deps.retrain.runs.update(runId, ['queued', 'running'], {
    status: 'succeeded',
    version: event.data.version,
    finishedAt: event.time,
    logs: appendRunLog(run.logs, `${event.time} version ${event.data.version} registered by the external pipeline`),
  });
  if (!done) return;
  await finishRetrain(deps.retrain, done, event.time);
  await deps.retrain.events.publish(
    await retrainCompletedEvent(
      {
        model: run.model,
        runId,
        ...(run.endpoint ? { endpoint: run.endpoint } : {}),
        version: event.data.version,
        canary: { started: false, reason: 'registered by an external pipeline, which decides its rollout' },
      },
      { time: event.time },
    ),
  );
}
