export interface StreamedInvocation<T = unknown> {
  /** What the caller gets: for a streaming handler, the Function URL's response (body base64). */
  result: T;
  /** performance.now() when the response was complete (the stream ended). */
  respondedAt: number;
  /** performance.now() when the handler's promise settled (the invocation ended). */
  returnedAt: number;
}
export function installAwsLambdaGlobal(): void;
export function isStreamingHandler(handler: unknown): boolean;
export function invokeHandler<T = unknown>(handler: (...args: never[]) => unknown, event: unknown, context: unknown): Promise<StreamedInvocation<T>>;
export function streamedResult(contentType: string, bytes: Buffer): { statusCode: number; headers: Record<string, string>; cookies: string[]; body: string; isBase64Encoded: true };
