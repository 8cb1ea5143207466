// Bodies handed to SendMessageBatch as escaped bytes arrive in the queue exactly as their pieces
// joined: through the real SDK (signing, Content-Length) against the embedded queue.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionEnvironment, type FunctionEnvironment } from '@flywheel/testing/function-env';
import { jsonEscaped, jsonUnescaped, releaseEscaped, sendEscapedMessageBatch } from './sqs-escaped-bodies.ts';

const escapedPieces = (pieces: readonly string[]) => pieces.map(jsonEscaped);

// Quotes, backslashes, a newline inside a piece, a tab, two-byte, three-byte and astral characters.
const awkward = ['{"note":"say \\"hi\\"\\n"}', '\n', 'tab\there', 'café ☕ 𝄞 — ünïcödé', '\\', '"'];

describe('jsonEscaped', () => {
  it('is the text as the inside of a JSON string, and jsonUnescaped gives the pieces back joined', () => {
    for (const piece of awkward) expect(JSON.parse(`"${new TextDecoder().decode(jsonEscaped(piece))}"`)).toBe(piece);
    expect(jsonUnescaped(escapedPieces(awkward))).toBe(awkward.join(''));
  });

  it('cuts a chunk again once every piece cut from it was released, and not while one is unsent', () => {
    const text = 'z'.repeat(1_000);
    /** Cuts pieces until one comes from another chunk; returns the pieces of the chunk left behind and the first of the next. */
    const fillChunk = (firstPiece = jsonEscaped(text)) => {
      const pieces = [firstPiece];
      while (pieces.at(-1)!.buffer === pieces[0].buffer) pieces.push(jsonEscaped(text));
      const next = pieces.pop()!;
      return { pieces, next };
    };
    const { next: start } = fillChunk(); // a chunk of this test's own, whatever earlier tests left
    const first = fillChunk(start);
    // All but one piece of the first chunk released: the next chunk cannot be it.
    for (const piece of first.pieces.slice(1)) releaseEscaped(piece);
    const second = fillChunk(first.next);
    expect(second.next.buffer).not.toBe(start.buffer);
    // The last one released (twice: ignored the second time): the first chunk is cut again, from its start.
    releaseEscaped(first.pieces[0]);
    releaseEscaped(first.pieces[0]);
    const third = fillChunk(second.next);
    expect(third.next.buffer).toBe(start.buffer);
    expect(third.next.byteOffset).toBe(0);
    const reused = jsonEscaped('fresh');
    expect(new TextDecoder().decode(reused)).toBe('fresh');
    // Pieces still unsent keep their bytes: the second chunk was never released.
    expect(second.pieces.every((piece) => new TextDecoder().decode(piece) === text)).toBe(true);
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

  it('delivers each body whole call after call, a short one after a long one, in buffers kept from earlier calls', async () => {
    const queueUrl = env.names.queues.predictionLogs;
    const bodies = ['x'.repeat(200_000), 'short "one"', `${'é'.repeat(50_000)}\n`, 'y'.repeat(100_000)];
    for (const [i, body] of bodies.entries()) {
      const response = await sendEscapedMessageBatch(env.clients.sqs, queueUrl, [{ Id: `b${i}`, escapedBody: escapedPieces([body]) }]);
      expect(response.Failed ?? []).toEqual([]);
    }
    const received: string[] = [];
    for (let attempt = 0; attempt < 20 && received.length < bodies.length; attempt++) {
      const { Messages = [] } = await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      received.push(...Messages.map((message) => message.Body ?? ''));
      if (Messages.length > 0) {
        await env.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
    }
    expect(received.sort()).toEqual([...bodies].sort());
  });

  it('refuses a client that would check the MD5 of the placeholders, before sending anything', () => {
    const checking = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    expect(() => sendEscapedMessageBatch(checking, 'http://127.0.0.1:9/q', [{ Id: '0', escapedBody: escapedPieces(['x']) }])).toThrow(/md5: false/);
    checking.destroy();
  });
});
