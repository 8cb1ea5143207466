// Running sessions, and releasing them without pulling one out from under a running request.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { InferenceError, runtimeReason } from './errors.ts';
import { scheduleRun } from './joined-runs/schedule.ts';
import type { LoadedModel } from './load.ts';

interface Activity {
  running: number;
  releaseRequested: boolean;
  released: boolean;
}

const activities = new WeakMap<InferenceSession, Activity>();

function activityOf(session: InferenceSession): Activity {
  let activity = activities.get(session);
  if (!activity) {
    activity = { running: 0, releaseRequested: false, released: false };
    activities.set(session, activity);
  }
  return activity;
}

/** Runs the session for the named outputs; throws InferenceError if the runtime fails. */
export async function runModel(model: LoadedModel, feeds: Record<string, Tensor>, outputNames: readonly string[]): Promise<Record<string, Tensor>> {
  const activity = activityOf(model.session);
  if (activity.released) throw new InferenceError('the model was released from memory; load it again');
  activity.running++;
  try {
    return await scheduleRun(model, feeds, outputNames);
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
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => (activity.running === 0 ? release(model.session, activity) : undefined));
}

// Best effort: failing to free memory must not fail the request that happened to trigger it.
function release(session: InferenceSession, activity: Activity): Promise<void> {
  if (activity.released) return Promise.resolve();
  activity.released = true;
  return session.release().catch(() => undefined);
}
