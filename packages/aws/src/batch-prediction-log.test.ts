import { describe, expect, it } from 'vitest';
import { SQS_PACKING_LIMITS, decodePredictionLogBatch, utf8Length, type PredictionLogEntry } from '@flywheel/core';
import { stableLogBatches } from './batch-prediction-log.ts';
import { logMessageBody } from './log-messages.ts';
import { hmacUnitHasher } from './prediction-log-sink.ts';

const hashUnit = hmacUnitHasher('test-key');

function entry(latencyMs: number, configVersion: number, time: string): PredictionLogEntry {
  // Rows of about half a KiB logged (long strings are cut): 1,000 of them take several messages.
  const rows = Array.from({ length: 1_000 }, (_, i) => ({ inputs: { a: i, note: 'x'.repeat(1_500 + (i % 7)) }, outputs: { y: [i * 2] } }));
  return {
    requestId: 'bj-0123456789abcdef0123456789abcdef-3-3000-1000',
    time,
    endpoint: 'scaler',
    variant: 'main',
    model: 'scaler',
    version: 1,
    configVersion,
    rows,
    latencyMs,
    status: 'ok',
    chosen: 'batch',
    logging: { percent: 100, redact: [] },
  };
}

describe('the batch prediction log', () => {
  it('cuts a request scored again, slower and under another config version, into the same batches of the same rows', () => {
    const first = stableLogBatches(entry(3.2, 1, '2026-12-03T10:00:00.000Z'), hashUnit);
    const again = stableLogBatches(entry(123456.78901234567, 1234567, '2026-12-03T11:59:59.999Z'), hashUnit);
    expect(first.length).toBeGreaterThan(2);
    expect(again.map((batch) => batch.batchId)).toEqual(first.map((batch) => batch.batchId));
    const rows = (batches: typeof first) => batches.map((batch) => decodePredictionLogBatch(logMessageBody(batch)).records.map((record) => record.id));
    expect(rows(again)).toEqual(rows(first));
    expect(rows(first).flat()).toHaveLength(1_000);
    for (const batch of [...first, ...again]) expect(utf8Length(logMessageBody(batch))).toBeLessThanOrEqual(SQS_PACKING_LIMITS.maxMessageBytes);
    // Another request's batches are its own.
    const other = stableLogBatches({ ...entry(3.2, 1, '2026-12-03T10:00:00.000Z'), requestId: 'bj-0123456789abcdef0123456789abcdef-4-4000-1000' }, hashUnit);
    expect(other.map((batch) => batch.batchId).filter((id) => first.some((batch) => batch.batchId === id))).toEqual([]);
  });
});
