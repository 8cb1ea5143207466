import { describe, expect, test } from 'vitest';
import { parseEndpointConfig, type EndpointConfig } from '../routing/endpoint-config.ts';
import { canaryVerdict, withCanary } from './rollout.ts';

const config = (variants: unknown[]): EndpointConfig => {
  const parsed = parseEndpointConfig({ variants, retrain: { minLabels: 10 } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
};

describe('withCanary', () => {
  test('moves the canary percent from the champion to a new candidate variant, keeping the rest', () => {
    const result = withCanary(config([{ name: 'control', model: 'm', version: 1, weight: 100 }]), { model: 'm', version: 2 }, 10);
    expect(result).toMatchObject({ variant: 'candidate' });
    if (!('config' in result)) throw new Error(result.reason);
    expect(result.config.variants).toEqual([
      { name: 'control', model: 'm', version: 1, weight: 90 },
      { name: 'candidate', model: 'm', version: 2, weight: 10 },
    ]);
    expect(result.config.retrain?.minLabels).toBe(10);
    expect(parseEndpointConfig(result.config).ok).toBe(true);
  });

  test('replaces the canary an earlier run left, returning its weight first', () => {
    const before = config([
      { name: 'control', model: 'm', version: 1, weight: 70 },
      { name: 'ab', model: 'other', version: 1, weight: 20 },
      { name: 'candidate', model: 'm', version: 2, weight: 10 },
    ]);
    const result = withCanary(before, { model: 'm', version: 3 }, 25);
    if (!('config' in result)) throw new Error(result.reason);
    expect(result.config.variants.map((v) => [v.name, v.version, v.weight])).toEqual([
      ['control', 1, 55],
      ['ab', 1, 20],
      ['candidate', 3, 25],
    ]);
  });

  test('names the canary challenger when the champion is already called candidate', () => {
    const result = withCanary(config([{ name: 'candidate', model: 'm', version: 2, weight: 100 }]), { model: 'm', version: 3 }, 10);
    expect(result).toMatchObject({ variant: 'challenger' });
  });

  test('explains when the champion has too little traffic for the canary', () => {
    const result = withCanary(
      config([
        { name: 'a', model: 'm', version: 1, weight: 30 },
        { name: 'b', model: 'n', version: 1, weight: 30 },
        { name: 'c', model: 'o', version: 1, weight: 40 },
      ]),
      { model: 'o', version: 2 },
      50,
    );
    expect(result).toMatchObject({ reason: expect.stringMatching(/40% of traffic, less than the 50% canary/) });
  });
});

describe('canaryVerdict', () => {
  test.each([
    [0.05, 0.01, true],
    [0.005, 0.01, false],
    [0, 0, false],
    [-0.1, 0, false],
    [0.001, 0, true],
  ])('improvement %d with minImprovement %d → canary %s', (improvement, minImprovement, start) => {
    expect(canaryVerdict(improvement, { minImprovement }, 'accuracy').start).toBe(start);
  });

  test('no champion metrics, no canary', () => {
    expect(canaryVerdict(undefined, { minImprovement: 0 }, 'accuracy')).toMatchObject({ start: false, reason: expect.stringMatching(/could not be evaluated/) });
  });
});
