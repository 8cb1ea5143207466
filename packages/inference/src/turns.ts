// Runs of the one WASM runtime, one after another.

/**
 * Runs take turns, across every session of the process. onnxruntime-web keeps all sessions in one
 * WASM runtime, and a run that fails on its inputs while others are in flight fails some of them
 * too ("failed to call OrtRun()", "Cannot read properties of null") — so one caller's bad input
 * could fail another's request. The runtime has one thread anyway: taking turns costs no
 * throughput (~0.2 µs a run).
 */
let lastRun: Promise<unknown> = Promise.resolve();
let runsInFlight = 0;
const runSettled = () => {
  runsInFlight--;
};

export function inTurn<T>(run: () => Promise<T>): Promise<T> {
  // With none in flight, the run starts at once rather than a microtask later.
  const result = runsInFlight === 0 ? run() : lastRun.then(run);
  runsInFlight++;
  lastRun = result.then(runSettled, runSettled);
  return result;
}

/** Runs `run` in turn when the backend's runs must take turns (WASM), at once otherwise (native). */
export function inTurnOf<T>(backend: { readonly runsTakeTurns: boolean }, run: () => Promise<T>): Promise<T> {
  return backend.runsTakeTurns ? inTurn(run) : run();
}
