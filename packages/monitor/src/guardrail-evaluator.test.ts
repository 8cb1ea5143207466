import { describe, expect, it } from 'vitest';
import {
  endpointConfigSchema,
  nextEndpointRecord,
  type CloudEvent,
  type EndpointChange,
  type EndpointConfigInput,
  type EndpointRecord,
  type GuardrailState,
  type GuardrailStateStore,
  type PredictionLogRecord,
  type StoredWindow,
  windowOf,
  WindowStateBuilder,
} from '@flywheel/core';
import { GuardrailEvaluator, type GuardrailEvaluatorOptions } from './guardrail-evaluator.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function config(control: number, candidate: number, guardrails: Partial<NonNullable<EndpointConfigInput['guardrails']>> = {}) {
  return endpointConfigSchema.parse({
    variants: [
      { name: 'control', model: 'm', version: 1, weight: control },
      { name: 'candidate', model: 'm', version: 2, weight: candidate },
    ],
    guardrails: { metric: 'error_rate', maxDegradation: 0.02, autoPromote: true, minSamples: 200, ...guardrails },
  });
}

/** Endpoint versions in memory, appended as the Dynamo store does: put-if-absent of the next number. */
class MemoryEndpoints {
  readonly records: EndpointRecord[] = [];
  /** Runs before the next append, as a change racing it. */
  raceNextAppend?: () => void;

  change(c: ReturnType<typeof config>, change: EndpointChange = { kind: 'update' }, at = new Date(T0).toISOString()): EndpointRecord {
    const record = nextEndpointRecord('shop', this.records.at(-1), { config: c, change }, at, () => 'salt');
    this.records.push(record);
    return record;
  }

  async current() {
    return this.records.at(-1);
  }

  async history(_: string, options: { limit?: number } = {}) {
    return [...this.records].reverse().slice(0, options.limit);
  }

  async append(record: EndpointRecord) {
    const race = this.raceNextAppend;
    this.raceNextAppend = undefined;
    race?.();
    if (record.configVersion !== (this.records.at(-1)?.configVersion ?? 0) + 1) return false;
    this.records.push(record);
    return true;
  }
}

class MemoryState implements GuardrailStateStore {
  stored: { state?: GuardrailState; revision: number } = { revision: 0 };
  async read() {
    return this.stored;
  }
  async write(_: string, state: GuardrailState, expectedRevision: number) {
    if (this.stored.revision !== expectedRevision) return false;
    this.stored = { state, revision: expectedRevision + 1 };
    return true;
  }
}

class Traffic {
  readonly windows: StoredWindow[] = [];
  #next = 0;
  /** `count` requests of `variant` served under `configVersion`, `errors` of them failed. */
  serve(variant: string, configVersion: number, count: number, errors = 0, latencyMs = 5): void {
    const builder = new WindowStateBuilder(undefined);
    let first: PredictionLogRecord | undefined;
    for (let i = 0; i < count; i++) {
      const record: PredictionLogRecord = {
        id: `r${this.#next++}/0`,
        time: new Date(T0 + 60_000).toISOString(),
        endpoint: 'shop',
        variant,
        model: 'm',
        version: variant === 'control' ? 1 : 2,
        configVersion,
        inputs: {},
        latencyMs,
        status: i < errors ? 'error' : 'ok',
      };
      first ??= record;
      builder.add(record);
    }
    if (first) this.windows.push({ key: windowOf(first), state: builder.build(), applied: new Set(), revision: 1 });
  }
  async list() {
    return this.windows;
  }
}

function setup(options: GuardrailEvaluatorOptions = {}) {
  const endpoints = new MemoryEndpoints();
  const state = new MemoryState();
  const traffic = new Traffic();
  const published: CloudEvent[] = [];
  const events = { failures: 0, publish: async (event: CloudEvent) => void (events.failures > 0 ? (events.failures--, fail()) : published.push(event)) };
  let now = T0 + 120_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const evaluator = new GuardrailEvaluator({ endpoints, state, windows: traffic, events }, { minIntervalMs: 0, now: () => new Date(now), ...options });
  return { endpoints, state, traffic, published, events, clock, evaluator };
}

function fail(): never {
  throw new Error('queue unavailable');
}

describe('GuardrailEvaluator', () => {
  it('judges only the traffic served under the current step, and promotes once it holds over the minimum', async () => {
    const { endpoints, traffic, evaluator, published } = setup();
    endpoints.change(config(90, 10));
    // Version 1's candidate failed badly; a person then moved to a new step (20 %).
    traffic.serve('control', 1, 900);
    traffic.serve('candidate', 1, 100, 60);
    endpoints.change(config(80, 20));
    traffic.serve('control', 2, 800, 8);
    traffic.serve('candidate', 2, 200, 2);

    const look = await evaluator.evaluate('shop');
    expect(look.status).toBe('changed');
    if (look.status !== 'changed') return;
    expect(look.decision.numbers).toMatchObject({ controlSamples: 800, candidateSamples: 200, controlValue: 0.01, candidateValue: 0.01 });
    expect(look.record).toMatchObject({ configVersion: 3, change: { kind: 'guardrail', decision: { action: 'promote', stepStartedAt: 2 } } });
    expect(look.record.config.variants.map((v) => v.weight)).toEqual([50, 50]);
    expect(published.map((e) => [e.type, (e.data as { configVersion: number }).configVersion])).toEqual([['dev.flywheel.rollout.promoted', 3]]);
  });

  it('carries the always-valid p-value from look to look within a step, and starts afresh in a new one', async () => {
    const { endpoints, traffic, state, evaluator } = setup();
    endpoints.change(config(50, 50, { minSamples: 100_000 }));
    traffic.serve('control', 1, 300, 3);
    traffic.serve('candidate', 1, 300, 15);
    const first = await evaluator.evaluate('shop');
    expect(first).toMatchObject({ status: 'held', decision: { verdict: 'collecting' } });
    const firstP = state.stored.state!.sequentialPValue!;
    expect(firstP).toBeLessThan(1);
    expect(state.stored.state!.stepStartedAt).toBe(1);

    // The step goes on (a logging change is not a new step); its next traffic looks healthier.
    endpoints.change({ ...config(50, 50, { minSamples: 100_000 }), logging: { percent: 50, redact: [] } });
    traffic.serve('control', 2, 3000, 30);
    traffic.serve('candidate', 2, 3000, 30);
    await evaluator.evaluate('shop');
    expect(state.stored.state).toMatchObject({ stepStartedAt: 1, sequentialPValue: firstP });

    // A person changes the weights: a new step, with none of the old evidence.
    endpoints.change(config(60, 40, { minSamples: 100_000 }));
    traffic.serve('control', 3, 30, 0);
    traffic.serve('candidate', 3, 20, 0);
    await evaluator.evaluate('shop');
    expect(state.stored.state).toMatchObject({ stepStartedAt: 3, sequentialPValue: 1 });
  });

  it('decides again on the config that won a race, and writes nothing over it', async () => {
    const { endpoints, traffic, evaluator } = setup();
    endpoints.change(config(90, 10));
    traffic.serve('control', 1, 900);
    traffic.serve('candidate', 1, 100, 50);
    // While the rollback is being written, a person ends the canary.
    endpoints.raceNextAppend = () => endpoints.change(config(100, 0), { kind: 'update', actor: 'person' });
    const look = await evaluator.evaluate('shop');
    expect(look).toEqual({ status: 'skipped', reason: expect.stringMatching(/canary is over/) });
    expect(endpoints.records.map((r) => r.change.kind)).toEqual(['update', 'update']);
  });

  it('announces a rollback that could not be published at the next look, once', async () => {
    const { endpoints, traffic, evaluator, events, published, state } = setup();
    endpoints.change(config(90, 10));
    traffic.serve('control', 1, 900);
    traffic.serve('candidate', 1, 100, 50);
    events.failures = 1;
    await expect(evaluator.evaluate('shop')).rejects.toThrow('queue unavailable');
    expect(endpoints.records.at(-1)).toMatchObject({ configVersion: 2, change: { kind: 'guardrail', decision: { action: 'rollback', verdict: 'degraded' } } });
    expect(published).toEqual([]);

    expect(await evaluator.evaluate('shop')).toMatchObject({ status: 'skipped' });
    expect(await evaluator.evaluate('shop')).toMatchObject({ status: 'skipped' });
    expect(published.map((e) => [e.type, e.subject, (e.data as { configVersion: number }).configVersion])).toEqual([['dev.flywheel.rollout.rolled_back', 'variants/candidate', 2]]);
    expect(state.stored.state).toEqual({ stepStartedAt: 2, announced: 2 });
  });

  it('looks at an endpoint at most once per interval', async () => {
    const { endpoints, evaluator, clock } = setup({ minIntervalMs: 30_000 });
    endpoints.change(config(90, 10));
    expect((await evaluator.evaluate('shop')).status).toBe('held');
    clock.advance(29_000);
    expect(await evaluator.evaluate('shop')).toEqual({ status: 'throttled' });
    clock.advance(1_000);
    expect((await evaluator.evaluate('shop')).status).toBe('held');
  });

  it('judges outcome canaries on the outcomes since the step began', async () => {
    const endpoints = new MemoryEndpoints();
    const asked: unknown[] = [];
    const outcomes = {
      outcomes: async (endpoint: string, variant: string, since: { configVersion: number }) => {
        asked.push([endpoint, variant, since.configVersion]);
        const rate = variant === 'control' ? 0.5 : 0.3;
        return { count: 2000, sum: 2000 * rate, sumSquares: 2000 * rate };
      },
    };
    const evaluator = new GuardrailEvaluator(
      { endpoints, state: new MemoryState(), windows: new Traffic(), events: { publish: async () => undefined }, outcomes },
      { minIntervalMs: 0 },
    );
    endpoints.change(config(90, 10, { metric: 'outcome', maxDegradation: 0.05 }));
    const look = await evaluator.evaluate('shop');
    expect(look).toMatchObject({ status: 'changed', decision: { action: 'rollback', numbers: { metric: 'outcome', controlValue: 0.5, candidateValue: 0.3 } } });
    expect(asked).toEqual([
      ['shop', 'control', 1],
      ['shop', 'candidate', 1],
    ]);
  });

  it('leaves an outcome canary alone without a source of outcomes, and says why', async () => {
    const { endpoints, evaluator } = setup();
    endpoints.change(config(90, 10, { metric: 'outcome' }));
    expect(await evaluator.evaluate('shop')).toEqual({ status: 'skipped', reason: expect.stringMatching(/feedback aggregates/) });
  });
});
