import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

/** zlib's gzip and gunzip on the libuv pool, awaited: S3 objects and window state are stored gzipped. */
export const gzipAsync = promisify(gzip);
export const gunzipAsync = promisify(gunzip);
