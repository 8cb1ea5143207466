import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CloudEvent, EventPublisher } from '@flywheel/core';

/** Puts CloudEvents (structured JSON) on the events queue, with the type as a message attribute for filtering. */
export class SqsEventPublisher implements EventPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(event: CloudEvent): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
      }),
    );
  }
}
