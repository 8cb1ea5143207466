import { describe, expect, it } from 'vitest';
import { buildReferenceProfile, type PredictionLogRecord, WindowStateBuilder, type WindowKey } from '@flywheel/core';
import { seededRandom } from '@flywheel/testing/drift/random';
import { windowSignals } from './window-signals.ts';

const random = seededRandom(3);
const profile = buildReferenceProfile({
  features: [
    { name: 'age', kind: 'numerical' },
    { name: 'plan', kind: 'categorical' },
    { name: 'email', kind: 'categorical' },
  ],
  records: Array.from({ length: 3000 }, (_, i) => ({ age: random.normal(40, 10), plan: ['free', 'pro'][i % 2], email: `u${i % 5}` })),
});

const key = (variant: string): WindowKey => ({ endpoint: 'e', variant, model: 'm', version: 1, start: '2026-01-01T10:00:00.000Z' });
const END = '2026-01-01T11:00:00.000Z';

function window(variant: string, rows: number, row: (i: number) => Partial<PredictionLogRecord>) {
  const builder = new WindowStateBuilder(profile);
  for (let i = 0; i < rows; i++) {
    builder.add({
      id: `r${i}/0`,
      time: '2026-01-01T10:30:00.000Z',
      endpoint: 'e',
      variant,
      model: 'm',
      version: 1,
      configVersion: 1,
      inputs: { age: random.normal(40, 10), plan: ['free', 'pro'][i % 2], email: `u${i % 5}` },
      latencyMs: 5,
      status: 'ok',
      ...row(i),
    });
  }
  return { key: key(variant), state: builder.build(), profile };
}

const signal = (verdict: ReturnType<typeof windowSignals>, kind: string, feature?: string) => verdict.signals.find((s) => s.key.kind === kind && s.key.feature === feature);

describe('windowSignals', () => {
  it('breaches drift only for the variant that drifted, and names it', () => {
    const verdict = windowSignals('e', END, [
      window('control', 1000, () => ({})),
      window('canary', 1000, () => ({ inputs: { age: random.normal(55, 10), plan: 'free', email: 'u1' } })),
    ]);
    expect(signal(verdict, 'drift', 'age')).toMatchObject({ signal: { breached: true, windowEnd: END }, variants: ['canary'] });
    expect(signal(verdict, 'drift', 'age')!.signal.value).toBeGreaterThan(1);
    expect(verdict.reports).toHaveLength(2);
    expect(verdict.reports[0].report.drifted).toBe(false);
  });

  it('judges data quality against the baseline: missing beyond its own share, new categories, type errors', () => {
    const verdict = windowSignals('e', END, [
      window('main', 400, (i) => ({ inputs: { age: i % 5 === 0 ? null : random.normal(40, 10), plan: i % 10 === 0 ? 'enterprise' : 'pro', email: 'u1' } })),
    ]);
    expect(signal(verdict, 'quality', 'age')).toMatchObject({ signal: { breached: true, threshold: 0.05 } });
    expect(signal(verdict, 'quality', 'age')!.signal.value).toBeCloseTo(0.2, 5);
    expect(signal(verdict, 'quality', 'plan')!.signal.value).toBeCloseTo(0.1, 5);
    expect(signal(verdict, 'quality', 'email')!.signal.breached).toBe(false);
  });

  it('ignores redacted fields: absent by policy is not a quality problem', () => {
    const verdict = windowSignals('e', END, [window('main', 400, (i) => ({ inputs: { age: 40 + (i % 7), plan: 'pro' }, redacted: ['email'] }))]);
    expect(signal(verdict, 'quality', 'email')).toBeUndefined();
    expect(signal(verdict, 'drift', 'email')).toBeUndefined();
  });

  it('turns the merged health of all windows into error-rate and latency signals', () => {
    const verdict = windowSignals('e', END, [window('a', 50, (i) => ({ status: i < 10 ? 'error' : 'ok', latencyMs: 1500 })), window('b', 50, () => ({ latencyMs: 10 }))]);
    expect(signal(verdict, 'error_rate')).toMatchObject({ signal: { breached: true, value: 0.1 } });
    expect(signal(verdict, 'latency')!.signal.breached).toBe(true);
    // Without a profile, health is still judged.
    const bare = windowSignals('e', END, [{ ...window('a', 30, () => ({ status: 'error' })), profile: undefined }]);
    expect(bare.signals.map((s) => s.key.kind).sort()).toEqual(['error_rate', 'latency']);
    expect(signal(bare, 'error_rate')!.signal.breached).toBe(true);
  });

  it('leaves a column it has too few rows for undecided, unless another variant decides it', () => {
    const few = windowSignals('e', END, [window('main', 50, () => ({ inputs: { age: random.normal(80, 10), plan: 'free', email: 'u1' } }))]);
    // Far off, but 50 rows are below the minimum sample (and quality's 100 rows): no verdict either way.
    expect(signal(few, 'drift', 'age')).toBeUndefined();
    expect(few.undecided).toContainEqual({ endpoint: 'e', kind: 'drift', feature: 'age' });
    expect(few.undecided).toContainEqual({ endpoint: 'e', kind: 'quality', feature: 'age' });
    expect(signal(few, 'error_rate')).toBeDefined();

    const mixed = windowSignals('e', END, [window('thin', 50, () => ({})), window('full', 1000, () => ({}))]);
    expect(signal(mixed, 'drift', 'age')).toMatchObject({ signal: { breached: false } });
    expect(mixed.undecided.filter((k) => k.kind === 'drift')).toEqual([]);
  });
});
