import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITORING, monitoringPlan, parseEndpointConfig } from './endpoint-config.ts';

const apiExample = {
  variants: [
    { name: 'control', model: 'churn', version: 3, weight: 90 },
    { name: 'candidate', model: 'churn', alias: 'challenger', weight: 10 },
  ],
  shadows: [{ name: 'next', model: 'churn', version: 5, percent: 20 }],
  sticky: true,
  logging: { percent: 100, redact: ['email'] },
  guardrails: { metric: 'error_rate', maxDegradation: 0.02, autoPromote: true, autoRollback: true },
  retrain: {
    on: ['drift'],
    trainer: 'builtin',
    minLabels: 1000,
    cooldownMinutes: 60,
    canaryPercent: 10,
    minImprovement: 0.01,
  },
};

const minimal = {
  variants: [{ name: 'only', model: 'churn', version: 1, weight: 100 }],
};

function errorsOf(input: unknown) {
  const parsed = parseEndpointConfig(input);
  if (parsed.ok) throw new Error('expected the config to be rejected');
  return parsed.errors;
}

function withVariants(...variants: object[]) {
  return { variants };
}

describe('parseEndpointConfig', () => {
  it('accepts the API.md example and fills guardrail defaults', () => {
    const parsed = parseEndpointConfig(apiExample);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config.guardrails).toEqual({
      metric: 'error_rate',
      maxDegradation: 0.02,
      autoPromote: true,
      autoRollback: true,
      steps: [10, 50, 100],
      minSamples: 500,
      alpha: 0.05,
    });
    expect(parsed.config.variants[1]).toEqual({ name: 'candidate', model: 'churn', alias: 'challenger', weight: 10 });
  });

  it('fills defaults for a minimal body', () => {
    const parsed = parseEndpointConfig(minimal);
    expect(parsed).toEqual({
      ok: true,
      config: { ...minimal, shadows: [], sticky: true, logging: { percent: 100, redact: [] } },
    });
  });

  it('fills retrain defaults', () => {
    const parsed = parseEndpointConfig({ ...minimal, retrain: {} });
    expect(parsed.ok && parsed.config.retrain).toEqual({
      on: ['drift'],
      trainer: 'builtin',
      minLabels: 1000,
      cooldownMinutes: 60,
      canaryPercent: 10,
      minImprovement: 0,
    });
  });

  it('accepts an https webhook trainer', () => {
    const trainer = { webhook: 'https://ci.example.com/retrain', secretRef: 'flywheel/webhook' };
    const parsed = parseEndpointConfig({ ...minimal, retrain: { trainer } });
    expect(parsed.ok && parsed.config.retrain?.trainer).toEqual(trainer);
  });

  it('accepts weights with two decimals that sum to 100', () => {
    const parsed = parseEndpointConfig(
      withVariants(
        { name: 'a', model: 'm', version: 1, weight: 33.33 },
        { name: 'b', model: 'm', version: 2, weight: 33.33 },
        { name: 'c', model: 'm', version: 3, weight: 33.34 },
      ),
    );
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [
      'a weight with three decimals',
      withVariants({ name: 'a', model: 'm', version: 1, weight: 99.995 }, { name: 'b', model: 'm', version: 2, weight: 0.005 }),
      'variants/0/weight',
    ],
    ['a negative weight', withVariants({ name: 'a', model: 'm', version: 1, weight: 110 }, { name: 'b', model: 'm', version: 2, weight: -10 }), 'variants/1/weight'],
    ['weights not summing to 100', withVariants({ name: 'a', model: 'm', version: 1, weight: 60 }, { name: 'b', model: 'm', version: 2, weight: 30 }), 'variants'],
    ['both version and alias', withVariants({ name: 'a', model: 'm', version: 1, alias: 'prod', weight: 100 }), 'variants/0/version'],
    ['neither version nor alias', withVariants({ name: 'a', model: 'm', weight: 100 }), 'variants/0/version'],
    ['a version below 1', withVariants({ name: 'a', model: 'm', version: 0, weight: 100 }), 'variants/0/version'],
    ['a fractional version', withVariants({ name: 'a', model: 'm', version: 1.5, weight: 100 }), 'variants/0/version'],
    ['a bad variant name', withVariants({ name: '-a', model: 'm', version: 1, weight: 100 }), 'variants/0/name'],
    ['a name over 63 characters', withVariants({ name: 'a'.repeat(64), model: 'm', version: 1, weight: 100 }), 'variants/0/name'],
    ['no variants', { variants: [] }, 'variants'],
    ['eleven variants', withVariants(...Array.from({ length: 11 }, (_, i) => ({ name: `v${i}`, model: 'm', version: 1, weight: i === 0 ? 100 : 0 }))), 'variants'],
    ['duplicate variant names', withVariants({ name: 'a', model: 'm', version: 1, weight: 50 }, { name: 'a', model: 'm', version: 2, weight: 50 }), 'variants/1/name'],
    ['a shadow named like a variant', { ...minimal, shadows: [{ name: 'ONLY', model: 'm', version: 2, percent: 5 }] }, 'shadows/0/name'],
    ['a shadow percent over 100', { ...minimal, shadows: [{ name: 's', model: 'm', version: 2, percent: 101 }] }, 'shadows/0/percent'],
    ['an unknown field', withVariants({ name: 'a', model: 'm', version: 1, weight: 100, wieght: 1 }), 'variants/0/wieght'],
    ['an unknown guardrail metric', { ...minimal, guardrails: { metric: 'p99', maxDegradation: 0.1 } }, 'guardrails/metric'],
    ['decreasing ramp steps', { ...minimal, guardrails: { metric: 'error_rate', maxDegradation: 0.1, steps: [50, 10] } }, 'guardrails/steps'],
    ['an alpha of 1', { ...minimal, guardrails: { metric: 'error_rate', maxDegradation: 0.1, alpha: 1 } }, 'guardrails/alpha'],
    ['an unknown retrain trigger', { ...minimal, retrain: { on: ['weekly'] } }, 'retrain/on/0'],
    ['a plain-http webhook', { ...minimal, retrain: { trainer: { webhook: 'http://ci.example.com', secretRef: 's' } } }, 'retrain/trainer/webhook'],
    ['a misspelt builtin trainer', { ...minimal, retrain: { trainer: 'built-in' } }, 'retrain/trainer'],
    ['a logging percent over 100', { ...minimal, logging: { percent: 150 } }, 'logging/percent'],
  ])('rejects %s at %s', (_, input, path) => {
    expect(errorsOf(input).map((e) => e.path)).toContain(path);
  });

  it('reports every problem with a message, not just the first', () => {
    const errors = errorsOf(withVariants({ name: 'a', model: 'm', version: 1, weight: 50.001 }, { name: 'b', model: 'm', version: -1, weight: 50 }));
    expect(errors).toEqual([
      { path: 'variants/0/weight', message: 'at most 2 decimals' },
      { path: 'variants/1/version', message: expect.any(String) },
      { path: 'variants', message: 'weights must sum to 100, not 100.001' },
    ]);
  });
});

describe('monitoring and retraining triggers', () => {
  const base = { variants: [{ name: 'main', model: 'm', version: 1, weight: 100 }] };

  it('leaves monitoring unset by default; the plan has minute windows and a five-minute look-back', () => {
    const parsed = parseEndpointConfig(base);
    expect(parsed.ok && parsed.config.monitoring).toBeUndefined();
    expect(DEFAULT_MONITORING).toEqual({ window: '1m', lookback: '5m', minSamples: 200, alpha: 0.0001 });
    expect(monitoringPlan({})).toEqual({ windowMs: 60_000, lookbackMs: 300_000, minSamples: 200, alpha: 0.0001 });
    const hourly = parseEndpointConfig({ ...base, monitoring: { window: '1h', lookback: '1h' } });
    expect(hourly.ok && monitoringPlan(hourly.config)).toMatchObject({ windowMs: 3_600_000, lookbackMs: 3_600_000 });
  });

  it.each([
    [{ window: '7m' }, 'monitoring/window', /divide an hour/],
    [{ window: '5m', lookback: '12m' }, 'monitoring/lookback', /whole number of windows/],
    [{ lookback: '25h' }, 'monitoring/lookback', /at most 24h/],
    [{ window: '90s' }, 'monitoring/window', /whole minutes or hours/],
    [{ minSamples: 1 }, 'monitoring/minSamples', /./],
    [{ windw: '1m' }, 'monitoring/windw', /unknown field/],
  ])('refuses monitoring %j at %s', (monitoring, path, message) => {
    const parsed = parseEndpointConfig({ ...base, monitoring });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('accepts every trigger, and a schedule exactly when `schedule` is listed', () => {
    const parsed = parseEndpointConfig({ ...base, retrain: { on: ['drift', 'performance', 'labels', 'schedule'], schedule: 'cron(0 3 * * *)' } });
    expect(parsed.ok && parsed.config.retrain).toMatchObject({ on: ['drift', 'performance', 'labels', 'schedule'], schedule: 'cron(0 3 * * *)' });
    const missing = parseEndpointConfig({ ...base, retrain: { on: ['schedule'] } });
    expect(!missing.ok && missing.errors).toEqual([{ path: 'retrain/schedule', message: expect.stringMatching(/needs a schedule/) }]);
    const unused = parseEndpointConfig({ ...base, retrain: { schedule: 'rate(1 day)' } });
    expect(!unused.ok && unused.errors).toEqual([{ path: 'retrain/schedule', message: expect.stringMatching(/only runs with "schedule"/) }]);
    const bad = parseEndpointConfig({ ...base, retrain: { on: ['schedule'], schedule: 'daily' } });
    expect(!bad.ok && bad.errors[0]).toMatchObject({ path: 'retrain/schedule', message: expect.stringMatching(/rate\(/) });
  });
});
