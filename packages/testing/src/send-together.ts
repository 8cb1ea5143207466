import { connect, type Socket } from 'node:net';

export interface RawRequest {
  path: string;
  json: unknown;
  headers?: Record<string, string>;
}

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * POSTs the requests at once, as a busy server's clients do: one connection each, opened and
 * served a first request beforehand (so the server is already reading them all), then every
 * request written in one go. The server reads them in the same event-loop turn, which `fetch`
 * (connecting as it goes) does not reproduce.
 */
export async function sendTogether(url: string, requests: readonly RawRequest[]): Promise<RawResponse[]> {
  const { hostname, port } = new URL(url);
  const host = `${hostname}:${port}`;
  const sockets = await Promise.all(requests.map(() => open(Number(port), hostname)));
  await Promise.all(sockets.map((socket) => exchange(socket, `GET /healthz HTTP/1.1\r\nhost: ${host}\r\n\r\n`)));
  return Promise.all(
    requests.map(({ path, json, headers = {} }, i) => {
      const body = JSON.stringify(json);
      const head = Object.entries({ host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      return exchange(sockets[i], `POST ${path} HTTP/1.1\r\n${head}\r\n${body}`).finally(() => sockets[i].destroy());
    }),
  );
}

function open(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes one request and reads its response (Content-Length or chunked). */
function exchange(socket: Socket, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = parseResponse(received);
      if (!response) return;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve(response);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request);
  });
}

/** The response in `bytes`, or undefined while it is incomplete. */
function parseResponse(bytes: Buffer): RawResponse | undefined {
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const head = bytes.subarray(0, split).toString('latin1');
  const raw = bytes.subarray(split + 4);
  const status = Number(head.split(' ')[1]);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) return raw.length >= Number(length[1]) ? { status, body: raw.subarray(0, Number(length[1])).toString('utf8') } : undefined;
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return undefined;
  const chunks: Buffer[] = [];
  for (let at = 0; ; ) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return { status, body: Buffer.concat(chunks).toString('utf8') };
    if (raw.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
