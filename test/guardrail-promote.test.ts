import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import type { TestSystem } from '@flywheel/testing/system';
import { startMonitoredSystem } from '@flywheel/testing/feedback-fixtures';
import { z } from 'zod';
import { endpointViewSchema } from '../packages/api/src/routes/endpoints.ts';

interface EndpointView {
  configVersion: number;
  config: { variants: Array<{ name: string; weight: number }> };
  allocation: Array<{ name: string; ranges: Array<[number, number]> }>;
  change: {
    kind: string;
    reason?: string;
    decision?: {
      action: string;
      verdict: string;
      stepStartedAt: number;
      previousWeights: Array<{ name: string; weight: number }>;
      numbers: Record<string, number | string | null>;
    };
  };
}

const MIN_SAMPLES = 30;

describe('a guardrail promotes a canary that holds, step by step', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startMonitoredSystem({ guardrails: { minIntervalMs: 0 } });
    expect(await registered(system, 'ranker', scaledModel(2))).toBe(1);
    expect(await registered(system, 'ranker', scaledModel(3))).toBe(2);
  });
  afterAll(() => system?.stop());

  it('ramps 10 → 50 → 100 once each step holds over the minimum sample, recording each decision', async () => {
    const config = {
      variants: [
        { name: 'control', model: 'ranker', version: 1, weight: 90 },
        { name: 'candidate', model: 'ranker', version: 2, weight: 10 },
      ],
      guardrails: { metric: 'error_rate', maxDegradation: 0.02, autoPromote: true, steps: [10, 50, 100], minSamples: MIN_SAMPLES },
    };
    expect((await putEndpoint(system, 'search', config)).status).toBe(201);

    // Sticky units, so a promotion is seen to keep every unit the candidate already had.
    const units = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const answeredBy = new Map<string, string>();
    let round = 0;
    const final = await eventually(
      async () => {
        await Promise.all(
          units.slice((round % 8) * 50, (round % 8) * 50 + 50).map(async (unit) => {
            const response = await system.api('/v1/endpoints/search/predict', { method: 'POST', json: { unit, inputs: { x: [[1, 2, 3]] } } });
            expect(response.status).toBe(200);
            answeredBy.set(`${response.headers.get('flywheel-config-version')}:${unit}`, response.headers.get('flywheel-variant')!);
            await response.arrayBuffer();
          }),
        );
        round++;
        return (await (await system.api('/v1/endpoints/search')).json()) as EndpointView;
      },
      (view) => view.config.variants.find((v) => v.name === 'candidate')!.weight === 100,
      // Two steps, each waiting out the API's 5 s config cache: ~16 s alone, more on a busy machine.
      35_000,
      // Most of a step is the log pipeline and the cache; flooding it meanwhile only slows a busy machine.
      100,
    );

    expect(final.configVersion).toBe(3);
    // What is answered is what the OpenAPI document says, the guardrail's decisions too.
    const history = (z.object({ history: z.array(endpointViewSchema) }).parse(await (await system.api('/v1/endpoints/search/history')).json()).history as EndpointView[]).reverse();
    expect(history.map((h) => [h.change.kind, h.config.variants.map((v) => v.weight)])).toEqual([
      ['create', [90, 10]],
      ['guardrail', [50, 50]],
      ['guardrail', [0, 100]],
    ]);
    for (const [step, record] of history.slice(1).entries()) {
      const decision = record.change.decision!;
      expect(decision).toMatchObject({
        action: 'promote',
        verdict: 'healthy',
        stepStartedAt: step + 1,
        previousWeights: history[step].config.variants.map(({ name, weight }) => ({ name, weight })),
      });
      expect(decision.numbers).toMatchObject({
        metric: 'error_rate',
        controlValue: 0,
        candidateValue: 0,
        degradation: 0,
        minSamples: MIN_SAMPLES,
        candidateWeight: [10, 50][step],
      });
      // Each step is judged on its own traffic: at least the minimum on both sides.
      expect(Math.min(decision.numbers.controlSamples as number, decision.numbers.candidateSamples as number)).toBeGreaterThanOrEqual(MIN_SAMPLES);
      expect(record.change.reason).toMatch(new RegExp(`^promoted candidate to ${[50, 100][step]}%`));
    }

    // A ramp only moves units into the candidate: none it answered under one step goes back under the next.
    for (const [from, to] of [
      [1, 2],
      [2, 3],
    ]) {
      const moved = units.filter((unit) => answeredBy.get(`${from}:${unit}`) === 'candidate' && answeredBy.has(`${to}:${unit}`) && answeredBy.get(`${to}:${unit}`) !== 'candidate');
      expect(moved).toEqual([]);
    }
    expect(units.some((unit) => answeredBy.get(`1:${unit}`) === 'candidate')).toBe(true);

    const events = await eventually(
      async () => ((await (await system.api('/v1/events?type=dev.flywheel.rollout.promoted')).json()) as { events: Array<{ data: Record<string, unknown> }> }).events,
      (list) => list.length >= 2,
    );
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ endpoint: 'search', variant: 'candidate', version: 2, configVersion: 2 }),
      expect.objectContaining({ endpoint: 'search', variant: 'candidate', version: 2, configVersion: 3 }),
    ]);
  }, 45_000);
});
