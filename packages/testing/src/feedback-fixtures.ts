// A system with the monitor running, a classifier with a task, and readers of the experiment view, for the feedback and guardrail suites.
import { expect } from 'vitest';
import { DynamoEndpointStore } from '@flywheel/aws';
import type { JudgeOptions } from '@flywheel/monitor';
import { assignVariant, requestBucket, silentLogger } from '@flywheel/core';
import { createEventsHandler, createMonitorHandler } from '@flywheel/deploy';
import { putEndpoint, registered, scaledModel } from './models.ts';
import { eventually } from './monitor-fixtures.ts';
import { startTestSystem, type TestSystem } from './system.ts';

/**
 * The whole system with the monitor consuming prediction logs (so predictions reach the join and
 * the guardrails) and the events function recording events.
 */
export function startMonitoredSystem(judge: JudgeOptions = {}): Promise<TestSystem> {
  return startTestSystem({
    consumers: {
      monitor: (clients, names) => createMonitorHandler(clients, names, { logger: silentLogger, judge }),
      events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
    },
  });
}

/** `y = x · scale` on three columns, read as a three-class classifier: the class of the largest input. */
export const CLASSES = ['a', 'b', 'c'] as const;

/** Registers the classifier (scale 1 as version 1, 2 as version 2) and a two-variant endpoint over it. */
export async function classifierEndpoint(system: TestSystem, endpoint: string, weights: [number, number] = [50, 50]): Promise<void> {
  const task = { type: 'multiclass-classification', output: 'y', classes: [...CLASSES] };
  const v1 = await registered(system, 'shop-model', scaledModel(1), { task });
  const v2 = await registered(system, 'shop-model', scaledModel(2), { task });
  const response = await putEndpoint(system, endpoint, {
    variants: [
      { name: 'control', model: 'shop-model', version: v1, weight: weights[0] },
      { name: 'candidate', model: 'shop-model', version: v2, weight: weights[1] },
    ],
  });
  expect([200, 201], await response.clone().text()).toContain(response.status);
}

/**
 * One row predicted for the class at `hot` (0, 1 or 2). `variant` picks a unit the endpoint's
 * split assigns to that variant — not the Flywheel-Variant header, whose forced rows experiments
 * leave out.
 */
export async function predictRow(system: TestSystem, endpoint: string, options: { id: string; hot?: number; unit?: string; variant?: string }): Promise<{ variant: string }> {
  const inputs = { x: [[0, 1, 2].map((i) => (i === (options.hot ?? 0) ? 1 : 0))] };
  const unit = options.variant ? await unitFor(system, endpoint, options.variant) : options.unit;
  const response = await system.api(`/v1/endpoints/${endpoint}/predict`, {
    method: 'POST',
    json: { inputs, id: options.id, ...(unit ? { unit } : {}) },
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const answered = (await response.json()) as { variant: string };
  if (options.variant) expect(answered.variant).toBe(options.variant);
  return answered;
}

/** A sticky unit the endpoint's current split assigns to `variant`, found as the router finds it. */
export async function unitFor(system: TestSystem, endpoint: string, variant: string): Promise<string> {
  const record = await new DynamoEndpointStore(system.clients.dynamodb, system.names.tables.registry).current(endpoint);
  if (!record) throw new Error(`no endpoint ${endpoint}`);
  for (let i = 0; i < 100_000; i++) {
    const unit = `unit-${i}`;
    if (assignVariant(record.allocation, requestBucket(record.salt, { unit, sticky: record.config.sticky })) === variant) return unit;
  }
  throw new Error(`the split of ${endpoint} assigns no unit to ${variant}`);
}

export async function postFeedback(system: TestSystem, endpoint: string, body: unknown): Promise<Response> {
  return system.api(`/v1/endpoints/${endpoint}/feedback`, { method: 'POST', json: body });
}

export interface ExperimentVariantView {
  name: string;
  weight: number;
  count: number;
  /** The split's draws the sample-ratio check counts. */
  assigned: number;
  outcomes: number;
  feedback: number;
  rate?: number | null;
  mean?: number | null;
  ci: { lower: number; upper: number } | null;
  comparison: { lift: number | null; difference: number; pValue: number; significant: boolean; sequentialPValue: number; sequentiallySignificant: boolean } | null;
  quality: { labelled?: number; accuracy?: number; valued?: number; rmse?: number; mae?: number } | null;
}

export interface ExperimentView {
  endpoint: string;
  configVersion: number;
  experiment: { fromConfigVersion: number; toConfigVersion: number; since: string; running: boolean };
  kind: 'binary' | 'continuous';
  control: string;
  variants: ExperimentVariantView[];
  srm: { chiSquare: number; df: number; pValue: number; mismatch: boolean };
  decisions: Array<Record<string, unknown> & { configVersion: number; kind: string }>;
}

export async function experiment(system: TestSystem, endpoint: string, query = ''): Promise<ExperimentView> {
  const response = await system.api(`/v1/endpoints/${endpoint}/experiment${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ExperimentView;
}

export function variantOf(view: ExperimentView, name: string): ExperimentVariantView {
  const found = view.variants.find((v) => v.name === name);
  if (!found) throw new Error(`no variant ${name} in ${JSON.stringify(view.variants)}`);
  return found;
}

/** Polls the experiment view until `done` holds for it. */
export function experimentWhen(system: TestSystem, endpoint: string, done: (view: ExperimentView) => boolean, timeoutMs = 15_000): Promise<ExperimentView> {
  return eventually(() => experiment(system, endpoint), done, timeoutMs);
}

export const servedCount = (view: ExperimentView) => view.variants.reduce((sum, v) => sum + v.count, 0);
