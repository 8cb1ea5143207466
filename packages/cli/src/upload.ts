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
