// Running sessions, and releasing them without pulling one out from under a running request.
import type * as ort from 'onnxruntime-web';
import { InferenceError, runtimeReason } from './errors.ts';
import type { LoadedModel } from './load.ts';

interface Activity {
  running: number;
  releaseRequested: boolean;
  released: boolean;
}

const activities = new WeakMap<ort.InferenceSession, Activity>();

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

function inTurn<T>(run: () => Promise<T>): Promise<T> {
  // With none in flight, the run starts at once rather than a microtask later.
  const result = runsInFlight === 0 ? run() : lastRun.then(run);
  runsInFlight++;
  lastRun = result.then(runSettled, runSettled);
  return result;
}

function activityOf(session: ort.InferenceSession): Activity {
  let activity = activities.get(session);
  if (!activity) {
    activity = { running: 0, releaseRequested: false, released: false };
    activities.set(session, activity);
  }
  return activity;
}

/** Runs the session for the named outputs; throws InferenceError if the runtime fails. */
export async function runModel(
  model: LoadedModel,
  feeds: Record<string, ort.Tensor>,
  outputNames: readonly string[],
): Promise<Record<string, ort.Tensor>> {
  const activity = activityOf(model.session);
  if (activity.released) throw new InferenceError('the model was released from memory; load it again');
  activity.running++;
  try {
    return (await inTurn(() => model.session.run(feeds, outputNames))) as Record<string, ort.Tensor>;
  } catch (error) {
    throw new InferenceError(runtimeReason(error), { cause: error });
  } finally {
    activity.running--;
    if (activity.releaseRequested && activity.running === 0) void release(model.session, activity);
  }
}

/**
 * Frees the session's runtime memory once no run is in flight. The release waits for the next
 * macrotask, so a caller that was just handed the model and runs it right away still can.
 */
export function releaseModel(model: LoadedModel): Promise<void> {
  const activity = activityOf(model.session);
  activity.releaseRequested = true;
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
    activity.running === 0 ? release(model.session, activity) : undefined,
  );
}

// Best effort: failing to free memory must not fail the request that happened to trigger it.
function release(session: ort.InferenceSession, activity: Activity): Promise<void> {
  if (activity.released) return Promise.resolve();
  activity.released = true;
  return session.release().catch(() => undefined);
}
