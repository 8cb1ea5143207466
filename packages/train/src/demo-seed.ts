import type { EndpointConfigInput, ModelMetadata } from '@flywheel/core';
import { generateTabularDataset, type GenerateOptions } from './generate.ts';
import { trainChallenger } from './pipeline.ts';
import { registryFeatures, registryTask } from './registry-metadata.ts';

/** Names and traffic of the demo: a churn model of concept 1 behind the `demo` endpoint, retrained on drift. */
export const DEMO_ENDPOINT = 'demo';
export const DEMO_MODEL = 'demo';

/** Traffic before the change (concept 1, no shift) and after it (concept 2, shifted features). */
export function demoTraffic(phase: 'before' | 'after', options: Pick<GenerateOptions, 'seed' | 'rows' | 'idPrefix'>) {
  return generateTabularDataset({ ...options, ...(phase === 'before' ? { concept: 1 } : { concept: 2, covariateShift: 1 }) });
}

export interface DemoSeed {
  readonly bytes: Uint8Array;
  readonly metadata: ModelMetadata;
  /** Records for `PUT …/baseline`. */
  readonly baseline: Record<string, unknown>[];
  /** The `demo` endpoint config, given the registered version. */
  readonly endpoint: (version: number) => EndpointConfigInput;
}

/** The demo model (trained here, deterministically) and what to register and serve it with. */
export async function demoSeed(): Promise<DemoSeed> {
  const dataset = demoTraffic('before', { seed: 7, rows: 3000, idPrefix: 'seed' });
  const trained = await trainChallenger({ dataset, params: { trees: { rounds: 60 } } });
  return {
    bytes: trained.bytes,
    metadata: {
      description: 'Demo churn model (gradient-boosted trees) trained on generated data, concept 1.',
      features: registryFeatures(dataset.features, trained.layout),
      task: registryTask(dataset.task, trained.layout),
      lineage: { manifestSha256: trained.manifest.sha256, rows: trained.manifest.rows, params: trained.params, metrics: { challenger: trained.metrics.challenger } },
    },
    baseline: dataset.examples.slice(0, 2000).map((e) => ({ ...e.features })),
    endpoint: (version) => ({
      variants: [{ name: 'control', model: DEMO_MODEL, version, weight: 100 }],
      guardrails: { metric: 'error_rate', maxDegradation: 0.02, autoPromote: true, autoRollback: true, minSamples: 200 },
      retrain: { on: ['drift'], trainer: 'builtin', minLabels: 500, cooldownMinutes: 60, canaryPercent: 20, minImprovement: 0.02 },
    }),
  };
}
