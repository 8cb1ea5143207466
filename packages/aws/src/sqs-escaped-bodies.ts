import { randomBytes } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * `text` as the bytes it takes inside a JSON string (escaped, without the quotes), UTF-8. A message
 * body made of such pieces is never one string: strings past 128 KiB live in V8's large-object
 * space, where building, flattening and `JSON.stringify` cost 5–10× what they cost below it on
 * Node 22 (bench/README.md); and bytes off the JS heap cost the young-generation GC nothing while
 * they wait to be sent.
 */
export function jsonEscaped(text: string): Uint8Array {
  const escaped = JSON.stringify(text).slice(1, -1);
  const most = escaped.length * 3; // UTF-8 bytes a UTF-16 unit can take
  if (most > CHUNK_BYTES / 4) return Buffer.from(escaped, 'utf8');
  if (chunkUsed + most > CHUNK_BYTES) {
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    chunkUsed = 0;
  }
  const start = chunkUsed;
  chunkUsed += chunk.write(escaped, start, 'utf8');
  return chunk.subarray(start, chunkUsed);
}

// Pieces are cut from shared chunks, as Buffer.from cuts small buffers from its 8 KiB pool, but
// from chunks that hold hundreds of log records: a new pool is an ArrayBuffer allocation, which
// at one per ten records took a tenth of the log's CPU (bench/README.md). A chunk is freed once
// every piece cut from it has been sent.
const CHUNK_BYTES = 256 * 1024;
let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
let chunkUsed = 0;

/** The text whose {@link jsonEscaped} pieces these are, joined. */
export function jsonUnescaped(pieces: readonly Uint8Array[]): string {
  return JSON.parse(`"${Buffer.concat(pieces).toString('utf8')}"`) as string;
}

export interface EscapedBatchEntry {
  readonly Id: string;
  /** The body as {@link jsonEscaped} pieces, in order. */
  readonly escapedBody: readonly Uint8Array[];
}

/**
 * SendMessageBatch whose bodies are handed over already escaped: the SDK serializes the call with a
 * short placeholder per body, and a middleware after its serializer puts the bodies' bytes in their
 * place. Everything else — endpoint, signing, retries, errors — is the SDK's own. The client must not
 * check the MD5 SQS echoes per body (`md5: false`, as `createAwsClients` builds it): it would hash
 * the placeholders.
 */
export function sendEscapedMessageBatch(
  sqs: SQSClient,
  queueUrl: string,
  entries: readonly EscapedBatchEntry[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<SendMessageBatchCommandOutput> {
  const md5 = (sqs as { config?: { md5?: unknown } }).config?.md5;
  if (md5 !== undefined && md5 !== false) {
    throw new Error('sendEscapedMessageBatch needs an SQS client built with md5: false (createAwsClients builds one)');
  }
  const placeholder = `flywheel-body-${randomBytes(12).toString('hex')}-`;
  const command = new SendMessageBatchCommand({
    QueueUrl: queueUrl,
    Entries: entries.map((entry, index) => ({ Id: entry.Id, MessageBody: `${placeholder}${index}` })),
  });
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown };
      if (typeof request.body !== 'string') throw new Error('SendMessageBatch was not serialized as a JSON string');
      request.body = spliceBodies(request.body, placeholder, entries);
      return next(args);
    },
    // Low priority in the serialize step: after the SDK's serializer, before signing and Content-Length.
    { step: 'serialize', priority: 'low', name: 'flywheelEscapedBodies' },
  );
  return sqs.send(command, options);
}

function spliceBodies(json: string, placeholder: string, entries: readonly EscapedBatchEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const [index, entry] of entries.entries()) {
    const token = `${placeholder}${index}"`;
    const at = json.indexOf(token, from);
    if (at < 0) throw new Error(`SendMessageBatch body ${index} is missing from the serialized request`);
    parts.push(Buffer.from(json.slice(from, at), 'utf8'), ...entry.escapedBody);
    from = at + token.length - 1; // keep the closing quote
  }
  parts.push(Buffer.from(json.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
