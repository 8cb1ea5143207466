import { describe, expect, it } from 'vitest';
import type { EndpointRecord, PredictionLogRecord, Task } from '@flywheel/core';
import { KeptRows, type EndpointConfigs } from './feedback-kept-rows.ts';

const row = (overrides: Partial<PredictionLogRecord> = {}): PredictionLogRecord => ({
  id: 'r/0',
  time: '2026-01-01T00:00:00.000Z',
  endpoint: 'e',
  variant: 'main',
  model: 'm',
  version: 1,
  configVersion: 1,
  inputs: {},
  latencyMs: 1,
  status: 'ok',
  ...overrides,
});

/** Endpoint configs by version, counting reads; `variants` per config version. */
function endpoints(variants: Record<number, number>): EndpointConfigs & { reads: number } {
  const store = {
    reads: 0,
    async get(_endpoint: string, configVersion: number) {
      store.reads++;
      const count = variants[configVersion];
      return count === undefined ? undefined : ({ config: { variants: Array.from({ length: count }, (_, i) => ({ name: `v${i}` })) } } as unknown as EndpointRecord);
    },
  };
  return store;
}

const TASK: Task = { type: 'regression', output: 'y' };
const versions = (task?: Task) => ({ task: async () => task });

describe('the rows the feedback join keeps', () => {
  it('keeps rows of a version with a task, and of a config that splits traffic; not those of one variant without a task', async () => {
    const store = endpoints({ 1: 1, 2: 2 });
    expect(await new KeptRows(store, versions(TASK)).keep(row())).toEqual(TASK);
    const untasked = new KeptRows(store, versions());
    expect(await untasked.keep(row({ configVersion: 1 }))).toBe(false);
    expect(await untasked.keep(row({ configVersion: 2 }))).toBeUndefined();
  });

  it('reads a config version once, and asks again about a missing one only after a minute', async () => {
    let now = 0;
    const store = endpoints({ 1: 2 });
    const kept = new KeptRows(store, versions(), () => now);
    await Promise.all([kept.keep(row()), kept.keep(row()), kept.keep(row({ configVersion: 9 }))]);
    expect(store.reads).toBe(2);
    now += 59_000;
    await kept.keep(row());
    expect(await kept.keep(row({ configVersion: 9 }))).toBe(false);
    expect(store.reads).toBe(2);
    now += 2_000;
    expect(await kept.keep(row({ configVersion: 9 }))).toBe(false);
    expect(store.reads).toBe(3);
  });
});
