// A retrainable model, its endpoint, archived post-shift traffic and its labels, for the retraining suites.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import type { PredictionLogRecord } from '@flywheel/core';
import { archiveGroups } from '@flywheel/monitor';
import { encodeArchive } from '@flywheel/aws';
import { generateTabularDataset, registryFeatures, registryTask, trainChallenger, type Dataset, type LabelRow, type LabelSource } from '@flywheel/train';
import { putEndpoint, registered } from './models.ts';
import type { TestSystem } from './system.ts';

// Trained once per suite: every model registered by the fixtures starts from the same bytes.
let conceptOne: Promise<{ dataset: Dataset; trained: Awaited<ReturnType<typeof trainChallenger>> }> | undefined;

/** Registers a model trained on concept 1 as version 1 and returns the dataset it learnt from. */
export async function registerConceptOneModel(system: TestSystem, model: string): Promise<{ version: number; dataset: Dataset }> {
  conceptOne ??= (async () => {
    const dataset = generateTabularDataset({ seed: 101, rows: 2000, concept: 1 });
    return { dataset, trained: await trainChallenger({ dataset, params: { trees: { rounds: 40 } } }) };
  })();
  const { dataset, trained } = await conceptOne;
  const version = await registered(system, model, trained.bytes, {
    features: registryFeatures(dataset.features, trained.layout),
    task: registryTask(dataset.task, trained.layout),
  });
  return { version, dataset };
}

export interface RetrainPolicyInput {
  on?: string[];
  minLabels?: number;
  cooldownMinutes?: number;
  canaryPercent?: number;
  minImprovement?: number;
  trainer?: unknown;
}

export async function putRetrainingEndpoint(system: TestSystem, endpoint: string, model: string, version: number, retrain: RetrainPolicyInput = {}): Promise<void> {
  const response = await putEndpoint(system, endpoint, {
    variants: [{ name: 'control', model, version, weight: 100 }],
    retrain: { on: ['drift'], minLabels: 200, cooldownMinutes: 60, canaryPercent: 10, minImprovement: 0.01, ...retrain },
  });
  expect([200, 201], await response.clone().text()).toContain(response.status);
}

/**
 * Post-shift traffic (concept 2, covariate shift) as the monitor archives it, spread over `spanMs`
 * starting `agoMs` before now (by default from three hours to one hour ago).
 */
export async function archiveShiftedTraffic(
  system: TestSystem,
  endpoint: string,
  model: string,
  version: number,
  rows = 1500,
  seed = 202,
  { agoMs = 3 * 3_600_000, spanMs = 2 * 3_600_000 } = {},
): Promise<Dataset> {
  const start = Date.now() - agoMs;
  const dataset = generateTabularDataset({
    seed,
    rows,
    concept: 2,
    covariateShift: 1,
    start: new Date(start).toISOString(),
    intervalMs: Math.floor(spanMs / rows),
    idPrefix: `${endpoint}-${seed}`,
  });
  const records: PredictionLogRecord[] = dataset.examples.map((example) => ({
    id: example.key,
    time: example.time,
    endpoint,
    variant: 'control',
    model,
    version,
    configVersion: 1,
    inputs: { ...example.features },
    latencyMs: 2,
    status: 'ok',
  }));
  for (const [key, group] of archiveGroups(
    `archived-${seed}`,
    records,
    records.map((record) => JSON.stringify(record)),
  )) {
    await system.clients.s3.send(new PutObjectCommand({ Bucket: system.names.bucket, Key: key, Body: await encodeArchive(group) }));
  }
  return dataset;
}

/** Feedback kept in memory: labels of the examples added to it, per endpoint. */
export class MemoryLabels {
  readonly #rows = new Map<string, LabelRow[]>();

  add(endpoint: string, dataset: Dataset): void {
    const rows = this.#rows.get(endpoint) ?? [];
    for (const example of dataset.examples) {
      const slash = example.key.lastIndexOf('/');
      rows.push({ id: example.key.slice(0, slash), row: Number(example.key.slice(slash + 1)), label: example.label });
    }
    this.#rows.set(endpoint, rows);
  }

  readonly source: LabelSource = (endpoint) => this.#rows.get(endpoint) ?? [];
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
