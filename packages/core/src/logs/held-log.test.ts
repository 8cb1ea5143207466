import { describe, expect, it } from 'vitest';
import type { PredictionLogEntry, PredictionLogSink } from './entry.ts';
import { HeldPredictionLog } from './held-log.ts';

function recordingSink() {
  const events: string[] = [];
  const sink: PredictionLogSink = {
    log: (entry) => void events.push(`log ${entry.requestId}`),
    flush: async () => void events.push('flush'),
    close: async () => void events.push('close'),
  };
  return { sink, events };
}

const entry = (requestId: string) => ({ requestId }) as PredictionLogEntry;

describe('held prediction log', () => {
  it('passes what it holds on at flush, and drops it on discard', async () => {
    const { sink, events } = recordingSink();
    const held = new HeldPredictionLog(sink);
    held.log(entry('a'));
    held.log(entry('b'));
    expect(events).toEqual([]);
    await held.flush();
    expect(events).toEqual(['log a', 'log b', 'flush']);

    held.log(entry('c'));
    held.discard();
    held.log(entry('d'));
    await held.close();
    expect(events).toEqual(['log a', 'log b', 'flush', 'log d', 'close']);
  });
});
