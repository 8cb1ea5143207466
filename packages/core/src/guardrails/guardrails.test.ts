import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, latencyQuantile, recordRequest } from '../serving-health/latency-histogram.ts';
import { decideGuardrail } from './decision.ts';
import { nextEndpointRecord, type EndpointRecord } from '../registry/endpoint.ts';
import { endpointConfigSchema, type EndpointConfigInput } from '../routing/endpoint-config.ts';
import { canaryOf } from './canary.ts';
import { changesWeights, guardrailChange } from './change.ts';
import { healthFromHistogram } from './health.ts';
import { stepStart } from './step.ts';

const guardrails = { metric: 'error_rate', maxDegradation: 0.02, autoPromote: true, minSamples: 100 } as const;
const config = (variants: EndpointConfigInput['variants'], extra: Partial<EndpointConfigInput> = {}) => endpointConfigSchema.parse({ variants, guardrails, ...extra });
const split = (control: number, candidate: number) =>
  config([
    { name: 'stable', model: 'm', version: 1, weight: control },
    { name: 'next', model: 'm', version: 2, weight: candidate },
  ]);

/** Versions 1..n of an endpoint with these configs, newest first (as `EndpointStore.history` lists them). */
function historyOf(...configs: ReturnType<typeof config>[]): EndpointRecord[] {
  const records: EndpointRecord[] = [];
  for (const [i, c] of configs.entries())
    records.push(nextEndpointRecord('e', records.at(-1), { config: c, change: { kind: 'update' } }, `2026-01-01T00:0${i}:00.000Z`, () => 'salt'));
  return records.reverse();
}

describe('canaryOf', () => {
  it('takes the variant named control, else the first, and the one other variant with part of the traffic', () => {
    expect(canaryOf(split(90, 10))).toMatchObject({ control: { name: 'stable' }, candidate: { name: 'next' } });
    const named = config([
      { name: 'next', model: 'm', version: 2, weight: 20 },
      { name: 'control', model: 'm', version: 1, weight: 80 },
    ]);
    expect(canaryOf(named)).toMatchObject({ control: { name: 'control' }, candidate: { name: 'next' } });
  });

  it('says why there is nothing to judge', () => {
    expect(canaryOf(endpointConfigSchema.parse({ variants: [{ name: 'a', model: 'm', version: 1, weight: 100 }] }))).toEqual({ reason: expect.stringMatching(/no guardrails/) });
    expect(canaryOf(split(100, 0))).toEqual({ reason: expect.stringMatching(/canary is over or not started/) });
    expect(canaryOf(split(0, 100))).toEqual({ reason: expect.stringMatching(/canary is over or not started/) });
    const three = config([
      { name: 'a', model: 'm', version: 1, weight: 80 },
      { name: 'b', model: 'm', version: 2, weight: 10 },
      { name: 'c', model: 'm', version: 3, weight: 10 },
    ]);
    expect(canaryOf(three)).toEqual({ reason: expect.stringMatching(/b, c all serve part of the traffic/) });
  });
});

describe('stepStart', () => {
  it('goes back over versions that change neither who serves nor how it is judged', () => {
    const history = historyOf(split(90, 10), split(50, 50), { ...split(50, 50), sticky: false }, { ...split(50, 50), logging: { percent: 10, redact: [] } });
    expect(stepStart(history).configVersion).toBe(2);
  });

  it('starts a new step at any change of weights, targets or judgement', () => {
    expect(stepStart(historyOf(split(90, 10), split(90, 10), split(80, 20))).configVersion).toBe(3);
    const retargeted = config([
      { name: 'stable', model: 'm', version: 1, weight: 90 },
      { name: 'next', model: 'm', version: 3, weight: 10 },
    ]);
    expect(stepStart(historyOf(split(90, 10), retargeted)).configVersion).toBe(2);
    expect(stepStart(historyOf(split(90, 10), { ...split(90, 10), guardrails: { ...split(90, 10).guardrails!, maxDegradation: 0.05 } })).configVersion).toBe(2);
  });
});

describe('healthFromHistogram', () => {
  it('keeps the counts and samples latencies whose quantiles are the histogram’s', () => {
    const histogram = createLatencyHistogram();
    for (let i = 1; i <= 1000; i++) recordRequest(histogram, i, i % 50 === 0);
    expect(healthFromHistogram(histogram)).toEqual({ count: 1000, errors: 20 });
    const health = healthFromHistogram(histogram, 200);
    expect(health.latencies).toHaveLength(200);
    const sorted = [...health.latencies!].sort((a, b) => a - b);
    expect(sorted[189]).toBeCloseTo(latencyQuantile(histogram, 0.95)!, 0);
    expect(healthFromHistogram(createLatencyHistogram(), 200)).toEqual({ count: 0, errors: 0 });
  });
});

describe('guardrailChange', () => {
  it('applies the decision’s weights to the same config and records the decision with its numbers', () => {
    const [current] = historyOf(split(90, 10));
    const canary = canaryOf(current.config);
    if ('reason' in canary) throw new Error(canary.reason);
    const decision = decideGuardrail({
      guardrails: canary.guardrails,
      control: 'stable',
      candidate: 'next',
      weights: [
        { name: 'stable', weight: 90 },
        { name: 'next', weight: 10 },
      ],
      health: { control: { count: 900, errors: 9 }, candidate: { count: 100, errors: 1 } },
    });
    if (!changesWeights(decision)) throw new Error(decision.reason);
    const request = guardrailChange(current, canary, decision, 1);
    expect(request.config).toEqual({
      ...current.config,
      variants: [
        { ...current.config.variants[0], weight: 50 },
        { ...current.config.variants[1], weight: 50 },
      ],
    });
    expect(request.change).toEqual({
      kind: 'guardrail',
      actor: 'guardrail',
      reason: `promoted next to 50%: ${decision.reason}`,
      decision: {
        action: 'promote',
        verdict: 'healthy',
        control: 'stable',
        candidate: 'next',
        stepStartedAt: 1,
        previousWeights: [
          { name: 'stable', weight: 90 },
          { name: 'next', weight: 10 },
        ],
        numbers: decision.numbers,
      },
    });
    // The next version keeps every unit the candidate had: its buckets only grow.
    const next = nextEndpointRecord('e', current, request, '2026-01-01T01:00:00.000Z');
    const ranges = (record: EndpointRecord) => record.allocation.find((v) => v.name === 'next')!.ranges;
    for (const [start, end] of ranges(current)) expect(ranges(next).some(([s, e]) => s <= start && end <= e)).toBe(true);
  });
});
