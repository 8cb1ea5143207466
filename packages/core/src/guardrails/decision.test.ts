import { describe, expect, it } from 'vitest';
import type { Guardrails } from '../routing/index.ts';
import { decideGuardrail, type GuardrailInput, type VariantHealth } from './decision.ts';
import { mulberry32 } from '@flywheel/testing/prng';

const guardrails: Guardrails = {
  metric: 'error_rate',
  maxDegradation: 0.02,
  autoPromote: true,
  autoRollback: true,
  steps: [10, 50, 100],
  minSamples: 500,
  alpha: 0.05,
};

function canary(control: VariantHealth, candidate: VariantHealth, candidateWeight = 10, overrides: Partial<Guardrails> = {}): GuardrailInput {
  return {
    guardrails: { ...guardrails, ...overrides },
    control: 'control',
    candidate: 'candidate',
    weights: [
      { name: 'control', weight: 100 - candidateWeight },
      { name: 'candidate', weight: candidateWeight },
    ],
    health: { control, candidate },
  };
}

/** Latencies drawn from a log-normal around `median` ms, seeded. */
function latencies(count: number, median: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return median * Math.exp(0.4 * z);
  });
}

describe('decideGuardrail on error rate', () => {
  it('rolls back a candidate with a clearly higher error rate', () => {
    const decision = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 1000, errors: 80 }));
    expect(decision.action).toBe('rollback');
    expect(decision.verdict).toBe('degraded');
    expect(decision.nextWeights).toEqual([
      { name: 'control', weight: 100 },
      { name: 'candidate', weight: 0 },
    ]);
    expect(decision.numbers).toMatchObject({ metric: 'error_rate', controlValue: 0.01, candidateValue: 0.08 });
    expect(decision.numbers.degradation).toBeCloseTo(0.07, 12);
    expect(decision.numbers.sequentialPValue).toBeLessThanOrEqual(0.05);
  });

  it('promotes an equal candidate with enough samples to the next step', () => {
    const decision = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 1000, errors: 10 }));
    expect(decision.action).toBe('promote');
    expect(decision.nextWeights).toEqual([
      { name: 'control', weight: 50 },
      { name: 'candidate', weight: 50 },
    ]);
    expect(decision.numbers.sequentialPValue).toBeGreaterThan(0.05);
  });

  it('promotes from the last step to 100', () => {
    const decision = decideGuardrail(canary({ count: 1000, errors: 10 }, { count: 1000, errors: 10 }, 50, { steps: [5, 50] }));
    expect(decision.action).toBe('promote');
    expect(decision.nextWeights).toEqual([
      { name: 'control', weight: 0 },
      { name: 'candidate', weight: 100 },
    ]);
  });

  it('holds while collecting samples', () => {
    const decision = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 300, errors: 3 }));
    expect(decision).toMatchObject({ action: 'hold', verdict: 'collecting' });
    expect(decision.nextWeights).toBeUndefined();
  });

  it('holds when the degradation exceeds the bound but is not yet significant', () => {
    const decision = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 600, errors: 20 }));
    expect(decision).toMatchObject({ action: 'hold', verdict: 'inconclusive' });
  });

  it('tolerates a degradation within maxDegradation', () => {
    const decision = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 1000, errors: 25 }));
    expect(decision.action).toBe('promote');
  });

  it('only recommends when automation is off', () => {
    const bad = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 1000, errors: 80 }, 10, { autoRollback: false }));
    expect(bad).toMatchObject({ action: 'hold', verdict: 'degraded' });
    const good = decideGuardrail(canary({ count: 9000, errors: 90 }, { count: 1000, errors: 10 }, 10, { autoPromote: false }));
    expect(good).toMatchObject({ action: 'hold', verdict: 'healthy' });
  });

  it('keeps a significant result once reached within a step', () => {
    const decision = decideGuardrail({
      ...canary({ count: 9000, errors: 90 }, { count: 1000, errors: 10 }),
      previousSequentialPValue: 0.001,
    });
    expect(decision.action).toBe('rollback');
    expect(decision.numbers.sequentialPValue).toBe(0.001);
  });

  it('has nothing to judge once the candidate is fully promoted', () => {
    const decision = decideGuardrail(canary({ count: 0, errors: 0 }, { count: 5000, errors: 5 }, 100));
    expect(decision).toMatchObject({ action: 'hold', verdict: 'not-running' });
  });

  it('leaves other variants’ weights alone', () => {
    const decision = decideGuardrail({
      ...canary({ count: 9000, errors: 90 }, { count: 1000, errors: 10 }),
      weights: [
        { name: 'control', weight: 60 },
        { name: 'holdout', weight: 30 },
        { name: 'candidate', weight: 10 },
      ],
    });
    expect(decision.nextWeights).toEqual([
      { name: 'control', weight: 20 },
      { name: 'holdout', weight: 30 },
      { name: 'candidate', weight: 50 },
    ]);
  });
});

describe('decideGuardrail on latency p95', () => {
  const latencyRail = { metric: 'latency_p95' as const, maxDegradation: 0.1 };

  it('rolls back a candidate 50% slower', () => {
    const decision = decideGuardrail(canary({ count: 2000, latencies: latencies(2000, 100, 1) }, { count: 600, latencies: latencies(600, 150, 2) }, 10, latencyRail));
    expect(decision.action).toBe('rollback');
    expect(decision.numbers.degradation).toBeGreaterThan(0.3);
  });

  it('promotes a candidate just as fast', () => {
    const decision = decideGuardrail(canary({ count: 2000, latencies: latencies(2000, 100, 3) }, { count: 600, latencies: latencies(600, 100, 4) }, 10, latencyRail));
    expect(decision.action).toBe('promote');
    expect(Math.abs(decision.numbers.degradation ?? 1)).toBeLessThan(0.1);
  });
});

describe('decideGuardrail on outcome', () => {
  const outcomeRail = { metric: 'outcome' as const, maxDegradation: 0.05 };
  const conversions = (count: number, successes: number) => ({ count, sum: successes, sumSquares: successes });

  it('rolls back a candidate converting far worse', () => {
    const decision = decideGuardrail(canary({ count: 5000, outcome: conversions(5000, 1000) }, { count: 1000, outcome: conversions(1000, 100) }, 10, outcomeRail));
    expect(decision.action).toBe('rollback');
    expect(decision.numbers.degradation).toBeCloseTo(0.5, 12);
  });

  it('promotes a candidate converting as well', () => {
    const decision = decideGuardrail(canary({ count: 5000, outcome: conversions(5000, 1000) }, { count: 1000, outcome: conversions(1000, 205) }, 10, outcomeRail));
    expect(decision.action).toBe('promote');
  });
});
