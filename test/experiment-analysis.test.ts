import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEndpointStore } from '@flywheel/aws';
import { nextEndpointRecord, type EndpointChange } from '@flywheel/core';
import { expectProblem } from '@flywheel/testing/models';
import { queueDrained } from '@flywheel/testing/monitor-fixtures';
import {
  classifierEndpoint,
  experiment,
  experimentWhen,
  postFeedback,
  predictRow,
  servedCount,
  startMonitoredSystem,
  variantOf,
  type ExperimentView,
} from '@flywheel/testing/feedback-fixtures';
import type { TestSystem } from '@flywheel/testing/system';
import { experimentResponseSchema } from '../packages/api/src/routes/experiment.ts';

const UNITS = 400;

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7): the test's own normal tail. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const closeRelative = (actual: number, expected: number, tolerance = 1e-6) => expect(Math.abs(actual - expected) / expected).toBeLessThan(tolerance);

async function inParallel<T>(count: number, limit: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await run(i);
      }
    }),
  );
  return results;
}

describe('GET /v1/endpoints/{endpoint}/experiment', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startMonitoredSystem();
    await classifierEndpoint(system, 'conv');
  });
  afterAll(() => system?.stop());

  let firstExperiment: ExperimentView;

  it('gives a two-variant conversion experiment the p-value of the two-proportion z-test, with its rates, CIs and SRM check', async () => {
    // Requests whose variant the split did not choose — forced by header, pinned by version — are
    // served and logged, but are no sample of the split: the experiment leaves them out.
    for (let i = 0; i < 30; i++) {
      const forced = await system.api('/v1/endpoints/conv/predict', {
        method: 'POST',
        headers: { 'flywheel-variant': 'candidate' },
        json: { inputs: { x: [[1, 0, 0]] }, id: `forced-${i}` },
      });
      expect(forced.status).toBe(200);
    }
    for (let i = 0; i < 5; i++) {
      const pinned = await system.api('/v2/models/conv/versions/1/infer', {
        method: 'POST',
        json: { id: `pinned-${i}`, inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 0, 0] }] },
      });
      expect(pinned.status, await pinned.clone().text()).toBe(200);
    }
    // 400 sticky units split 50/50; control converts one in ten, the candidate two in ten.
    const variants = await inParallel(UNITS, 8, async (i) => (await predictRow(system, 'conv', { id: `conv-${i}`, unit: `user-${i}` })).variant);
    const converts = (i: number) => i % 10 < (variants[i] === 'control' ? 1 : 2);
    // Conversions are reported; some non-conversions too (every third), the rest never are.
    const items = variants.flatMap((_, i) => (converts(i) ? [{ id: `conv-${i}`, outcome: true }] : i % 3 === 0 ? [{ id: `conv-${i}/0`, outcome: false }] : []));
    const response = await postFeedback(system, 'conv', { feedback: items });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: items.length, rows: items.length, labelled: 0 });

    const expected = (name: string) => {
      const mine = variants.flatMap((v, i) => (v === name ? [i] : []));
      return { count: mine.length, conversions: mine.filter(converts).length, feedback: mine.filter((i) => converts(i) || i % 3 === 0).length };
    };
    const [control, candidate] = [expected('control'), expected('candidate')];
    await experimentWhen(system, 'conv', (v) => servedCount(v) === UNITS && v.variants.every((x) => x.feedback === expected(x.name).feedback));
    // Everything logged has been taken by the monitor, the forced and pinned rows too, and counted nowhere.
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    // What is answered is what the OpenAPI document says.
    const view = experimentResponseSchema.parse(await experiment(system, 'conv')) as ExperimentView;
    expect(servedCount(view)).toBe(UNITS);
    firstExperiment = view;

    expect(view).toMatchObject({ kind: 'binary', control: 'control', experiment: { fromConfigVersion: 1, toConfigVersion: 1, running: true }, decisions: [] });
    expect(variantOf(view, 'control')).toMatchObject({ weight: 50, count: control.count, outcomes: control.conversions, feedback: control.feedback, comparison: null });
    expect(variantOf(view, 'candidate')).toMatchObject({ weight: 50, count: candidate.count, outcomes: candidate.conversions, feedback: candidate.feedback });
    for (const [name, data] of [
      ['control', control],
      ['candidate', candidate],
    ] as const) {
      const v = variantOf(view, name);
      expect(v.rate).toBeCloseTo(data.conversions / data.count, 12);
      expect(v.ci!.lower).toBeLessThan(v.rate!);
      expect(v.ci!.upper).toBeGreaterThan(v.rate!);
    }

    // The two-proportion z-test with the pooled standard error, computed here.
    const [p1, p2] = [control.conversions / control.count, candidate.conversions / candidate.count];
    const pooled = (control.conversions + candidate.conversions) / UNITS;
    const z = (p2 - p1) / Math.sqrt(pooled * (1 - pooled) * (1 / control.count + 1 / candidate.count));
    const pValue = erfc(Math.abs(z) / Math.SQRT2);
    const comparison = variantOf(view, 'candidate').comparison!;
    closeRelative(comparison.pValue, pValue);
    expect(comparison.significant).toBe(pValue < 0.05);
    expect(comparison.lift).toBeCloseTo(p2 / p1 - 1, 10);
    expect(comparison.sequentialPValue).toBeGreaterThan(0);
    expect(comparison.sequentialPValue).toBeLessThanOrEqual(1);

    // Observed against configured shares: Pearson's chi-square on one degree of freedom.
    const chiSquare = ((control.count - UNITS / 2) ** 2 + (candidate.count - UNITS / 2) ** 2) / (UNITS / 2);
    expect(view.srm.chiSquare).toBeCloseTo(chiSquare, 10);
    if (chiSquare > 0) closeRelative(view.srm.pValue, erfc(Math.sqrt(chiSquare / 2)));
    expect(view.srm.mismatch).toBe(false);
  }, 30_000);

  it('starts a new experiment when a guardrail changes the weights, lists the decision, and keeps the earlier one readable', async () => {
    const endpoints = new DynamoEndpointStore(system.clients.dynamodb, system.names.tables.registry);
    const current = (await endpoints.current('conv'))!;
    // What the guardrails write (another part of the system): a config version of kind `guardrail` carrying its numbers.
    const change = {
      kind: 'guardrail',
      reason: 'candidate promoted: outcome held within 2% over 500 samples',
      actor: 'guardrails',
      decision: {
        action: 'promote',
        verdict: 'healthy',
        control: 'control',
        candidate: 'candidate',
        numbers: { metric: 'outcome', controlSamples: 500, candidateSamples: 500, sequentialPValue: 0.8 },
      },
    } as unknown as EndpointChange;
    const promoted = nextEndpointRecord(
      'conv',
      current,
      { config: { ...current.config, variants: current.config.variants.map((v) => ({ ...v, weight: v.name === 'control' ? 0 : 100 })) }, change },
      new Date().toISOString(),
    );
    expect(await endpoints.append(promoted)).toBe(true);

    const view = await experiment(system, 'conv');
    expect(view.experiment).toMatchObject({ fromConfigVersion: 2, toConfigVersion: 2, running: true });
    expect(view.variants.map((v) => [v.name, v.weight, v.count])).toEqual([
      ['control', 0, 0],
      ['candidate', 100, 0],
    ]);
    expect(view.decisions).toEqual([
      expect.objectContaining({
        configVersion: 2,
        kind: 'guardrail',
        reason: change.reason,
        decision: expect.objectContaining({ action: 'promote', numbers: expect.objectContaining({ sequentialPValue: 0.8 }) }),
        weights: [
          { name: 'control', weight: 0 },
          { name: 'candidate', weight: 100 },
        ],
      }),
    ]);

    const earlier = await experiment(system, 'conv', '?configVersion=1');
    expect(earlier.experiment).toMatchObject({ fromConfigVersion: 1, toConfigVersion: 1, running: false });
    expect(earlier.variants).toEqual(firstExperiment.variants);
  });

  it('analyses amounts as a continuous metric: the mean per served prediction, with Welch’s test', async () => {
    await classifierEndpoint(system, 'basket');
    const variants = await inParallel(40, 8, async (i) => (await predictRow(system, 'basket', { id: `basket-${i}`, variant: i % 2 === 0 ? 'control' : 'candidate' })).variant);
    // Half the predictions lead to a purchase of some amount; the others are never reported.
    const amount = (i: number) => (i % 4 < 2 ? 10 + (i % 7) * (variants[i] === 'candidate' ? 3 : 2) : undefined);
    const items = variants.flatMap((_, i) => (amount(i) === undefined ? [] : [{ id: `basket-${i}`, outcome: amount(i)! }]));
    expect((await postFeedback(system, 'basket', { feedback: items })).status).toBe(202);
    const view = await experimentWhen(system, 'basket', (v) => servedCount(v) === 40 && v.variants.reduce((n, x) => n + x.feedback, 0) === items.length);
    experimentResponseSchema.parse(view);
    expect(view.kind).toBe('continuous');
    for (const name of ['control', 'candidate']) {
      const mine = variants.flatMap((v, i) => (v === name ? [amount(i) ?? 0] : []));
      const v = variantOf(view, name);
      expect(v.count).toBe(mine.length);
      expect(v.outcomes).toBeCloseTo(
        mine.reduce((a, b) => a + b, 0),
        10,
      );
      expect(v.mean).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / mine.length, 10);
    }
    expect(variantOf(view, 'candidate').comparison!.pValue).toBeGreaterThan(0);
  });

  it('answers unknown endpoints and config versions with problem+json', async () => {
    await expectProblem(await system.api('/v1/endpoints/nothing-here/experiment'), 404);
    const missing = await expectProblem(await system.api('/v1/endpoints/conv/experiment?configVersion=99'), 404);
    expect(missing.errors).toEqual([{ path: 'configVersion', message: expect.stringMatching(/1\.\.2/) }]);
    const invalid = await expectProblem(await system.api('/v1/endpoints/conv/experiment?configVersion=first'), 400);
    expect(invalid.errors?.[0].path).toBe('configVersion');
    await expectProblem(await system.api('/v1/endpoints/conv/experiment?alpha=2'), 400);
  });
});
