import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BatchDispatcher, BatchMessage } from '@flywheel/core';

const ATTEMPTS = 5;

/**
 * The batch queue: ten messages per request. Entries SQS refuses are sent again (a few times),
 * then the whole send fails, and the plan message that called it is redelivered and sends again.
 */
export class SqsBatchDispatcher implements BatchDispatcher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly BatchMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      let pending = messages.slice(i, i + 10).map((message, n) => ({ Id: String(n), MessageBody: JSON.stringify(message) }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const { Failed } = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
        const failed = new Set((Failed ?? []).map((f) => f.Id));
        pending = pending.filter((entry) => failed.has(entry.Id));
        if (pending.length > 0 && attempt >= ATTEMPTS) throw new Error(`the batch queue refused ${pending.length} messages: ${Failed?.[0]?.Message ?? 'no reason given'}`);
      }
    }
  }
}
