import { describe, expect, it } from 'vitest';
import {
  endpointConfigSchema,
  nextEndpointRecord,
  predictionRows,
  type ArtifactStore,
  type EndpointStore,
  type ModelRegistry,
  type ModelVersion,
  type PredictionLogEntry,
  type ShadowSpec,
} from '@flywheel/core';
import { floatTensor, predict, tensorType, writeModel, type LoadedModel } from '@flywheel/inference';
import { Serving, type ServingPlan } from './serving.ts';

const signature = { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }] };

/** `y = x · scale`, or with `failAbove`, a table lookup that fails on any value ≥ it. */
function modelBytes(scale: number, failAbove?: number): Uint8Array {
  const io = { inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }], outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }] };
  if (failAbove === undefined) return writeModel({ ...io, nodes: [{ opType: 'Mul', inputs: ['x', 's'], outputs: ['y'] }], initializers: [floatTensor('s', [1], [scale])] });
  return writeModel({
    ...io,
    nodes: [
      { opType: 'Cast', inputs: ['x'], outputs: ['i'], attributes: { to: { int: 7 } } },
      { opType: 'Gather', inputs: ['table', 'i'], outputs: ['y'] },
    ],
    initializers: [
      floatTensor(
        'table',
        [failAbove],
        Array.from({ length: failAbove }, (_, i) => i * scale),
      ),
    ],
  });
}

const models: Record<string, Uint8Array> = { 'm#1': modelBytes(2), 'm#2': modelBytes(-1), 'm#3': modelBytes(2, 10) };
const versionOf = (model: string, version: number): ModelVersion => ({
  model,
  version,
  sha256: `${model}#${version}`,
  sizeBytes: 0,
  signature,
  notes: [],
  lineage: {},
  createdAt: '2026-01-01T00:00:00.000Z',
});

function serving(shadowSpecs: ShadowSpec[], options: { concurrency?: number } = {}) {
  const logged: PredictionLogEntry[] = [];
  /** How many entries had been logged at each flush. */
  const flushes: number[] = [];
  const registry = { getVersion: async (model: string, version: number) => (models[`${model}#${version}`] ? versionOf(model, version) : undefined) } as unknown as ModelRegistry;
  const artifacts = { getModel: async (sha256: string) => models[sha256] } as unknown as ArtifactStore;
  const config = endpointConfigSchema.parse({ variants: [{ name: 'main', model: 'm', version: 1, weight: 100 }], shadows: shadowSpecs });
  const record = nextEndpointRecord('e', undefined, { config, change: { kind: 'create' } }, '2026-01-01T00:00:00.000Z');
  const endpoints = { current: async (name: string) => (name === 'e' ? record : undefined) } as unknown as EndpointStore;
  const instance = new Serving(
    {
      registry,
      artifacts,
      endpoints,
      predictionLog: { log: (entry) => void logged.push(entry), flush: async () => void flushes.push(logged.length), close: async () => undefined },
    },
    { shadowConcurrency: options.concurrency },
  );
  return { serving: instance, logged, flushes };
}

/** One request to endpoint `e` through the serving path. */
async function serve<R>(s: Serving, requestId: string, plan: ServingPlan<R>): Promise<R> {
  const served = await s.serve({ endpoint: 'e', rows: 1, requestId, receivedAt: Date.parse('2026-01-01T10:00:00.000Z'), startedAt: performance.now(), plan: () => plan });
  return served.result;
}

const predicting = (inputs: { x: number[][] }): ServingPlan<Record<string, unknown>> => ({
  run: (model) => predict(model, inputs),
  rowsOf: (result) => predictionRows({ inputs }, result, undefined),
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('shadow traffic', () => {
  it('runs after the caller has its answer, and logs each shadow under the same id with its agreement', async () => {
    const { serving: s, logged } = serving([
      { name: 'flip', model: 'm', version: 2, percent: 100 },
      { name: 'never', model: 'm', version: 2, percent: 0 },
    ]);
    const outputs = await serve(s, 'req-1', predicting({ x: [[1, 5, 3]] }));
    expect(outputs).toEqual({ y: [[2, 10, 6]] });
    // Answered before any shadow ran: only the primary is logged so far.
    expect(logged.map((e) => e.variant)).toEqual(['main']);
    await until(() => logged.length === 2);
    const shadow = logged[1];
    expect(shadow).toMatchObject({ requestId: 'req-1', variant: 'flip', model: 'm', version: 2, shadowOf: 'main', status: 'ok', time: logged[0].time });
    expect(shadow.rows).toEqual([{ inputs: { x: [1, 5, 3] }, outputs: { y: [-1, -5, -3] }, agreement: { argmax: false, absDiff: 9 } }]);
    expect(s.shadows.stats).toEqual({ started: 1, failed: 0, dropped: 0 });
  });

  it('sheds mirrors beyond its concurrency, counting them, while the slow ones run', async () => {
    const { serving: s, logged, flushes } = serving([{ name: 'slow', model: 'm', version: 2, percent: 100 }], { concurrency: 2 });
    const primary = await s.model(versionOf('m', 1));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: ServingPlan<unknown> = {
      run: async (model: LoadedModel) => {
        if (model !== primary) await gate;
        return { y: [[1, 1, 1]] };
      },
      rowsOf: () => [{ inputs: {}, outputs: { y: [1, 1, 1] } }],
    };
    for (let i = 1; i <= 5; i++) await serve(s, `req-${i}`, slow);
    // Every caller was answered; req-1's and req-2's shadows hold both slots, the rest were dropped, not queued.
    expect(logged.filter((e) => !e.shadowOf)).toHaveLength(5);
    expect(s.shadows.stats).toEqual({ started: 2, failed: 0, dropped: 3 });
    // A frozen function settles before it returns: that waits for the shadows in flight, then flushes.
    let settled = false;
    const settling = s.settle().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect(flushes).toEqual([]);
    release();
    await settling;
    expect(logged.filter((e) => e.shadowOf).map((e) => e.requestId)).toEqual(['req-1', 'req-2']);
    expect(flushes).toEqual([7]);
    await s.settle();
    expect(flushes).toEqual([7, 7]);
  });

  it('holds a settle only so long for a shadow that does not end, and sends its entry with the next', async () => {
    const { serving: s, logged, flushes } = serving([{ name: 'stuck', model: 'm', version: 2, percent: 100 }]);
    const primary = await s.model(versionOf('m', 1));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stuck: ServingPlan<unknown> = {
      run: async (model: LoadedModel) => {
        if (model !== primary) await gate;
        return { y: [[1, 1, 1]] };
      },
      rowsOf: () => [{ inputs: {}, outputs: { y: [1, 1, 1] } }],
    };
    await serve(s, 'req-1', stuck);
    const started = performance.now();
    await s.settle({ maxShadowWaitMs: 50 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(flushes).toEqual([1]);
    release();
    await s.settle();
    expect(logged.map((e) => e.variant)).toEqual(['main', 'stuck']);
    expect(flushes).toEqual([1, 2]);
  });

  it('logs a shadow that fails as an error record, and the caller never sees it', async () => {
    const { serving: s, logged } = serving([{ name: 'lookup', model: 'm', version: 3, percent: 100 }]);
    const outputs = await serve(s, 'req-9', predicting({ x: [[12, 1, 2]] }));
    expect(outputs).toEqual({ y: [[24, 2, 4]] });
    await until(() => logged.length === 2);
    expect(logged[1]).toMatchObject({ requestId: 'req-9', variant: 'lookup', version: 3, shadowOf: 'main', status: 'error', rows: [] });
    expect(logged[1].error).toMatch(/could not run on these inputs/);
    expect(s.shadows.stats).toMatchObject({ started: 1, failed: 1 });
  });
});
