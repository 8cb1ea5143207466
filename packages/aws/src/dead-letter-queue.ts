import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '@flywheel/core';

/** SQS caps a message attribute value with the rest of the message; reasons stay short. */
const MAX_REASON_LENGTH = 1000;

/**
 * Sends to the dead-letter queue of a source queue, found through the source's redrive policy
 * (so it is whatever the deployment configured). Each dead letter carries `reason`,
 * `sourceMessageId` and, when known, `batchId` message attributes.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  #url: Promise<string> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly sourceQueueUrl: string,
  ) {}

  async send(body: string, reason: string, source: { messageId: string; batchId?: string }): Promise<void> {
    const attributes = {
      reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) || 'unknown' },
      sourceMessageId: { DataType: 'String', StringValue: source.messageId },
      ...(source.batchId ? { batchId: { DataType: 'String', StringValue: source.batchId } } : {}),
    };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: await this.url(), MessageBody: body || '(empty)', MessageAttributes: attributes }));
  }

  url(): Promise<string> {
    this.#url ??= this.#resolve().catch((error) => {
      this.#url = undefined;
      throw error;
    });
    return this.#url;
  }

  async #resolve(): Promise<string> {
    const { Attributes } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.sourceQueueUrl, AttributeNames: ['RedrivePolicy'] }));
    const policy = Attributes?.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }) : {};
    const arn = policy.deadLetterTargetArn;
    if (!arn) throw new Error(`queue ${this.sourceQueueUrl} has no dead-letter queue configured`);
    const [, , , , accountId, queueName] = arn.split(':');
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: accountId }));
    return QueueUrl!;
  }
}
