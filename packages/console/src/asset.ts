/** One file of the console as the API serves it. */
export interface ConsoleAsset {
  readonly type: string;
  readonly body: string;
  /** A strong ETag of the body. */
  readonly etag: string;
}
