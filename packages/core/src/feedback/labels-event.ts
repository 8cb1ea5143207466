import { sha256Hex } from '../auth/api-key.ts';
import { labelsReceivedEvent, type FlywheelEvent } from '../events/builders.ts';
import type { FeedbackRow } from './feedback.ts';

/**
 * The `labels.received` event of one accepted feedback body, or undefined when it labels no row
 * (outcomes only). Its id derives from the rows, so the same body sent again is the same event
 * and the retraining policy counts its labels once.
 */
export async function labelsEventOf(endpoint: string, rows: readonly FeedbackRow[], time: string): Promise<FlywheelEvent<'dev.flywheel.labels.received'> | undefined> {
  const labelled = rows.filter((row) => row.label !== undefined || row.value !== undefined);
  if (labelled.length === 0) return undefined;
  const dedupeKey = await sha256Hex(JSON.stringify(labelled.map(({ requestId, row, label, value }) => [requestId, row, label ?? null, value ?? null])));
  return labelsReceivedEvent({ endpoint, count: labelled.length }, { time, dedupeKey });
}
