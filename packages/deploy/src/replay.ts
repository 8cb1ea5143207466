import type { Context, ScheduledEvent } from 'aws-lambda';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { replaySpilledPredictionLogs, type AwsClients, type ResourceNames } from '@flywheel/aws';

// About 50 ms a batch (read, send, delete): well within the function's 60 s.
const MAX_BATCHES_PER_RUN = 500;

/**
 * The replay function, on an EventBridge schedule: replays what the API and edge spilled. Fails
 * the invocation when a batch could not be re-sent (it stays in the spill), so the function's
 * error alarm says so.
 */
export function createReplayHandler(clients: AwsClients, names: ResourceNames) {
  const logger = new PowertoolsLogger({ serviceName: 'replay' });
  return async (_event: ScheduledEvent, _context: Context) => {
    const result = await replaySpilledPredictionLogs(clients, names, { maxBatches: MAX_BATCHES_PER_RUN });
    if (result.replayed > 0 || result.failed > 0) logger.info('replayed spilled prediction logs', { ...result });
    if (result.failed > 0) throw new Error(`${result.failed} spilled prediction-log batches could not be re-sent; they stay for the next run`);
    return result;
  };
}
