import { describe, expect, it } from 'vitest';
import { compareMeans, compareProportions } from '../experiment/index.ts';
import { nextEndpointRecord, type EndpointRecord } from '../registry/endpoint.ts';
import { parseEndpointConfig, type EndpointConfig } from '../routing/endpoint-config.ts';
import { experimentSpan, summarizeExperiment } from './experiment.ts';
import { EMPTY_TALLY, addTallies, type TallyDelta, type VariantTally } from './tally.ts';

const config = (weights: [number, number], extra: object = {}): EndpointConfig => {
  const parsed = parseEndpointConfig({
    variants: [
      { name: 'a', model: 'm', version: 1, weight: weights[0] },
      { name: 'control', model: 'm', version: 2, weight: weights[1] },
    ],
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
};

const tally = (variant: string, delta: TallyDelta, configVersion = 1): VariantTally => ({ endpoint: 'e', configVersion, variant, tally: addTallies(EMPTY_TALLY, delta) });

describe('experimentSpan', () => {
  it('runs back while variants and weights stay, and a weight change starts the next', () => {
    const configs = [config([10, 90]), config([10, 90], { logging: { percent: 50 } }), config([50, 50]), config([50, 50], { sticky: false })];
    const history: EndpointRecord[] = [];
    for (const c of configs) history.unshift(nextEndpointRecord('e', history[0], { config: c, change: { kind: 'update' } }, '2025-01-01T00:00:00.000Z'));
    const current = experimentSpan(history)!;
    expect([current.first.configVersion, current.last.configVersion]).toEqual([3, 4]);
    const earlier = experimentSpan(history, 1)!;
    expect([earlier.first.configVersion, earlier.last.configVersion]).toEqual([1, 2]);
    expect(experimentSpan(history, 9)).toBeUndefined();
  });
});

describe('summarizeExperiment', () => {
  it('compares conversion rates over served predictions with the two-proportion z-test, against the variant named control', () => {
    const summary = summarizeExperiment(config([50, 50]), [
      tally('a', { served: 300, outcomes: 80, outcomeSum: 60, outcomeSumSquares: 60 }),
      tally('a', { served: 200, outcomes: 10, outcomeSum: 10, outcomeSumSquares: 10 }, 2),
      tally('control', { served: 480, outcomes: 40, outcomeSum: 40, outcomeSumSquares: 40, labelled: 20, correct: 15 }),
      tally('gone', { served: 1000 }),
    ]);
    expect(summary.kind).toBe('binary');
    expect(summary.control).toBe('control');
    const [a, control] = summary.variants;
    expect(a).toMatchObject({ name: 'a', count: 500, outcomes: 70, feedback: 90, rate: 70 / 500, quality: null });
    expect(control).toMatchObject({ count: 480, outcomes: 40, rate: 40 / 480, comparison: null, quality: { labelled: 20, accuracy: 0.75 } });
    const z = compareProportions({ count: 480, successes: 40 }, { count: 500, successes: 70 });
    expect(a.comparison!.pValue).toBeCloseTo(z.pValue, 12);
    expect(a.comparison!.lift).toBeCloseTo(70 / 500 / (40 / 480) - 1, 12);
    expect(summary.srm.mismatch).toBe(false);
  });

  it('treats amounts as a continuous metric with Welch’s test, unjoined predictions counting 0', () => {
    const summary = summarizeExperiment(config([50, 50]), [
      tally('a', { served: 100, outcomes: 10, outcomeSum: 250, outcomeSumSquares: 6500, nonBinaryOutcomes: 10 }),
      tally('control', { served: 100, outcomes: 10, outcomeSum: 200, outcomeSumSquares: 4200, nonBinaryOutcomes: 10 }),
    ]);
    expect(summary.kind).toBe('continuous');
    expect(summary.variants[0]).toMatchObject({ mean: 2.5, count: 100 });
    const welch = compareMeans({ count: 100, sum: 200, sumSquares: 4200 }, { count: 100, sum: 250, sumSquares: 6500 });
    expect(summary.variants[0].comparison!.pValue).toBeCloseTo(welch.pValue, 12);
  });

  it('flags a sample-ratio mismatch against the configured weights', () => {
    const sticky = summarizeExperiment(config([10, 90]), [tally('a', { served: 500, requests: 500, units: 500 }), tally('control', { served: 500, requests: 500, units: 500 })]);
    expect(sticky.srm.mismatch).toBe(true);
    expect(sticky.variants.map((v) => v.assigned)).toEqual([500, 500]);
    const perRequest = summarizeExperiment(config([10, 90], { sticky: false }), [tally('a', { served: 500, requests: 500 }), tally('control', { served: 500, requests: 500 })]);
    expect(perRequest.srm.mismatch).toBe(true);
  });

  it('counts the split’s draws, not rows: requests of 100 rows raise no false alarm', () => {
    // 52 and 48 requests of 100 rows on a 50/50 split: as rows χ² = 16 (p ≈ 6e-5), as requests 0.16.
    const rows = (requests: number) => ({ served: 100 * requests, requests, unitlessRequests: requests });
    for (const sticky of [false, true]) {
      const summary = summarizeExperiment(config([50, 50], { sticky }), [tally('a', rows(52)), tally('control', rows(48))]);
      expect(summary.variants.map((v) => [v.count, v.assigned])).toEqual([
        [5200, 52],
        [4800, 48],
      ]);
      expect(summary.srm.chiSquare).toBeCloseTo(0.16, 12);
      expect(summary.srm.mismatch).toBe(false);
    }
  });

  it('counts units on a sticky split: one unit sending many requests is one draw', () => {
    // 20 units each; a's send ten times as many requests.
    const tallies = [tally('a', { served: 2000, requests: 2000, units: 20 }), tally('control', { served: 200, requests: 200, units: 20 })];
    expect(summarizeExperiment(config([50, 50]), tallies).srm).toMatchObject({ chiSquare: 0, mismatch: false });
    // Without stickiness every request is drawn on its own, and then 2,000 against 200 is a mismatch.
    expect(summarizeExperiment(config([50, 50], { sticky: false }), tallies).srm.mismatch).toBe(true);
  });
});
