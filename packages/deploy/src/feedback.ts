import { DynamoExperimentStore, DynamoFeedbackStore, DynamoPredictionObserver, FeedbackJoiner, WindowPerformanceWriter } from '@flywheel/aws';
import type { StackAdapters } from './stack-adapters.ts';

export interface FeedbackPorts {
  /** Feedback in (the API), labels out (the trainer). */
  feedback: DynamoFeedbackStore;
  /** The prediction side of the join (the monitor). */
  predictions: DynamoPredictionObserver;
  /** Per-variant tallies (the experiment view, and the guardrails' `outcome` metric). */
  experiments: DynamoExperimentStore;
}

/** The feedback join and experiment tallies on the stack's monitoring table. */
export function createFeedbackPorts(stack: StackAdapters): FeedbackPorts {
  const { clients, names } = stack;
  const table = names.tables.monitoring;
  const experiments = new DynamoExperimentStore(clients.dynamodb, table);
  // Joined labels also count into their predictions' monitoring windows: realized performance per window.
  const windows = new WindowPerformanceWriter(stack.windows);
  const joiner = new FeedbackJoiner(clients.dynamodb, table, experiments, { windows });
  return {
    feedback: new DynamoFeedbackStore(clients.dynamodb, table, joiner),
    predictions: new DynamoPredictionObserver(clients.dynamodb, table, experiments, joiner, stack.registry, stack.endpoints),
    experiments,
  };
}
