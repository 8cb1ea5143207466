import type { AwsClients } from './clients.ts';
import { DynamoEndpointStore } from './endpoint-store.ts';
import { DynamoExperimentStore } from './experiment-store.ts';
import { FeedbackJoiner } from './feedback-join.ts';
import { DynamoPredictionObserver } from './feedback-prediction-observer.ts';
import { DynamoFeedbackStore } from './feedback-store.ts';
import { WindowPerformanceWriter } from './feedback-window-performance.ts';
import { DynamoModelRegistry } from './model-registry-store.ts';
import { DynamoWindowStore } from './monitoring-window-store.ts';
import type { ResourceNames } from './resources.ts';

export interface FeedbackPorts {
  /** Feedback in (the API), labels out (the trainer). */
  feedback: DynamoFeedbackStore;
  /** The prediction side of the join (the monitor). */
  predictions: DynamoPredictionObserver;
  /** Per-variant tallies (the experiment view, and the guardrails' `outcome` metric). */
  experiments: DynamoExperimentStore;
}

/** The feedback join and experiment tallies on the stack's monitoring table. */
export function createFeedbackPorts(clients: AwsClients, names: ResourceNames): FeedbackPorts {
  const table = names.tables.monitoring;
  const experiments = new DynamoExperimentStore(clients.dynamodb, table);
  // Joined labels also count into their predictions' monitoring windows: realized performance per window.
  const windows = new WindowPerformanceWriter(new DynamoWindowStore(clients.dynamodb, table));
  const joiner = new FeedbackJoiner(clients.dynamodb, table, experiments, { windows });
  const registry = new DynamoModelRegistry(clients.dynamodb, names.tables.registry);
  return {
    feedback: new DynamoFeedbackStore(clients.dynamodb, table, joiner),
    predictions: new DynamoPredictionObserver(clients.dynamodb, table, experiments, joiner, registry, new DynamoEndpointStore(clients.dynamodb, names.tables.registry)),
    experiments,
  };
}
