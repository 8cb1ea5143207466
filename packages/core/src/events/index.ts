export {
  MAX_EVENT_BYTES,
  cloudEventEnvelopeSchema,
  createEvent,
  eventId,
  type CloudEvent,
  type EventOptions,
  type EventParts,
} from './cloud-event.ts';
export {
  eventCatalogue,
  eventTypes,
  isEventType,
  retrainTriggerKind,
  type EventData,
  type EventDataInput,
  type EventType,
  type RetrainTriggerKind,
} from './catalogue.ts';
export {
  aliasMovedEvent,
  alertOpenedEvent,
  alertResolvedEvent,
  buildEvent,
  driftDetectedEvent,
  endpointUpdatedEvent,
  labelsReceivedEvent,
  retrainCompletedEvent,
  retrainFailedEvent,
  retrainRequestedEvent,
  retrainStartedEvent,
  rolloutPromotedEvent,
  rolloutRolledBackEvent,
  versionRegisteredEvent,
  type FlywheelEvent,
} from './builders.ts';
export { parseEvent, type ParsedEvent } from './parse.ts';
export type { EventPublisher, EventQuery, EventStore } from './ports.ts';
export {
  deliverWebhook,
  webhookOrigin,
  type WebhookDeliveryOptions,
  type WebhookMessage,
  type WebhookOutcome,
  type WebhookRequest,
  type WebhookResponse,
} from './webhook-delivery.ts';
export { signWebhook, type WebhookSignatureHeaders } from './webhook-signature.ts';
