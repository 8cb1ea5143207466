import { jsonLogger, type CloudEvent, type EventPublisher, type Logger } from '@flywheel/core';

/**
 * Publishes an event about a change that is already committed. A failure is logged, not thrown:
 * the caller's change stands, its history is the record, and a 500 would invite a retry that can
 * only fail (the ETag has moved on).
 */
export async function announce(events: EventPublisher | undefined, build: () => Promise<CloudEvent>, logger: Logger = jsonLogger): Promise<void> {
  if (!events) return;
  let event: CloudEvent | undefined;
  try {
    event = await build();
    await events.publish(event);
  } catch (error) {
    logger.error('event not published', { type: event?.type, id: event?.id, error: String(error) });
  }
}
