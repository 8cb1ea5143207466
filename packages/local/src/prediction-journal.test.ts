import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PredictionLogEntry, PredictionLogSink } from '@flywheel/core';
import { tempDataDir } from '@flywheel/testing/temp-dir';
import { JournaledPredictionLog } from './prediction-journal.ts';

/** A sink that keeps what it is handed and sends it when flushed: the journal's contract with it. */
function recordingSink() {
  const handed: PredictionLogEntry[] = [];
  const sent: PredictionLogEntry[] = [];
  const sink: PredictionLogSink = {
    log: (entry) => void handed.push(entry),
    flush: async () => void sent.push(...handed.splice(0)),
    close: async () => void sent.push(...handed.splice(0)),
  };
  return { sink, handed, sent };
}

/** Shaped like the serving path's entries: fields behind getters, outputs as typed arrays. */
function lazyEntry(requestId: string): PredictionLogEntry {
  const base = {
    requestId,
    time: '2026-12-03T08:00:00.000Z',
    endpoint: 'demo',
    variant: 'control',
    model: 'demo',
    version: 1,
    configVersion: 1,
    latencyMs: 1.5,
    status: 'ok' as const,
  };
  return Object.create(
    {
      get rows() {
        return [{ inputs: { plan: 'basic', tenure: 3 }, outputs: { label: new BigInt64Array([1n]), probabilities: new Float32Array([0.25, 0.75]) } }];
      },
      get logging() {
        return { percent: 100, redact: [] };
      },
      get unit() {
        return 'user-1';
      },
    },
    Object.fromEntries(Object.entries(base).map(([name, value]) => [name, { value, enumerable: false }])),
  ) as PredictionLogEntry;
}

describe('JournaledPredictionLog', () => {
  const dirs: Array<{ remove(): Promise<void> }> = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await dir.remove();
  });

  it('hands what a dead process journaled to the next one, as plain values, and forgets what was sent', async () => {
    const dir = await tempDataDir('journal');
    dirs.push(dir);
    const first = recordingSink();
    const { log } = await JournaledPredictionLog.open(first.sink, { dir: dir.path, rotateEveryMs: 60_000 });
    log.log(lazyEntry('sent'));
    await log.flush();
    expect(first.sent.map((e) => e.requestId)).toEqual(['sent']);
    log.log(lazyEntry('a'));
    log.log(lazyEntry('b'));
    // The process dies here: its sink never sent a or b.

    const second = recordingSink();
    const reopened = await JournaledPredictionLog.open(second.sink, { dir: dir.path });
    expect(reopened.recovered).toBe(2);
    expect(second.sent.map((e) => e.requestId)).toEqual(['a', 'b']);
    expect(second.sent[0]).toMatchObject({
      endpoint: 'demo',
      unit: 'user-1',
      logging: { percent: 100, redact: [] },
      rows: [{ inputs: { plan: 'basic', tenure: 3 }, outputs: { label: [1], probabilities: [0.25, 0.75] } }],
    });
    await reopened.log.close();
    expect(await readdir(dir.path)).toEqual([]);
  });
});
