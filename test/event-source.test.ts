import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { SqsEventSource, provisionStack, startEmbeddedAws, type EmbeddedAws } from '@flywheel/local';
import { tempDataDir } from '@flywheel/testing/temp-dir';

describe('queue consumers run the way Lambda runs them', () => {
  let aws: EmbeddedAws;
  let clients: AwsClients;
  let names: ResourceNames;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;

  beforeAll(async () => {
    dataDir = await tempDataDir('event-source');
    aws = await startEmbeddedAws({ dataDir: dataDir.path });
    clients = createAwsClients({ endpoints: aws.endpoints });
    names = await provisionStack(clients, {
      prefix: 'es',
      queueOverrides: { events: { visibilityTimeoutSeconds: 2, maxReceiveCount: 2 } },
    });
  });
  afterAll(async () => {
    await aws?.stop();
    await dataDir?.remove();
  });

  it('retries a poison message through partial batch failures into the DLQ while its batch-mates are processed once', async () => {
    const queueUrl = names.queues.events;
    const dlqUrl = queueUrl.replace(/events$/, 'events-dlq');
    const deliveries = new Map<string, number>();
    const batchSizes: number[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      batchSizes.push(event.Records.length);
      for (const record of event.Records) {
        expect(record.eventSource).toBe('aws:sqs');
        expect(record.eventSourceARN).toMatch(/^arn:aws:sqs:/);
        deliveries.set(record.body, (deliveries.get(record.body) ?? 0) + 1);
      }
      return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const source = new SqsEventSource({
      sqs: clients.sqs,
      queueUrl,
      queueArn: Attributes!.QueueArn!,
      handler,
      batchSize: 10,
      batchWindowSeconds: 0,
      functionName: 'events',
      timeoutSeconds: 10,
      waitTimeSeconds: 1,
    });
    const bodies = ['a', 'b', 'poison', 'c', 'd'];
    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    source.start();
    try {
      const deadline = Date.now() + 15_000;
      let deadLetters: string[] = [];
      while (Date.now() < deadline && deadLetters.length === 0) {
        const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
        deadLetters = (received.Messages ?? []).map((m) => m.Body!);
      }
      expect(deadLetters).toEqual(['poison']);
    } finally {
      await source.stop();
    }
    expect(batchSizes[0]).toBe(5);
    expect(deliveries.get('poison')).toBe(2);
    for (const body of ['a', 'b', 'c', 'd']) expect(deliveries.get(body)).toBe(1);
  });

  it('fails the whole batch when the handler throws, and redelivers it', async () => {
    const queueUrl = names.queues.events;
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    let calls = 0;
    const seen: string[] = [];
    const source = new SqsEventSource({
      sqs: clients.sqs,
      queueUrl,
      queueArn: Attributes!.QueueArn!,
      handler: async (event) => {
        calls++;
        if (calls === 1) throw new Error('cold start failure');
        seen.push(...event.Records.map((r) => r.body));
      },
      batchSize: 10,
      batchWindowSeconds: 0,
      functionName: 'events',
      timeoutSeconds: 10,
      waitTimeSeconds: 1,
    });
    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: 'x' }] }));
    source.start();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && seen.length === 0) await new Promise((r) => setTimeout(r, 100));
    await source.stop();
    expect(seen).toEqual(['x']);
    expect(calls).toBe(2);
  });
});
