import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableLookupModel } from '@flywheel/testing/failing-model';
import { eventually } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import type { TestSystem } from '@flywheel/testing/system';
import { startMonitoredSystem } from '@flywheel/testing/feedback-fixtures';
import { experimentResponseSchema } from '../packages/api/src/routes/experiment.ts';
import { z } from 'zod';
import { endpointViewSchema } from '../packages/api/src/routes/endpoints.ts';

interface Change {
  kind: string;
  reason?: string;
  actor?: string;
  decision?: {
    action: string;
    verdict: string;
    control: string;
    candidate: string;
    stepStartedAt: number;
    previousWeights: Array<{ name: string; weight: number }>;
    numbers: Record<string, number | string | null>;
  };
}

interface EndpointView {
  configVersion: number;
  config: { variants: Array<{ name: string; weight: number }> };
  change: Change;
}

describe('a guardrail rolls back a canary that errors more, on its own', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startMonitoredSystem({ guardrails: { minIntervalMs: 0 } });
    expect(await registered(system, 'scorer', scaledModel(2))).toBe(1);
    // Answers as version 1 does, except that it fails on any value ≥ 10.
    expect(await registered(system, 'scorer', tableLookupModel())).toBe(2);
  });
  afterAll(() => system?.stop());

  it('writes the rollback as the next config version, with the decision and its numbers, and announces it', async () => {
    const config = {
      variants: [
        { name: 'control', model: 'scorer', version: 1, weight: 80 },
        { name: 'candidate', model: 'scorer', version: 2, weight: 20 },
      ],
      // minSamples out of reach: only significant degradation can end this canary.
      guardrails: { metric: 'error_rate', maxDegradation: 0.02, autoRollback: true, autoPromote: true, minSamples: 100_000 },
    };
    expect((await putEndpoint(system, 'checkout', config)).status).toBe(201);

    // Half the requests carry a 12: control answers them all, the candidate fails those.
    let sent = 0;
    const current = await eventually(
      async () => {
        await Promise.all(
          Array.from({ length: 40 }, async () => {
            const i = sent++;
            const x = [
              [i % 10, 1, 2],
              [i % 2 === 0 ? 12 : 3, 4, 5],
            ];
            await (await system.api('/v1/endpoints/checkout/predict', { method: 'POST', json: { unit: `user-${i}`, inputs: { x } } })).arrayBuffer();
          }),
        );
        return (await (await system.api('/v1/endpoints/checkout')).json()) as EndpointView;
      },
      (view) => view.configVersion > 1,
      25_000,
      100,
    );

    expect(current.configVersion).toBe(2);
    expect(current.config.variants).toEqual([expect.objectContaining({ name: 'control', weight: 100 }), expect.objectContaining({ name: 'candidate', weight: 0 })]);
    // What is answered is what the OpenAPI document says, the guardrail's decision too.
    const history = z.object({ history: z.array(endpointViewSchema) }).parse(await (await system.api('/v1/endpoints/checkout/history')).json()).history as EndpointView[];
    expect(history.map((h) => [h.configVersion, h.change.kind])).toEqual([
      [2, 'guardrail'],
      [1, 'create'],
    ]);
    const { change } = history[0];
    expect(change).toMatchObject({ kind: 'guardrail', actor: 'guardrail', reason: expect.stringMatching(/^rolled back candidate: error_rate degraded by/) });
    expect(change.decision).toMatchObject({
      action: 'rollback',
      verdict: 'degraded',
      control: 'control',
      candidate: 'candidate',
      stepStartedAt: 1,
      previousWeights: [
        { name: 'control', weight: 80 },
        { name: 'candidate', weight: 20 },
      ],
      numbers: { metric: 'error_rate', controlValue: 0, maxDegradation: 0.02, alpha: 0.05, candidateWeight: 20 },
    });
    const numbers = change.decision!.numbers as Record<string, number>;
    expect(numbers.candidateValue).toBeGreaterThan(0.3);
    expect(numbers.sequentialPValue).toBeLessThanOrEqual(0.05);
    expect(numbers.controlSamples).toBeGreaterThan(numbers.candidateSamples);
    expect(numbers.controlSamples + numbers.candidateSamples).toBeLessThanOrEqual(sent);

    // The experiment view lists the decision too.
    // What is answered is what the OpenAPI document says.
    const experiment = experimentResponseSchema.parse(await (await system.api('/v1/endpoints/checkout/experiment')).json()) as { decisions: Array<Record<string, unknown>> };
    expect(experiment.decisions).toEqual([expect.objectContaining({ configVersion: 2, kind: 'guardrail', decision: change.decision })]);

    // Within the serving cache's TTL every request is answered under the rolled-back config.
    await eventually(
      async () => {
        const response = await system.api('/v1/endpoints/checkout/predict', { method: 'POST', json: { unit: `late-${Math.random()}`, inputs: { x: [[12, 1, 2]] } } });
        return { status: response.status, variant: response.headers.get('flywheel-variant'), config: response.headers.get('flywheel-config-version') };
      },
      (served) => served.config === '2',
      8_000,
      200,
    );
    for (let i = 0; i < 20; i++) {
      const response = await system.api('/v1/endpoints/checkout/predict', { method: 'POST', json: { unit: `after-${i}`, inputs: { x: [[12, 1, 2]] } } });
      expect([response.status, response.headers.get('flywheel-variant')]).toEqual([200, 'control']);
    }

    const events = await eventually(
      async () =>
        ((await (await system.api('/v1/events?type=dev.flywheel.rollout.rolled_back')).json()) as { events: Array<{ subject: string; data: Record<string, unknown> }> }).events,
      (list) => list.length > 0,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subject: 'variants/candidate', data: { endpoint: 'checkout', variant: 'candidate', model: 'scorer', version: 2, configVersion: 2 } });
    // The canary is over: no look writes anything more.
    expect(((await (await system.api('/v1/endpoints/checkout')).json()) as EndpointView).configVersion).toBe(2);
  });
});
