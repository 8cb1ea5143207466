import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TrainJob, TrainJobQueue } from '@flywheel/core';

/** One message per run on the train-jobs queue; the train function takes them one at a time. */
export class SqsTrainJobQueue implements TrainJobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: TrainJob): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }
}
