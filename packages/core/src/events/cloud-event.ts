import { z } from 'zod';
import { sha256Hex } from '../auth/api-key.ts';

/**
 * A CloudEvents 1.0 event in structured JSON mode (the whole event is the JSON message body).
 * Flywheel always sets `subject`, `time` and a JSON `data`.
 */
export interface CloudEvent<Type extends string = string, Data = unknown> {
  readonly specversion: '1.0';
  /** Deterministic: the same occurrence built twice has the same id, so consumers can deduplicate. */
  readonly id: string;
  /** The resource the event is about: `/models/<model>` or `/endpoints/<endpoint>`. */
  readonly source: string;
  readonly type: Type;
  /** The part of `source` the event is about: `versions/3`, `runs/<runId>`, `alerts/<id>`. */
  readonly subject: string;
  /** ISO 8601 time of the occurrence. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: Data;
}

/** Events are small; this bounds what a consumer accepts (an SQS message holds 256 KiB). */
export const MAX_EVENT_BYTES = 64 * 1024;

const isoTime = z.iso.datetime({ offset: true });

/** The envelope any producer's event must satisfy; `data` is checked per type by `parseEvent`. */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(1024),
  type: z.string().regex(/^[a-z0-9]+(\.[a-z0-9_-]+)+$/, 'must be a reverse-DNS event type'),
  subject: z.string().min(1).max(1024),
  time: isoTime,
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

export interface EventOptions {
  /** When it happened; builders never read the clock, so replays build identical events. */
  readonly time: string;
  /**
   * What makes this occurrence distinct from others with the same type and subject (an alert
   * opened twice over its life, a run's second attempt). Each builder documents its default.
   */
  readonly dedupeKey?: string;
}

export interface EventParts<Type extends string, Data> {
  readonly type: Type;
  readonly source: string;
  readonly subject: string;
  readonly data: Data;
  readonly time: string;
  readonly dedupeKey: string;
}

/** Hex sha256 of type, source, subject and dedupe key: equal for the same occurrence, however often built. */
export function eventId(parts: Pick<EventParts<string, unknown>, 'type' | 'source' | 'subject' | 'dedupeKey'>): Promise<string> {
  return sha256Hex([parts.type, parts.source, parts.subject, parts.dedupeKey].join('\n'));
}

export async function createEvent<Type extends string, Data>(parts: EventParts<Type, Data>): Promise<CloudEvent<Type, Data>> {
  if (Number.isNaN(Date.parse(parts.time))) throw new RangeError(`event time is not ISO 8601: ${parts.time}`);
  return {
    specversion: '1.0',
    id: await eventId(parts),
    source: parts.source,
    type: parts.type,
    subject: parts.subject,
    time: parts.time,
    datacontenttype: 'application/json',
    data: parts.data,
  };
}
