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
  if (current.used + most > CHUNK_BYTES) {
    retire(current);
    current = keptChunks.pop() ?? newChunk();
  }
  const start = current.used;
  current.used += current.bytes.write(escaped, start, 'utf8');
  current.live++;
  return current.bytes.subarray(start, current.used);
}

/**
 * Says a piece was sent and is not read again. A chunk every piece of which was released is cut
 * again instead of freed; a piece never released (spilled, dropped, still unsent) only keeps its
 * chunk for the GC. Releasing a piece twice is ignored.
 */
export function releaseEscaped(piece: Uint8Array): void {
  const chunk = chunks.get(piece.buffer);
  if (chunk === undefined || released.has(piece)) return;
  released.add(piece);
  chunk.live--;
  if (chunk.live === 0 && chunk.retired) keep(chunk);
}

// Pieces are cut from shared chunks, as Buffer.from cuts small buffers from its 8 KiB pool, but
// from chunks that hold hundreds of log records: a new pool is an ArrayBuffer allocation, which
// at one per ten records took a tenth of the log's CPU, and a new chunk is fresh memory, whose page
// faults cost ~1 ms per 256 KiB here (bench/README.md). So a chunk whose pieces were all sent is
// kept and cut again.
const CHUNK_BYTES = 256 * 1024;
const CHUNKS_KEPT = 4;

interface Chunk {
  readonly bytes: Buffer;
  used: number;
  /** Pieces cut and not yet released. */
  live: number;
  /** No longer cut from: kept for reuse once its last piece is released. */
  retired: boolean;
}

const chunks = new WeakMap<ArrayBufferLike, Chunk>();
const released = new WeakSet<Uint8Array>();
const keptChunks: Chunk[] = [];
let current = newChunk();

function newChunk(): Chunk {
  const chunk: Chunk = { bytes: Buffer.allocUnsafe(CHUNK_BYTES), used: 0, live: 0, retired: false };
  chunks.set(chunk.bytes.buffer, chunk);
  return chunk;
}

function retire(chunk: Chunk): void {
  chunk.retired = true;
  if (chunk.live === 0) keep(chunk);
}

function keep(chunk: Chunk): void {
  if (keptChunks.length >= CHUNKS_KEPT) return;
  chunk.used = 0;
  chunk.retired = false;
  keptChunks.push(chunk);
}

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
  let written: Buffer | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown };
      if (typeof request.body !== 'string') throw new Error('SendMessageBatch was not serialized as a JSON string');
      const spliced = spliceBodies(request.body, placeholder, entries);
      written = spliced.buffer;
      request.body = spliced.body;
      return next(args);
    },
    // Low priority in the serialize step: after the SDK's serializer, before signing and Content-Length.
    { step: 'serialize', priority: 'low', name: 'flywheelEscapedBodies' },
  );
  // Kept for the next call only once the queue has answered, so the request was read whole. After
  // a failure the buffer is left to the GC: a write of it may still be under way.
  return sqs.send(command, options).then((output) => {
    if (written) keepBodyBuffer(written);
    return output;
  });
}

// Request bodies are written into buffers kept from earlier calls: a new 256 KiB buffer is fresh
// memory, and faulting its pages in cost ~1 ms a call here, against ~0.02 ms for the copy into a
// kept one (bench/README.md).
const BODY_BUFFERS_KEPT = 4;
const BODY_BUFFER_STEP = 64 * 1024;
const keptBodyBuffers: Buffer[] = [];

function bodyBuffer(bytes: number): Buffer {
  const kept = keptBodyBuffers.findIndex((buffer) => buffer.length >= bytes);
  if (kept >= 0) return keptBodyBuffers.splice(kept, 1)[0];
  return Buffer.allocUnsafe(Math.ceil(bytes / BODY_BUFFER_STEP) * BODY_BUFFER_STEP);
}

function keepBodyBuffer(buffer: Buffer): void {
  if (keptBodyBuffers.length < BODY_BUFFERS_KEPT) keptBodyBuffers.push(buffer);
}

/** The serialized call with each placeholder replaced by its body's bytes, written into a {@link bodyBuffer}. */
function spliceBodies(json: string, placeholder: string, entries: readonly EscapedBatchEntry[]): { body: Buffer; buffer: Buffer } {
  const parts: Array<string | Uint8Array> = [];
  let from = 0;
  for (const [index, entry] of entries.entries()) {
    const token = `${placeholder}${index}"`;
    const at = json.indexOf(token, from);
    if (at < 0) throw new Error(`SendMessageBatch body ${index} is missing from the serialized request`);
    parts.push(json.slice(from, at), ...entry.escapedBody);
    from = at + token.length - 1; // keep the closing quote
  }
  parts.push(json.slice(from));
  let bytes = 0;
  for (const part of parts) bytes += typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.byteLength;
  const buffer = bodyBuffer(bytes);
  let offset = 0;
  for (const part of parts) {
    if (typeof part === 'string') offset += buffer.write(part, offset, 'utf8');
    else {
      buffer.set(part, offset);
      offset += part.byteLength;
    }
  }
  return { body: buffer.subarray(0, bytes), buffer };
}
