const CHUNK_BYTES = 64 * 1024;

/** The bytes as a stream of chunks, reporting how many have been handed to the socket so far. */
export function byteStream(bytes: Uint8Array, onSent: (sent: number) => void): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      const chunk = bytes.subarray(offset, offset + CHUNK_BYTES);
      offset += chunk.byteLength;
      controller.enqueue(chunk);
      onSent(offset);
    },
  });
}

/** A multipart upload as POST /v1/models/{model}/uploads answers it for an artifact over one part. */
export interface PartedUpload {
  partBytes: number;
  parts: { partNumber: number; uploadUrl: string }[];
  abortUrl: string;
}

/**
 * PUTs each part of `bytes` to its presigned URL (in order; S3 wants each part's length up front,
 * so a part goes in one piece) and returns the parts with the ETags their answers carried, for
 * registration to assemble. On any failure the upload is aborted through its abort URL, so no
 * parts are left behind, and the failure rethrown.
 */
export async function uploadParts(bytes: Uint8Array, upload: PartedUpload, onSent: (sent: number) => void): Promise<{ partNumber: number; etag: string }[]> {
  const uploaded: { partNumber: number; etag: string }[] = [];
  try {
    for (const { partNumber, uploadUrl } of upload.parts) {
      const part = bytes.subarray((partNumber - 1) * upload.partBytes, partNumber * upload.partBytes);
      const response = await fetch(uploadUrl, { method: 'PUT', body: part as Uint8Array<ArrayBuffer> });
      if (!response.ok) throw new Error(`part ${partNumber} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      const etag = response.headers.get('etag');
      if (!etag) throw new Error(`part ${partNumber} answered without an ETag`);
      uploaded.push({ partNumber, etag });
      onSent(Math.min(bytes.byteLength, partNumber * upload.partBytes));
    }
    return uploaded;
  } catch (error) {
    await fetch(upload.abortUrl, { method: 'DELETE' }).catch(() => undefined);
    throw error;
  }
}
