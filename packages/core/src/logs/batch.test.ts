import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidLogBatchError, MAX_RECORD_BYTES, decodePredictionLogBatch, encodeBatchBody, encodeLogRecord, encodePredictionLogBatch } from './batch.ts';
import { SQS_PACKING_LIMITS, packMessages, packSendBatches } from './packing.ts';
import type { PredictionLogRecord } from './record.ts';
import { utf8Length } from './utf8.ts';

const record = (i: number, inputs: Record<string, unknown> = { age: i, plan: 'pro' }): PredictionLogRecord => ({
  id: `req-${i}/0`,
  time: '2025-03-01T10:15:00.000Z',
  endpoint: 'churn',
  variant: 'control',
  model: 'm',
  version: 1,
  configVersion: 1,
  inputs,
  outputs: { score: 0.5 },
  latencyMs: 2,
  status: 'ok',
});

describe('prediction log batches', () => {
  it('round-trips through NDJSON', () => {
    const records = [record(1), record(2), record(3, { city: 'Zürich 🚲' })];
    const decoded = decodePredictionLogBatch(encodePredictionLogBatch({ id: 'batch-0001', records }));
    expect(decoded).toEqual({ id: 'batch-0001', records, lines: records.map((r) => encodeLogRecord(r).line), rejected: [] });
    // Beyond U+FFFF as an escaped pair: the same text, in a line every queue takes.
    expect(decoded.lines[2]).toContain('Zürich \\ud83d\\udeb2');
  });

  it('sets bad lines aside with a reason and keeps the rest', () => {
    const good = encodeLogRecord(record(1));
    const body = encodeBatchBody('batch-0002', [good, { line: '{"id": 3', bytes: 0 }, { line: '{"id":"x/0"}', bytes: 0 }, good]);
    const decoded = decodePredictionLogBatch(body);
    expect(decoded.records).toHaveLength(2);
    expect(decoded.rejected.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [3, 'not JSON'],
      [4, 'time'],
    ]);
  });

  it('sends runs of numbers packed and hands readers the numbers as they were', () => {
    const tensorRow = record(4, { x: Array.from({ length: 64 }, (_, i) => Math.sin(i)) });
    tensorRow.outputs = { probs: Array.from({ length: 10 }, (_, i) => Math.fround(i / 9)) };
    const body = encodePredictionLogBatch({ id: 'batch-0005', records: [tensorRow] });
    expect(body.split('\n')[1]).toContain('"x":{"$float64":"');
    expect(body.split('\n')[1]).toContain('"probs":{"$float32":"');
    expect(body.length).toBeLessThan(JSON.stringify(tensorRow).length * 0.7);
    expect(decodePredictionLogBatch(body).records).toEqual([tensorRow]);
  });

  it('unpacks a run written with whitespace around it, as another JSON writer may', () => {
    const row = record(8, { x: Array.from({ length: 8 }, (_, i) => i / 4) });
    const spaced = JSON.stringify(JSON.parse(encodeLogRecord(row).line), null, 1).replaceAll('\n', ' ');
    expect(spaced).toContain('{    "$float32": "');
    expect(decodePredictionLogBatch(encodeBatchBody('batch-0008', [{ line: spaced, bytes: 0 }])).records).toEqual([row]);
  });

  it('reads batches an older sink queued before runs were packed', () => {
    const old = record(5, { x: Array.from({ length: 16 }, (_, i) => i / 3) });
    const body = `{"format":"flywheel.prediction-logs/1","batch":"batch-0006","records":1}\n${JSON.stringify(old)}`;
    expect(decodePredictionLogBatch(body).records).toEqual([old]);
  });

  it('sets aside a line whose packed run is broken', () => {
    const line = JSON.stringify({ ...record(6), inputs: { x: { $float64: 'AAAA' } } });
    const decoded = decodePredictionLogBatch(encodeBatchBody('batch-0007', [encodeLogRecord(record(7)), { line, bytes: 0 }]));
    expect(decoded.records.map((r) => r.id)).toEqual(['req-7/0']);
    expect(decoded.rejected).toEqual([{ line: 3, reason: 'inputs.x: $float64 is not base64 of 8-byte values', text: line }]);
  });

  it('rejects a body that is not a batch, or that lost lines', () => {
    expect(() => decodePredictionLogBatch('hello')).toThrow(InvalidLogBatchError);
    expect(() => decodePredictionLogBatch('{"format":"other"}')).toThrow(/not a prediction log batch/);
    const body = encodePredictionLogBatch({ id: 'batch-0003', records: [record(1), record(2)] });
    expect(() => decodePredictionLogBatch(body.slice(0, body.lastIndexOf('\n')))).toThrow(/announces 2 records but holds 1/);
  });

  it('logs an oversized record without its inputs rather than blocking the batch', () => {
    const huge = encodeLogRecord(record(1, { blob: 'x'.repeat(MAX_RECORD_BYTES) }));
    expect(huge.bytes).toBeLessThan(1000);
    expect(JSON.parse(huge.line)).toMatchObject({ truncated: true, inputs: {} });
  });

  it('measures bytes as SQS does and escapes characters SQS refuses', () => {
    for (const text of ['abc', 'Zürich', '🚲', '日本', '\uFFFE']) expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    const encoded = encodeLogRecord(record(1, { odd: 'a\uFFFFb', emoji: 'ride 🚲 ok' }));
    expect(encoded.line).not.toMatch(/[\uFFFE\uFFFF\uD800-\uDFFF]/);
    expect(JSON.parse(encoded.line).inputs).toEqual({ odd: 'a\uFFFFb', emoji: 'ride 🚲 ok' });
    expect(encoded.bytes).toBe(new TextEncoder().encode(encoded.line).length + 1);
  });
});

describe('packing', () => {
  it('fills messages and batch calls within SQS limits, keeping every record once and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 10, max: 20_000 }), { maxLength: 300 }), (sizes) => {
        const records = sizes.map((n, i) => encodeLogRecord(record(i, { pad: 'x'.repeat(n) })));
        const messages = packMessages(records, SQS_PACKING_LIMITS.maxMessageBytes).map((run, i) => {
          const body = encodeBatchBody(`batch-${String(i).padStart(6, '0')}`, run);
          return { body, bytes: utf8Length(body), run };
        });
        for (const m of messages) expect(m.bytes).toBeLessThanOrEqual(SQS_PACKING_LIMITS.maxMessageBytes);
        expect(messages.flatMap((m) => m.run)).toEqual(records);
        const batches = packSendBatches(messages, SQS_PACKING_LIMITS);
        for (const batch of batches) {
          expect(batch.length).toBeLessThanOrEqual(10);
          expect(batch.reduce((sum, m) => sum + m.bytes, 0)).toBeLessThanOrEqual(SQS_PACKING_LIMITS.maxBatchBytes);
        }
        expect(batches.flat()).toEqual(messages);
      }),
      { seed: 5, numRuns: 40 },
    );
  });

  it('packs many small records per message, each message all but full', () => {
    const records = Array.from({ length: 5000 }, (_, i) => encodeLogRecord(record(i)));
    const messages = packMessages(records, SQS_PACKING_LIMITS.maxMessageBytes);
    for (const run of messages.slice(0, -1)) {
      expect(run.reduce((sum, r) => sum + r.bytes, 0)).toBeGreaterThan(0.99 * SQS_PACKING_LIMITS.maxMessageBytes);
    }
    expect(messages[0].length).toBeGreaterThan(1000);
  });
});
