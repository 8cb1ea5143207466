import { describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '../drift/reference-profile.ts';
import type { PredictionLogRecord } from '../logs/record.ts';
import { WindowStateBuilder, emptyWindowState, mergeWindowStates } from './window-state.ts';
import { hourStart, minuteWindowOf, windowEnd, windowKeyId, windowLengthMs, windowOf } from './window-key.ts';

const profile = buildReferenceProfile({
  features: [{ name: 'age', kind: 'numerical' }],
  records: Array.from({ length: 200 }, (_, i) => ({ age: i })),
  outputs: [{ name: 'p[1]', kind: 'numerical' }],
  outputRecords: Array.from({ length: 200 }, (_, i) => ({ 'p[1]': i / 200 })),
});

const record = (id: string, overrides: Partial<PredictionLogRecord> = {}): PredictionLogRecord => ({
  id,
  time: '2026-01-01T10:59:59.999Z',
  endpoint: 'e',
  variant: 'v',
  model: 'm',
  version: 2,
  configVersion: 1,
  inputs: { age: 50 },
  outputs: { p: [[0.3, 0.7]] },
  latencyMs: 4,
  status: 'ok',
  ...overrides,
});

describe('window state', () => {
  it('counts rows, but each request once for health, and only successful rows in the sketch', () => {
    const builder = new WindowStateBuilder(profile);
    for (const id of ['a/0', 'a/1', 'a/2', 'b/0']) builder.add(record(id));
    builder.add(record('c/0', { status: 'error', outputs: undefined }));
    const state = builder.build();
    expect(state.records).toBe(5);
    expect([state.health.count, state.health.errors]).toEqual([3, 1]);
    expect(state.sketch!.records).toBe(4);
    // The output column `p[1]` comes from the row's slice of output p.
    expect(state.sketch!.outputs[0]).toMatchObject({ name: 'p[1]', count: 4 });
  });

  it('merges like counting everything at once', () => {
    const one = new WindowStateBuilder(profile);
    const two = new WindowStateBuilder(profile);
    const all = new WindowStateBuilder(profile);
    for (let i = 0; i < 30; i++) {
      const r = record(`r${i}/0`, { inputs: { age: i * 7 }, redacted: i === 3 ? ['email'] : undefined });
      (i % 2 ? one : two).add(r);
      all.add(r);
    }
    const merged = mergeWindowStates(mergeWindowStates(emptyWindowState(undefined), one.build()), two.build());
    // Counts exactly; floating-point sums up to rounding.
    const rounded = (value: unknown) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
    expect(rounded(merged)).toEqual(rounded(all.build()));
    expect(merged.sketch!.features[0]).toEqual(all.build().sketch!.features[0]);
  });

  it("keeps the newer baseline's sketch when the baseline was replaced", () => {
    const replaced = buildReferenceProfile({ features: [{ name: 'age', kind: 'numerical' }], records: Array.from({ length: 50 }, (_, i) => ({ age: i * 3 })) });
    const old = new WindowStateBuilder(profile);
    old.add(record('x/0'));
    const fresh = new WindowStateBuilder(replaced);
    fresh.add(record('y/0'));
    const merged = mergeWindowStates(old.build(), fresh.build());
    expect(merged.records).toBe(2);
    expect(merged.sketch!.profile).toBe(replaced.fingerprint);
    expect(merged.sketch!.records).toBe(1);
  });

  it('cuts windows by the hour of the record', () => {
    expect(hourStart('2026-01-01T10:59:59.999Z')).toBe('2026-01-01T10:00:00.000Z');
    expect(windowEnd('2026-01-01T10:00:00.000Z')).toBe('2026-01-01T11:00:00.000Z');
    expect(windowOf(record('a/0'))).toEqual({ endpoint: 'e', variant: 'v', model: 'm', version: 2, start: '2026-01-01T10:00:00.000Z' });
    expect(windowKeyId(windowOf(record('a/0')))).not.toBe(windowKeyId(windowOf(record('a/0', { model: 'n' }))));
  });

  it('cuts served records into minute windows too, apart from the hour windows; shadow rows only by the hour', () => {
    const minute = minuteWindowOf(record('a/0', { time: '2026-01-01T10:07:59.999Z' }));
    expect(minute).toEqual({ endpoint: 'e', variant: 'v', model: 'm', version: 2, start: '2026-01-01T10:07:00.000Z', grain: 'minute' });
    expect(windowLengthMs(minute!)).toBe(60_000);
    expect(windowLengthMs(windowOf(record('a/0')))).toBe(3_600_000);
    // The minute at the top of the hour starts when the hour does, and is still another window.
    const top = minuteWindowOf(record('a/0', { time: '2026-01-01T10:00:01.000Z' }))!;
    expect(top.start).toBe(windowOf(record('a/0', { time: '2026-01-01T10:00:01.000Z' })).start);
    expect(windowKeyId(top)).not.toBe(windowKeyId(windowOf(record('a/0', { time: '2026-01-01T10:00:01.000Z' }))));
    expect(minuteWindowOf(record('a/0', { shadowOf: 'v' }))).toBeUndefined();
  });
});
