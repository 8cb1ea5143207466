import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from './clients.ts';
import { replaySpilledLogs, S3PredictionLogSpill, type ReplayResult } from './prediction-log-spill.ts';
import type { ResourceNames } from './resources.ts';

/**
 * Re-sends prediction-log batches spilled to S3 when the queue refused them. The sink replays its
 * spill when it next sends, but an instance that sees no more traffic never does; run on a
 * schedule, nothing spilled waits longer than the schedule's period. At most `maxBatches` per call,
 * so a run ends within its function's timeout; the rest is left for the next run.
 */
export function replaySpilledPredictionLogs(
  clients: Pick<AwsClients, 's3' | 'sqs'>,
  names: Pick<ResourceNames, 'queues' | 'bucket'>,
  options: { maxBatches?: number } = {},
): Promise<ReplayResult> {
  const queueUrl = names.queues.predictionLogs;
  return replaySpilledLogs(
    new S3PredictionLogSpill(clients.s3, names.bucket),
    async (body) => {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
    options,
  );
}
