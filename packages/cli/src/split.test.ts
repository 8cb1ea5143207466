import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '@flywheel/core';
import { UsageError } from './errors.ts';
import { canaryVariants, deployVariants, parseTarget, promoteVariants } from './split.ts';

const config = (variants: EndpointConfig['variants']) => ({ variants, shadows: [], sticky: true, logging: { percent: 100, redact: [] } }) as EndpointConfig;
const control = { name: 'control', model: 'churn', version: 1, weight: 100 };

describe('split changes of the CLI', () => {
  it('reads model@version and model@alias, and refuses anything else', () => {
    expect(parseTarget('churn@3')).toEqual({ model: 'churn', version: 3 });
    expect(parseTarget('churn@challenger')).toEqual({ model: 'churn', alias: 'challenger' });
    for (const bad of ['churn', 'churn@', '@3', 'a@b@c']) expect(() => parseTarget(bad)).toThrow(UsageError);
  });

  it('deploys to one variant, keeping the control name of an existing endpoint', () => {
    expect(deployVariants(undefined, { model: 'churn', version: 2 })).toEqual([{ name: 'main', model: 'churn', version: 2, weight: 100 }]);
    expect(
      deployVariants(
        config([
          { ...control, weight: 80 },
          { name: 'b', model: 'churn', version: 2, weight: 20 },
        ]),
        { model: 'churn', alias: 'prod' },
      ),
    ).toEqual([{ name: 'control', model: 'churn', alias: 'prod', weight: 100 }]);
  });

  it('starts a canary beside the control, ramps the same candidate, and replaces a different one', () => {
    const started = canaryVariants(config([control]), { model: 'churn', version: 2 }, 10);
    expect(started).toEqual([
      { ...control, weight: 90 },
      { name: 'canary', model: 'churn', version: 2, weight: 10 },
    ]);
    expect(canaryVariants(config(started), { model: 'churn', version: 2 }, 60)).toEqual([
      { ...control, weight: 40 },
      { name: 'canary', model: 'churn', version: 2, weight: 60 },
    ]);
    expect(canaryVariants(config(started), { model: 'churn', version: 3 }, 5)).toEqual([
      { ...control, weight: 95 },
      { name: 'canary', model: 'churn', version: 3, weight: 5 },
    ]);
    // A control named `canary` does not collide with the candidate.
    expect(canaryVariants(config([{ ...control, name: 'canary' }]), { model: 'churn', version: 2 }, 10)[1].name).toBe('candidate');
  });

  it('refuses a canary of the control itself or outside 0 < percent < 100', () => {
    expect(() => canaryVariants(config([control]), { model: 'churn', version: 1 }, 10)).toThrow(/is the control of this endpoint already/);
    for (const percent of [0, 100, -5, Number.NaN])
      expect(() => canaryVariants(config([control]), { model: 'churn', version: 2 }, percent)).toThrow(/--percent must be between 0 and 100/);
  });

  it('promotes the one candidate into the control, and asks which when there are several', () => {
    const running = config([
      { ...control, weight: 70 },
      { name: 'canary', model: 'churn', alias: 'next', weight: 30 },
    ]);
    expect(promoteVariants(running).variants).toEqual([{ name: 'control', model: 'churn', alias: 'next', weight: 100 }]);
    expect(() => promoteVariants(config([control]))).toThrow(/there is no canary to promote/);
    const two = config([
      { ...control, weight: 80 },
      { name: 'a', model: 'churn', version: 2, weight: 10 },
      { name: 'b', model: 'churn', version: 3, weight: 10 },
    ]);
    expect(() => promoteVariants(two)).toThrow(/several candidates \(a, b\); name one with --variant/);
    expect(promoteVariants(two, 'b').variants).toEqual([{ name: 'control', model: 'churn', version: 3, weight: 100 }]);
    expect(() => promoteVariants(two, 'c')).toThrow(/has no variant c/);
  });
});
