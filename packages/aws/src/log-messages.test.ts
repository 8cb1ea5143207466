// A log message's body is its header and records joined, whatever chunks the records' escaped
// bytes were cut from; records encoded with Node's base64 are the lines core's portable encoder
// writes.
import { describe, expect, it } from 'vitest';
import { decodePredictionLogBatch, encodeBatchBody, encodeLogRecord, type PredictionLogRecord } from '@flywheel/core';
import { encodeLogRecordNatively, logMessage, logMessageBody, queuedLogRecord } from './log-messages.ts';

function record(i: number, inputs: Record<string, unknown>, outputs?: Record<string, unknown>): PredictionLogRecord {
  return {
    id: `request-${i}/0`,
    time: '2026-12-03T12:00:00.000Z',
    endpoint: 'churn',
    variant: 'main',
    model: 'churn',
    version: 1,
    configVersion: 1,
    inputs,
    outputs,
    latencyMs: 0.5,
    status: 'ok',
  };
}

// Deterministic, so a failure can be replayed.
function numbers(count: number, seed: number, float32: boolean): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const value = (state / 2 ** 31 - 0.5) * 10 ** ((state % 9) - 4);
    return float32 ? Math.fround(value) : value;
  });
}

describe('encodeLogRecordNatively', () => {
  it("writes the line core's portable encoder writes, for float32 and float64 runs of every length modulo 3", () => {
    for (let length = 8; length < 40; length++) {
      for (const float32 of [true, false]) {
        const row = record(length, { input: numbers(length, length, float32), plan: 'basic' }, { scores: numbers(length + 1, length * 7, !float32) });
        const native = encodeLogRecordNatively(row);
        expect(native).toEqual(encodeLogRecord(row));
        expect(native.line).toContain(float32 ? '"input":{"$float32":' : '"input":{"$float64":');
      }
    }
  });
});

describe('logMessageBody', () => {
  it('is the batch body of the records, across the chunks their escaped bytes were cut from', () => {
    // ~0.9 MB of escaped records: several 256 KiB chunks, so some neighbours are not contiguous.
    const records = Array.from({ length: 1_200 }, (_, i) => record(i, { input: numbers(64, i, true), note: `"quoted" ${'ü'.repeat(i % 5)}` }));
    const encoded = records.map(encodeLogRecordNatively);
    const message = logMessage(
      'batch-0123456789',
      encoded.map((line) => queuedLogRecord(line)),
    );
    const body = logMessageBody(message);
    expect(body).toBe(encodeBatchBody('batch-0123456789', encoded));
    const decoded = decodePredictionLogBatch(body);
    expect(decoded.rejected).toEqual([]);
    expect(decoded.records).toEqual(records);
  });

  it('keeps apart records that are not neighbours in one chunk: out of order, or in different buffers where the offsets line up', () => {
    const encoded = Array.from({ length: 6 }, (_, i) => encodeLogRecordNatively(record(i, { input: numbers(16, i, true) })));
    const queued = encoded.map((line) => queuedLogRecord(line));
    const reversed = logMessage('batch-reversed', [...queued].reverse());
    expect(logMessageBody(reversed)).toBe(encodeBatchBody('batch-reversed', [...encoded].reverse()));

    // Each record in a buffer of its own, at the offset where the one before it ended.
    let offset = 0;
    const apart = queued.map(({ escaped, bytes }) => {
      const copy = new Uint8Array(offset + escaped.byteLength).subarray(offset);
      copy.set(escaped);
      offset += escaped.byteLength;
      return { escaped: copy, bytes };
    });
    expect(logMessageBody(logMessage('batch-apart', apart))).toBe(encodeBatchBody('batch-apart', encoded));
  });
});
