import type { CloudEvent } from './cloud-event.ts';

/** Sends events to the events queue, where the events function records and acts on them. */
export interface EventPublisher {
  publish(event: CloudEvent): Promise<void>;
}

export interface EventQuery {
  readonly type?: string;
  /** ISO 8601; only events at or after it. */
  readonly since?: string;
  readonly limit?: number;
}

/** The recent events the system emitted, kept for a while (`GET /v1/events`). */
export interface EventStore {
  /** Keeps the event; true the first time its id is seen, false for a redelivery. */
  record(event: CloudEvent): Promise<boolean>;
  /** Oldest first: the newest `limit` events, or the first `limit` from `since`. */
  list(query: EventQuery): Promise<CloudEvent[]>;
}
