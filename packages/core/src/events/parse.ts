import { cloudEventEnvelopeSchema, MAX_EVENT_BYTES, type CloudEvent } from './cloud-event.ts';
import { eventCatalogue, isEventType } from './catalogue.ts';
import type { FlywheelEvent } from './builders.ts';

export type ParsedEvent =
  /** A Flywheel event type, its data checked against the catalogue. */
  | { readonly ok: true; readonly known: true; readonly event: FlywheelEvent }
  /** A valid CloudEvent of a type this version does not know: record it, act on nothing. */
  | { readonly ok: true; readonly known: false; readonly event: CloudEvent }
  | { readonly ok: false; readonly error: string };

/** Reads one structured-mode CloudEvent from a message body. */
export function parseEvent(body: string): ParsedEvent {
  if (new TextEncoder().encode(body).byteLength > MAX_EVENT_BYTES) return { ok: false, error: `event larger than ${MAX_EVENT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const envelope = cloudEventEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, error: describe(envelope.error.issues) };
  const event = envelope.data as CloudEvent;
  if (!isEventType(event.type)) return { ok: true, known: false, event };
  const data = eventCatalogue[event.type].safeParse(event.data);
  if (!data.success) return { ok: false, error: `${event.type} data: ${describe(data.error.issues)}` };
  return { ok: true, known: true, event: { ...event, data: data.data } as FlywheelEvent };
}

function describe(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('/') || '/'}: ${issue.message}`).join('; ');
}
