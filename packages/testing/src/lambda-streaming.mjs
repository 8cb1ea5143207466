// Lambda's response streaming as its Node.js runtime provides it, for handlers run outside Lambda
// (lambda-package.ts's runtime, bench/cold-start.ts, in-process tests). Emulated, after
// aws-lambda-ric 4.0.2 (AWS's runtime interface client, which the managed nodejs22.x runtime runs):
// the same `awslambda` global — `streamifyResponse` marks the handler, `HttpResponseStream.from`
// sets the integration content type and writes the JSON prelude and 8 NUL bytes before the first
// chunk — and a response stream that keeps what the Runtime API would receive. What the Function
// URL makes of that (the prelude's status, headers and cookies, then the body) is `streamedResult`.
// The RIC itself is not run: it needs its native Runtime API client compiled at install.
import { Writable } from 'node:stream';

const STREAMING = Symbol.for('flywheel.emulated-lambda.streaming');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = new Uint8Array(8);

/** Puts the runtime's `awslambda` global in place; Lambda does so before it imports the handler's module. */
export function installAwsLambdaGlobal() {
  globalThis.awslambda = {
    ...globalThis.awslambda,
    streamifyResponse(handler) {
      handler[STREAMING] = 'response';
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.setContentType(PRELUDE_CONTENT_TYPE);
        const text = JSON.stringify(prelude);
        stream.onBeforeFirstWrite = (write) => {
          write(text);
          write(DELIMITER);
        };
        return stream;
      },
    },
  };
}

export function isStreamingHandler(handler) {
  return typeof handler === 'function' && handler[STREAMING] === 'response';
}

/**
 * Invokes a handler as the runtime does — a streaming one with a response stream, another with
 * (event, context) — and gives back what the caller of a Function URL gets, plus when (ms,
 * performance.now()) the response was complete and when the invocation ended.
 */
export async function invokeHandler(handler, event, context) {
  if (!isStreamingHandler(handler)) {
    const result = await handler(event, context);
    const at = performance.now();
    return { result: result ?? null, respondedAt: at, returnedAt: at };
  }
  const chunks = [];
  let contentType = 'application/octet-stream';
  let respondedAt;
  const stream = new Writable({
    write(chunk, encoding, callback) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
      callback();
    },
    final(callback) {
      respondedAt = performance.now();
      callback();
    },
  });
  const write = stream.write.bind(stream);
  let first = true;
  stream.write = (chunk, encoding, callback) => {
    if (first) {
      first = false;
      stream.onBeforeFirstWrite?.((piece) => write(piece));
    }
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return write(data, encoding, callback);
  };
  stream.setContentType = (type) => {
    contentType = type;
  };
  await handler(event, stream, context);
  const returnedAt = performance.now();
  return { result: streamedResult(contentType, Buffer.concat(chunks)), respondedAt: respondedAt ?? returnedAt, returnedAt };
}

/** The response a Function URL in RESPONSE_STREAM mode sends for what the handler streamed. */
export function streamedResult(contentType, bytes) {
  if (contentType !== PRELUDE_CONTENT_TYPE) {
    return { statusCode: 200, headers: { 'content-type': contentType }, cookies: [], body: bytes.toString('base64'), isBase64Encoded: true };
  }
  const end = bytes.indexOf(Buffer.from(DELIMITER));
  const prelude = JSON.parse(bytes.subarray(0, end).toString('utf8'));
  return {
    statusCode: prelude.statusCode ?? 200,
    headers: prelude.headers ?? {},
    cookies: prelude.cookies ?? [],
    body: bytes.subarray(end + DELIMITER.length).toString('base64'),
    isBase64Encoded: true,
  };
}
