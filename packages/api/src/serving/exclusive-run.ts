/**
 * Runs model inference one call at a time in this process. onnxruntime-web keeps every session
 * in one WASM runtime per process, and a run that fails on its inputs while others are in flight
 * (on any session) fails some of them too — observed as "failed to call OrtRun()" and "Cannot
 * read properties of null" on runs whose inputs were fine. The runtime has one thread, so taking
 * turns costs no throughput (~0.2 µs a call), and one caller's bad input — or a shadow's
 * failure — can no longer fail someone else's request.
 */
let tail: Promise<unknown> = Promise.resolve();

export function runExclusively<T>(run: () => Promise<T>): Promise<T> {
  const result = tail.then(run);
  tail = result.then(
    () => undefined,
    () => undefined,
  );
  return result;
}
