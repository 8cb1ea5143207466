// Bodies handed to SendMessageBatch as escaped bytes arrive in the queue exactly as their pieces
// joined: through the real SDK (signing, Content-Length) against the embedded queue.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionEnvironment, type FunctionEnvironment } from '@flywheel/testing/function-env';
import { jsonEscaped, jsonUnescaped, sendEscapedMessageBatch } from './sqs-escaped-bodies.ts';

const escapedPieces = (pieces: readonly string[]) => pieces.map(jsonEscaped);

// Quotes, backslashes, a newline inside a piece, a tab, two-byte, three-byte and astral characters.
const awkward = ['{"note":"say \\"hi\\"\\n"}', '\n', 'tab\there', 'café ☕ 𝄞 — ünïcödé', '\\', '"'];

describe('jsonEscaped', () => {
  it('is the text as the inside of a JSON string, and jsonUnescaped gives the pieces back joined', () => {
    for (const piece of awkward) expect(JSON.parse(`"${new TextDecoder().decode(jsonEscaped(piece))}"`)).toBe(piece);
    expect(jsonUnescaped(escapedPieces(awkward))).toBe(awkward.join(''));
  });

  it('escapes the empty string to no bytes', () => {
    expect(jsonEscaped('').byteLength).toBe(0);
  });
});

describe('sendEscapedMessageBatch', () => {
  let env: FunctionEnvironment;
  beforeAll(async () => {
    env = await startFunctionEnvironment();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('delivers each body exactly as its pieces joined, each under its own id', async () => {
    const queueUrl = env.names.queues.predictionLogs;
    const big = Array.from({ length: 1_500 }, (_, i) => `{"row":${i},"text":"${'ü☕'.repeat(i % 40)}\\"q\\""}\n`);
    // Without the astral character: the embedded queue refuses it (SQS itself accepts #x10000–#x10FFFF).
    const bodies = [awkward.map((piece) => piece.replace('𝄞', '')), big, ['plain']];
    const response = await sendEscapedMessageBatch(
      env.clients.sqs,
      queueUrl,
      bodies.map((pieces, i) => ({ Id: `m${i}`, escapedBody: escapedPieces(pieces) })),
    );
    expect(response.Failed ?? []).toEqual([]);
    expect((response.Successful ?? []).map((entry) => entry.Id).sort()).toEqual(['m0', 'm1', 'm2']);

    const received: string[] = [];
    for (let attempt = 0; attempt < 20 && received.length < 3; attempt++) {
      const { Messages = [] } = await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      received.push(...Messages.map((message) => message.Body ?? ''));
      if (Messages.length > 0) {
        await env.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
    }
    expect(received.sort()).toEqual(bodies.map((pieces) => pieces.join('')).sort());
  });

  it('refuses a client that would check the MD5 of the placeholders, before sending anything', () => {
    const checking = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    expect(() => sendEscapedMessageBatch(checking, 'http://127.0.0.1:9/q', [{ Id: '0', escapedBody: escapedPieces(['x']) }])).toThrow(/md5: false/);
    checking.destroy();
  });
});
