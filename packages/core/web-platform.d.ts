// The few Web-platform globals core uses, declared for core's own type-check (tsconfig.json here),
// which has neither Node's types nor the DOM lib: every runtime core runs on (Node 22, Lambda,
// Lambda@Edge, browsers) provides them. Only the members core calls are declared, so reaching for
// anything more (a Node API, the DOM) fails core's type-check. The root tsconfig checks the same code
// against the full DOM and Node types.

interface CryptoKey {
  readonly type: string;
}

interface SubtleCrypto {
  digest(algorithm: 'SHA-256' | 'SHA-1' | 'SHA-384' | 'SHA-512', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: boolean, keyUsages: ['sign']): Promise<CryptoKey>;
  sign(algorithm: 'HMAC', key: CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
}

interface Crypto {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends Uint8Array>(array: T): T;
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
}

declare var crypto: Crypto;

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** Only named in a port's signature (a batch job's output as bytes); core never reads one. */
interface ReadableStream<R = unknown> {
  readonly locked: boolean;
  cancel(reason?: unknown): Promise<void>;
}

declare function btoa(data: string): string;
declare function atob(data: string): string;
declare function setTimeout(handler: () => void, timeout?: number): unknown;
